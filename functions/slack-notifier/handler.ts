import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { DynamoDeliveryLedger } from '../../shared/adapters/delivery-ledger';
import { optionalEnv, requireEnv } from '../../shared/adapters/env';
import { logger, powertoolsLog, tracer } from '../../shared/adapters/observability';
import { createSecretReader, createSecretsProvider, isHttpUrl } from '../../shared/adapters/secrets';
import { SqsDeadLetterSink } from '../../shared/adapters/sqs-dead-letter';
import { createSlackNotifier, SLACK_ACTION_BUTTONS_ENV } from './notifier';

export { createSlackNotifier } from './notifier';

const tableName = requireEnv('ALERT_TABLE_NAME');
const secretArn = requireEnv('SLACK_WEBHOOK_SECRET_ARN');
const queueUrl = requireEnv('DEAD_LETTER_QUEUE_URL');

const dynamo = tracer.captureAWSv3Client(new DynamoDBClient({}));
const secretsManager = tracer.captureAWSv3Client(new SecretsManagerClient({}));
const sqs = tracer.captureAWSv3Client(new SQSClient({}));

/** Slack forwarder: SNS slack topic -> Slack incoming webhook. */
export const handler = middy(
  createSlackNotifier({
    webhookUrl: createSecretReader({
      secretId: secretArn,
      label: 'Slack webhook',
      maxAgeSeconds: Number(optionalEnv('SECRET_MAX_AGE_SECONDS') ?? '300'),
      isValid: isHttpUrl,
      provider: createSecretsProvider(secretsManager),
    }),
    ledger: new DynamoDeliveryLedger(DynamoDBDocumentClient.from(dynamo), { tableName }),
    deadLetter: new SqsDeadLetterSink(sqs, queueUrl),
    log: powertoolsLog(logger),
    clock: () => Date.now(),
    links: {
      consoleRegion: optionalEnv('CONSOLE_REGION'),
      dashboardUrl: optionalEnv('DASHBOARD_URL'),
      actionButtons: optionalEnv(SLACK_ACTION_BUTTONS_ENV) === 'true',
    },
  }),
)
  .use(injectLambdaContext(logger))
  .use(captureLambdaHandler(tracer));
