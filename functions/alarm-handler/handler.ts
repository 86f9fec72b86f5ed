import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { wireAlertPath } from '../../shared/adapters/alert-path-wiring';
import { requireEnv } from '../../shared/adapters/env';
import { leanAwsFromEnv } from '../../shared/adapters/lean-aws';
import { logger, powertoolsLog, traceAwsCalls, tracer } from '../../shared/adapters/observability';
import { loadRuntimeConfig } from '../../shared/adapters/runtime-config-source';
import { SqsDeadLetterSink } from '../../shared/adapters/sqs-dead-letter';
import { createAlarmHandler } from './create-handler';

// Clients and config once per container. Alert state and notification only: incident work
// follows the page in the incident responder, signalled through its queue.
const config = loadRuntimeConfig();
const aws = leanAwsFromEnv({ around: traceAwsCalls });
const clock = (): number => Date.now();
const wiring = wireAlertPath({ config, aws, tableName: requireEnv('ALERT_TABLE_NAME'), clock });

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
    publisher: wiring.publisher,
    deadLetter: new SqsDeadLetterSink(wiring.sqs, requireEnv('DEAD_LETTER_QUEUE_URL')),
    clock,
    traceId: () => tracer.getRootXrayTraceId(),
    log: powertoolsLog(logger),
  }),
)
  .use(injectLambdaContext(logger))
  .use(captureLambdaHandler(tracer));
