import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import { CloudWatchAlarmStates } from '../../shared/adapters/cloudwatch-alarm-states';
import { cloudWatchSmsSpend } from '../../shared/adapters/sms-spend';
import { DynamoAlertStore } from '../../shared/adapters/dynamo-alert-store';
import { DynamoGroupStore } from '../../shared/adapters/dynamo-group-store';
import { requireEnv } from '../../shared/adapters/env';
import { INCIDENT_METRICS } from '../../shared/adapters/incident-metrics';
import { createIncidentHooksFromEnv } from '../../shared/adapters/incident-wiring';
import { logger, powertoolsLog, tracer } from '../../shared/adapters/observability';
import { loadRuntimeConfig } from '../../shared/adapters/runtime-config-source';
import { channelAttributes, SnsPublisher, topicArnsFromEnv } from '../../shared/adapters/sns-publisher';
import { createTickHandler } from './create-handler';

const config = loadRuntimeConfig();
const dynamo = tracer.captureAWSv3Client(new DynamoDBClient({}));
const doc = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
const tableName = requireEnv('ALERT_TABLE_NAME');
const sns = tracer.captureAWSv3Client(new SNSClient({}));
const cloudwatch = tracer.captureAWSv3Client(new CloudWatchClient({}));
const store = new DynamoAlertStore(doc, { tableName, historyRetentionDays: config.historyRetentionDays });
const incidents = createIncidentHooksFromEnv({
  config,
  doc,
  tableName,
  alerts: store,
  clock: () => Date.now(),
  log: powertoolsLog(logger),
  metrics: new Metrics({ namespace: INCIDENT_METRICS.namespace }),
  capture: (client) => tracer.captureAWSv3Client(client),
});

/** Tick: the every-minute sweep of due work. */
export const handler = middy(
  createTickHandler({
    config,
    store,
    incidents,
    groups: new DynamoGroupStore(doc, tableName),
    alarmStates: new CloudWatchAlarmStates(cloudwatch),
    smsSpend: cloudWatchSmsSpend(cloudwatch, () => Date.now()),
    publisher: new SnsPublisher(sns, topicArnsFromEnv(), channelAttributes(config.smsSenderId)),
    clock: () => Date.now(),
    log: powertoolsLog(logger),
  }),
)
  .use(injectLambdaContext(logger))
  .use(captureLambdaHandler(tracer));
