import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { CloudWatchAlarmStates } from '../../shared/adapters/cloudwatch-alarm-states';
import { cloudWatchSmsSpend } from '../../shared/adapters/sms-spend';
import { wireAlertPath } from '../../shared/adapters/alert-path-wiring';
import { requireEnv } from '../../shared/adapters/env';
import { createCloudWatchCall } from '../../shared/adapters/cloudwatch-http';
import { leanAwsFromEnv } from '../../shared/adapters/lean-aws';
import {
  logger,
  powertoolsLog,
  traceAwsCalls,
  tracing,
  sourceMappedErrors,
} from '../../shared/adapters/observability';
import { loadRuntimeConfig } from '../../shared/adapters/runtime-config-source';
import { createTickHandler, TICK_METRICS } from './create-handler';

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
const cloudwatch = createCloudWatchCall(aws);
const metrics = new Metrics({ namespace: TICK_METRICS.namespace, serviceName: TICK_METRICS.service });

/** Tick: the every-minute sweep of due work. */
export const handler = middy(
  createTickHandler({
    config,
    store: wiring.store,
    groups: wiring.groups,
    signals: wiring.signals,
    signalBacklog: wiring.signalBacklog,
    alarmStates: new CloudWatchAlarmStates(cloudwatch),
    smsSpend: cloudWatchSmsSpend(cloudwatch, clock),
    publisher: wiring.publisher,
    clock,
    log: powertoolsLog(logger),
    sink: {
      count: (name, value) => metrics.addMetric(name, MetricUnit.Count, value),
      milliseconds: (name, value) => metrics.addMetric(name, MetricUnit.Milliseconds, value),
    },
  }),
)
  .use(injectLambdaContext(logger))
  .use(tracing.middleware)
  .use(logMetrics(metrics))
  .use(sourceMappedErrors);
