import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { DynamoDeliveryLedger } from '../../shared/adapters/delivery-ledger';
import { optionalEnv, requireEnv } from '../../shared/adapters/env';
import { logger, powertoolsLog, tracer } from '../../shared/adapters/observability';
import { createSecretReader, createSecretsProvider } from '../../shared/adapters/secrets';
import { SqsDeadLetterSink } from '../../shared/adapters/sqs-dead-letter';
import { isSeverity } from '../../shared/domain/alert';
import { ConfigError } from '../../shared/domain/errors';
import { createPagerDutyNotifier } from './notifier';

export { createPagerDutyNotifier } from './notifier';

const tableName = requireEnv('ALERT_TABLE_NAME');
const secretArn = requireEnv('PAGERDUTY_ROUTING_KEY_SECRET_ARN');
const queueUrl = requireEnv('DEAD_LETTER_QUEUE_URL');
const minSeverity = optionalEnv('PAGERDUTY_MIN_SEVERITY') ?? 'critical';
if (!isSeverity(minSeverity)) {
  throw new ConfigError(`environment variable PAGERDUTY_MIN_SEVERITY must be info, warning or critical`);
}

const dynamo = tracer.captureAWSv3Client(new DynamoDBClient({}));
const secretsManager = tracer.captureAWSv3Client(new SecretsManagerClient({}));
const sqs = tracer.captureAWSv3Client(new SQSClient({}));

/** PagerDuty forwarder: SNS pagerduty topic -> Events API v2. */
export const handler = middy(
  createPagerDutyNotifier({
    routingKey: createSecretReader({
      secretId: secretArn,
      label: 'PagerDuty routing key',
      maxAgeSeconds: Number(optionalEnv('SECRET_MAX_AGE_SECONDS') ?? '300'),
      // Integration keys are 32 characters of [0-9a-z].
      isValid: (v) => /^[A-Za-z0-9]{20,64}$/.test(v),
      provider: createSecretsProvider(secretsManager),
    }),
    ledger: new DynamoDeliveryLedger(DynamoDBDocumentClient.from(dynamo), { tableName }),
    deadLetter: new SqsDeadLetterSink(sqs, queueUrl),
    log: powertoolsLog(logger),
    clock: () => Date.now(),
    minSeverity,
    eventsUrl: optionalEnv('PAGERDUTY_EVENTS_URL'),
    links: { consoleRegion: optionalEnv('CONSOLE_REGION'), dashboardUrl: optionalEnv('DASHBOARD_URL') },
  }),
)
  .use(injectLambdaContext(logger))
  .use(captureLambdaHandler(tracer));
