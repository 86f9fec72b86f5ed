import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { DynamoDeliveryLedger } from '../../shared/adapters/delivery-ledger';
import { optionalEnv, requireEnv } from '../../shared/adapters/env';
import { createHttpDocTable } from '../../shared/adapters/dynamo-http';
import { leanAwsFromEnv } from '../../shared/adapters/lean-aws';
import {
  logger,
  powertoolsLog,
  traceAwsCalls,
  tracing,
  sourceMappedErrors,
} from '../../shared/adapters/observability';
import { createSecretReader, isHttpUrl } from '../../shared/adapters/secrets';
import { createSecretsCall, HttpSecretsProvider } from '../../shared/adapters/secrets-http';
import { SqsDeadLetterSink } from '../../shared/adapters/sqs-dead-letter';
import { createSqsCall } from '../../shared/adapters/sqs-http';
import { createSlackNotifier, SLACK_ACTION_BUTTONS_ENV } from './notifier';

export { createSlackNotifier } from './notifier';

const tableName = requireEnv('ALERT_TABLE_NAME');
const secretArn = requireEnv('SLACK_WEBHOOK_SECRET_ARN');
const queueUrl = requireEnv('DEAD_LETTER_QUEUE_URL');

// Lean clients over signed HTTP, with the execution role's credentials from the environment.
const aws = leanAwsFromEnv({ around: traceAwsCalls });

/** Slack forwarder: SNS slack topic -> Slack incoming webhook. */
export const handler = middy(
  createSlackNotifier({
    webhookUrl: createSecretReader({
      secretId: secretArn,
      label: 'Slack webhook',
      maxAgeSeconds: Number(optionalEnv('SECRET_MAX_AGE_SECONDS') ?? '300'),
      isValid: isHttpUrl,
      provider: new HttpSecretsProvider(createSecretsCall(aws)),
    }),
    ledger: new DynamoDeliveryLedger(createHttpDocTable(aws), { tableName }),
    deadLetter: new SqsDeadLetterSink(createSqsCall(aws), queueUrl),
    log: powertoolsLog(logger),
    clock: () => Date.now(),
    links: {
      consoleRegion: optionalEnv('CONSOLE_REGION'),
      dashboardUrl: optionalEnv('DASHBOARD_URL'),
      actionButtons: optionalEnv(SLACK_ACTION_BUTTONS_ENV) === 'true',
    },
  }),
)
  .use(injectLambdaContext(logger))
  .use(tracing.middleware)
  .use(sourceMappedErrors);
