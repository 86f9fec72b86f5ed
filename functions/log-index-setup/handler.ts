/** Lambda entry of the log index setup custom resource (CDK Provider framework onEvent). */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { requireEnv } from '../../shared/logs/env';
import { createOpenSearchClient } from '../../shared/logs/opensearch-log-index';
import { createLogIndexSetup } from './log-index-setup';

const logger = new Logger();
const tracer = new Tracer();
const region = requireEnv('AWS_REGION');
const setup = createLogIndexSetup((endpoint) => createOpenSearchClient({ endpoint, sign: true, region }));

/** The handler. */
export const handler = middy(async (event: unknown): Promise<{ PhysicalResourceId: string }> => {
  const result = await setup(event);
  logger.info('log index setup applied', { physicalResourceId: result.PhysicalResourceId });
  return result;
})
  .use(injectLambdaContext(logger))
  .use(captureLambdaHandler(tracer));
