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
import { createSecretReader } from '../../shared/adapters/secrets';
import { createSecretsCall, HttpSecretsProvider } from '../../shared/adapters/secrets-http';
import { SqsDeadLetterSink } from '../../shared/adapters/sqs-dead-letter';
import { createSqsCall } from '../../shared/adapters/sqs-http';
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

// Lean clients over signed HTTP, with the execution role's credentials from the environment.
const aws = leanAwsFromEnv({ around: traceAwsCalls });

/** PagerDuty forwarder: SNS pagerduty topic -> Events API v2. */
export const handler = middy(
  createPagerDutyNotifier({
    routingKey: createSecretReader({
      secretId: secretArn,
      label: 'PagerDuty routing key',
      maxAgeSeconds: Number(optionalEnv('SECRET_MAX_AGE_SECONDS') ?? '300'),
      // Integration keys are 32 characters of [0-9a-z].
      isValid: (v) => /^[A-Za-z0-9]{20,64}$/.test(v),
      provider: new HttpSecretsProvider(createSecretsCall(aws)),
    }),
    ledger: new DynamoDeliveryLedger(createHttpDocTable(aws), { tableName }),
    deadLetter: new SqsDeadLetterSink(createSqsCall(aws), queueUrl),
    log: powertoolsLog(logger),
    clock: () => Date.now(),
    minSeverity,
    eventsUrl: optionalEnv('PAGERDUTY_EVENTS_URL'),
    links: { consoleRegion: optionalEnv('CONSOLE_REGION'), dashboardUrl: optionalEnv('DASHBOARD_URL') },
  }),
)
  .use(injectLambdaContext(logger))
  .use(tracing.middleware)
  .use(sourceMappedErrors);
