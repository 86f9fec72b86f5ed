import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { wireAlertPath } from '../../shared/adapters/alert-path-wiring';
import { createCloudWatchCall, httpGetMetricData } from '../../shared/adapters/cloudwatch-http';
import { CloudWatchMetricData } from '../../shared/adapters/cloudwatch-metric-data';
import { requireEnv } from '../../shared/adapters/env';
import { leanAwsFromEnv } from '../../shared/adapters/lean-aws';
import {
  logger,
  powertoolsLog,
  rootTraceId,
  traceAwsCalls,
  tracing,
  sourceMappedErrors,
} from '../../shared/adapters/observability';
import { loadRuntimeConfig } from '../../shared/adapters/runtime-config-source';
import { SqsDeadLetterSink } from '../../shared/adapters/sqs-dead-letter';
import { createAlarmHandler } from './create-handler';

// Clients and config once per container. Alert state and notification only: incident work
// follows the page in the incident responder, signalled through its queue.
const config = loadRuntimeConfig();
const aws = leanAwsFromEnv({ around: traceAwsCalls });
const clock = (): number => Date.now();
const wiring = wireAlertPath({
  config,
  aws,
  tableName: requireEnv('ALERT_TABLE_NAME'),
  clock,
  log: powertoolsLog(logger),
});

/** Alarm handler: CloudWatch alarm actions, EventBridge alarm events, SNS alarm messages. */
export const handler = middy(
  createAlarmHandler({
    config,
    store: wiring.store,
    signals: wiring.signals,
    signalBacklog: wiring.signalBacklog,
    isSilenced: wiring.isSilenced,
    isSmsPaused: wiring.isSmsPaused,
    stormingRoutes: wiring.stormingRoutes,
    stormLikely: wiring.stormLikely,
    // Severity ladders: one retry on throttling, all of it within the budget before the page.
    severityMetrics: new CloudWatchMetricData(
      httpGetMetricData(createCloudWatchCall(aws, { maxAttempts: 1 })),
      {
        timeoutMs: config.severityBudgetMs,
        maxAttempts: 2,
        baseDelayMs: 50,
      },
    ),
    publisher: wiring.publisher,
    deadLetter: new SqsDeadLetterSink(wiring.sqs, requireEnv('DEAD_LETTER_QUEUE_URL')),
    clock,
    traceId: rootTraceId,
    log: powertoolsLog(logger),
  }),
)
  .use(injectLambdaContext(logger))
  .use(tracing.middleware)
  .use(sourceMappedErrors);
