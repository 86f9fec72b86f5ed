/** Lambda entry of the log index setup custom resource (CDK Provider framework onEvent). */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { credentialsFromEnv } from '../../shared/adapters/lean-aws';
import { logger, tracing, sourceMappedErrors } from '../../shared/adapters/observability';
import { requireEnv } from '../../shared/logs/env';
import { createOpenSearchHttp } from '../../shared/logs/opensearch-http';
import { createLogIndexSetup } from './log-index-setup';

const region = requireEnv('AWS_REGION');
const credentials = credentialsFromEnv();
const setup = createLogIndexSetup((endpoint) =>
  createOpenSearchHttp({ endpoint, sign: true, region, credentials }),
);

/** The handler. */
export const handler = middy(async (event: unknown): Promise<{ PhysicalResourceId: string }> => {
  const result = await setup(event);
  logger.info('log index setup applied', { physicalResourceId: result.PhysicalResourceId });
  return result;
})
  .use(injectLambdaContext(logger))
  .use(tracing.middleware)
  .use(sourceMappedErrors);
