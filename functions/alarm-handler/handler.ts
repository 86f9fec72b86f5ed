import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import { DynamoAlertStore } from '../../shared/adapters/dynamo-alert-store';
import { DynamoGroupStore } from '../../shared/adapters/dynamo-group-store';
import { requireEnv } from '../../shared/adapters/env';
import { INCIDENT_METRICS } from '../../shared/adapters/incident-metrics';
import { createIncidentHooksFromEnv } from '../../shared/adapters/incident-wiring';
import { logger, powertoolsLog, tracer } from '../../shared/adapters/observability';
import { loadRuntimeConfig } from '../../shared/adapters/runtime-config-source';
import { channelAttributes, SnsPublisher, topicArnsFromEnv } from '../../shared/adapters/sns-publisher';
import { SqsDeadLetterSink } from '../../shared/adapters/sqs-dead-letter';
import { createSilenceCheck } from '../../shared/domain/silence';
import { createCachedFlag } from '../../shared/domain/sms-budget';
import { createAlarmHandler } from './create-handler';

// Clients and config once per container.
const config = loadRuntimeConfig();
const dynamo = tracer.captureAWSv3Client(new DynamoDBClient({}));
const sns = tracer.captureAWSv3Client(new SNSClient({}));
const sqs = tracer.captureAWSv3Client(new SQSClient({}));
const doc = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
const tableName = requireEnv('ALERT_TABLE_NAME');
const groups = new DynamoGroupStore(doc, tableName);
const clock = (): number => Date.now();
const store = new DynamoAlertStore(doc, { tableName, historyRetentionDays: config.historyRetentionDays });
const incidents = createIncidentHooksFromEnv({
  config,
  doc,
  tableName,
  alerts: store,
  clock,
  log: powertoolsLog(logger),
  metrics: new Metrics({ namespace: INCIDENT_METRICS.namespace }),
  capture: (client) => tracer.captureAWSv3Client(client),
});

/** Alarm handler: CloudWatch alarm actions, EventBridge alarm events, SNS alarm messages. */
export const handler = middy(
  createAlarmHandler({
    config,
    store,
    incidents,
    isSilenced: createSilenceCheck((now) => groups.listSilences(now, 0), clock),
    isSmsPaused: createCachedFlag(async () => (await groups.getTickState())?.smsPaused === true, clock),
    publisher: new SnsPublisher(sns, topicArnsFromEnv(), channelAttributes(config.smsSenderId)),
    deadLetter: new SqsDeadLetterSink(sqs, requireEnv('DEAD_LETTER_QUEUE_URL')),
    clock,
    traceId: () => tracer.getRootXrayTraceId(),
    log: powertoolsLog(logger),
  }),
)
  .use(injectLambdaContext(logger))
  .use(captureLambdaHandler(tracer));
