import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { CloudWatchAlarmStates } from '../../shared/adapters/cloudwatch-alarm-states';
import { cloudWatchSmsSpend } from '../../shared/adapters/sms-spend';
import { actionLinksFromEnv } from '../../shared/adapters/action-links';
import { wireAlertPath } from '../../shared/adapters/alert-path-wiring';
import { requireEnv } from '../../shared/adapters/env';
import { logger, powertoolsLog, tracer } from '../../shared/adapters/observability';
import { loadRuntimeConfig } from '../../shared/adapters/runtime-config-source';
import { channelAttributes, SnsPublisher, topicArnsFromEnv } from '../../shared/adapters/sns-publisher';
import { createTickHandler, TICK_METRICS } from './create-handler';

const config = loadRuntimeConfig();
const dynamo = tracer.captureAWSv3Client(new DynamoDBClient({}));
const doc = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
const tableName = requireEnv('ALERT_TABLE_NAME');
const sns = tracer.captureAWSv3Client(new SNSClient({}));
const cloudwatch = tracer.captureAWSv3Client(new CloudWatchClient({}));
const clock = (): number => Date.now();
const { store, groups, incidents } = wireAlertPath({ config, doc, tableName, clock });
const metrics = new Metrics({ namespace: TICK_METRICS.namespace, serviceName: TICK_METRICS.service });

/** Tick: the every-minute sweep of due work. */
export const handler = middy(
  createTickHandler({
    config,
    store,
    incidents,
    groups,
    alarmStates: new CloudWatchAlarmStates(cloudwatch),
    smsSpend: cloudWatchSmsSpend(cloudwatch, () => Date.now()),
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
    clock: () => Date.now(),
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
