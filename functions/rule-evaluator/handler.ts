/** Lambda entry: the scheduled rule evaluator, every minute from EventBridge. */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { CloudWatchMetricData } from '../../shared/adapters/cloudwatch-metric-data';
import { DynamoEvalStateStore } from '../../shared/adapters/dynamo-eval-state-store';
import { wireAlertPath } from '../../shared/adapters/alert-path-wiring';
import { requireEnv } from '../../shared/adapters/env';
import { logger, powertoolsLog, tracer } from '../../shared/adapters/observability';
import { loadRuntimeConfig } from '../../shared/adapters/runtime-config-source';
import { actionLinksFromEnv } from '../../shared/adapters/action-links';
import { channelAttributes, SnsPublisher, topicArnsFromEnv } from '../../shared/adapters/sns-publisher';
import { createRuleEvaluatorHandler, EVALUATOR_METRICS } from './create-handler';

// Clients and config once per container.
const config = loadRuntimeConfig();
const dynamo = tracer.captureAWSv3Client(new DynamoDBClient({}));
const doc = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
const sns = tracer.captureAWSv3Client(new SNSClient({}));
const cloudwatch = tracer.captureAWSv3Client(new CloudWatchClient({}));
const tableName = requireEnv('ALERT_TABLE_NAME');
const clock = (): number => Date.now();
const metrics = new Metrics({
  namespace: EVALUATOR_METRICS.namespace,
  serviceName: EVALUATOR_METRICS.service,
});

const { store, incidents, isSilenced, isSmsPaused, stormingRoutes } = wireAlertPath({
  config,
  doc,
  tableName,
  clock,
});

/** Rule evaluator: GetMetricData for every scheduled rule, transitions into the alert path. */
export const handler = middy(
  createRuleEvaluatorHandler({
    config,
    store,
    incidents,
    evalStates: new DynamoEvalStateStore(doc, tableName),
    metrics: new CloudWatchMetricData(cloudwatch, { timeoutMs: config.evaluator.timeoutSeconds * 1000 }),
    isSilenced,
    isSmsPaused,
    stormingRoutes,
    publisher: new SnsPublisher(
      sns,
      topicArnsFromEnv(),
      channelAttributes(config.smsSenderId),
      actionLinksFromEnv({
        config,
        clock,
        log: powertoolsLog(logger),
        capture: (c) => tracer.captureAWSv3Client(c),
      }),
    ),
    clock,
    traceId: () => tracer.getRootXrayTraceId(),
    log: powertoolsLog(logger),
    sink: {
      count: (name, value) => metrics.addMetric(name, MetricUnit.Count, value),
      milliseconds: (name, value) => metrics.addMetric(name, MetricUnit.Milliseconds, value),
    },
  }),
)
  .use(injectLambdaContext(logger))
  .use(captureLambdaHandler(tracer))
  .use(logMetrics(metrics));
