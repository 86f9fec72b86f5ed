import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { actionLinksFromEnv } from '../../shared/adapters/action-links';
import { wireAlertPath } from '../../shared/adapters/alert-path-wiring';
import { CloudWatchMetricData } from '../../shared/adapters/cloudwatch-metric-data';
import { requireEnv } from '../../shared/adapters/env';
import { logger, powertoolsLog, tracer } from '../../shared/adapters/observability';
import { loadRuntimeConfig } from '../../shared/adapters/runtime-config-source';
import { channelAttributes, SnsPublisher, topicArnsFromEnv } from '../../shared/adapters/sns-publisher';
import { SqsDeadLetterSink } from '../../shared/adapters/sqs-dead-letter';
import { createAlarmHandler } from './create-handler';

// Clients and config once per container.
const config = loadRuntimeConfig();
const dynamo = tracer.captureAWSv3Client(new DynamoDBClient({}));
const sns = tracer.captureAWSv3Client(new SNSClient({}));
const sqs = tracer.captureAWSv3Client(new SQSClient({}));
const cloudwatch = tracer.captureAWSv3Client(new CloudWatchClient({}));
const doc = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
const tableName = requireEnv('ALERT_TABLE_NAME');
const clock = (): number => Date.now();
const { store, incidents, isSilenced, isSmsPaused, stormingRoutes } = wireAlertPath({
  config,
  doc,
  tableName,
  clock,
});

/** Alarm handler: CloudWatch alarm actions, EventBridge alarm events, SNS alarm messages. */
export const handler = middy(
  createAlarmHandler({
    config,
    store,
    incidents,
    isSilenced,
    isSmsPaused,
    stormingRoutes,
    // Severity ladders: one retry on throttling, all of it within the budget before the page.
    severityMetrics: new CloudWatchMetricData(cloudwatch, {
      timeoutMs: config.severityBudgetMs,
      maxAttempts: 2,
      baseDelayMs: 50,
    }),
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
    deadLetter: new SqsDeadLetterSink(sqs, requireEnv('DEAD_LETTER_QUEUE_URL')),
    clock,
    traceId: () => tracer.getRootXrayTraceId(),
    log: powertoolsLog(logger),
  }),
)
  .use(injectLambdaContext(logger))
  .use(captureLambdaHandler(tracer));
