/** Lambda entry: incident signals from the SQS FIFO queue, after the page. */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { ConfigError } from '../../shared/domain/errors';
import { requireEnv } from '../../shared/adapters/env';
import { INCIDENT_METRICS } from '../../shared/adapters/incident-metrics';
import { leanAwsFromEnv } from '../../shared/adapters/lean-aws';
import {
  awsCallTracer,
  logger,
  powertoolsLog,
  sourceMappedErrors,
} from '../../shared/adapters/observability';
import { wireResponder } from '../../shared/adapters/responder-wiring';
import { loadRuntimeConfig } from '../../shared/adapters/runtime-config-source';
import { createTracing } from '../../shared/adapters/tracing';
import { SqsDeadLetterSink } from '../../shared/adapters/sqs-dead-letter';
import { createSqsCall } from '../../shared/adapters/sqs-http';
import { createIncidentResponder } from './create-handler';

// Off the page path, this function traces every sampled invocation with the tracer loaded at
// init: its SDK clients (diagnostics, mitigation) are captured where they are created.
const { tracer, middleware: captureHandler } = createTracing();
const config = loadRuntimeConfig();
const aws = leanAwsFromEnv({ around: awsCallTracer(() => tracer) });
const metrics = new Metrics({ namespace: INCIDENT_METRICS.namespace, serviceName: 'incident-responder' });
const log = powertoolsLog(logger);
const ports = wireResponder({
  config,
  aws,
  tableName: requireEnv('ALERT_TABLE_NAME'),
  clock: () => Date.now(),
  log,
  metrics,
  capture: (client) => tracer.captureAWSv3Client(client),
});
if (!ports) throw new ConfigError('the incident responder runs only with incidents in the runtime config');

/** Incident responder: open or link, evidence, update, mitigation, resolve, after the page. */
export const handler = middy(
  createIncidentResponder({
    ...ports,
    deadLetter: new SqsDeadLetterSink(createSqsCall(aws), requireEnv('DEAD_LETTER_QUEUE_URL'), 'malformed'),
  }),
)
  .use(injectLambdaContext(logger))
  .use(captureHandler)
  .use(logMetrics(metrics))
  .use(sourceMappedErrors);
