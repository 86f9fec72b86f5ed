/** Lambda entry: the scheduled rule evaluator, every minute from EventBridge. */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { createCloudWatchCall, httpGetMetricData } from '../../shared/adapters/cloudwatch-http';
import { CloudWatchMetricData } from '../../shared/adapters/cloudwatch-metric-data';
import { DynamoEvalStateStore } from '../../shared/adapters/dynamo-eval-state-store';
import { wireAlertPath } from '../../shared/adapters/alert-path-wiring';
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
import { createRuleEvaluatorHandler, EVALUATOR_METRICS } from './create-handler';

// Clients and config once per container.
const config = loadRuntimeConfig();
const aws = leanAwsFromEnv({ around: traceAwsCalls });
const tableName = requireEnv('ALERT_TABLE_NAME');
const clock = (): number => Date.now();
const metrics = new Metrics({
  namespace: EVALUATOR_METRICS.namespace,
  serviceName: EVALUATOR_METRICS.service,
});

const wiring = wireAlertPath({ config, aws, tableName, clock, log: powertoolsLog(logger) });

/** Rule evaluator: GetMetricData for every scheduled rule, transitions into the alert path. */
export const handler = middy(
  createRuleEvaluatorHandler({
    config,
    store: wiring.store,
    signals: wiring.signals,
    signalBacklog: wiring.signalBacklog,
    evalStates: new DynamoEvalStateStore(wiring.doc, tableName),
    metrics: new CloudWatchMetricData(httpGetMetricData(createCloudWatchCall(aws)), {
      timeoutMs: config.evaluator.timeoutSeconds * 1000,
    }),
    isSilenced: wiring.isSilenced,
    isSmsPaused: wiring.isSmsPaused,
    stormingRoutes: wiring.stormingRoutes,
    stormLikely: wiring.stormLikely,
    publisher: wiring.publisher,
    clock,
    traceId: rootTraceId,
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
