// The deployed entry point, wired with real adapters: middy + Powertools, the lean clients at module
// scope speaking signed HTTP, dynalite as DynamoDB, a local webhook, and a local HTTP stand-in for
// Secrets Manager and SQS.
import type { Context } from 'aws-lambda';
import { aNotification } from '../../fixtures/delivery/notifications';
import type { RunningDynalite } from '../../support/dynalite';
import { startHttpReceiver, type HttpReceiver } from '../../support/http-receiver';
import type { LocalAws } from '../../support/local-aws';
import { startLocalAws } from '../../support/local-aws';
import { TABLE, ledgerItem, snsEvent, startLedger } from './harness';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vigil/slack-webhook-AbCdEf';
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/vigil-slack-dlq';

function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'vigil-slack-notifier',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:vigil-slack-notifier',
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/vigil-slack-notifier',
    logStreamName: '2026/11/26/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

describe('slack-notifier handler wiring', () => {
  let db: RunningDynalite;
  let slack: HttpReceiver;
  let aws: LocalAws;
  let handler: (event: unknown, context: Context) => Promise<unknown>;

  beforeAll(async () => {
    ({ db } = await startLedger());
    slack = await startHttpReceiver();
    aws = await startLocalAws();
    aws.record = true;
    process.env['ALERT_TABLE_NAME'] = TABLE;
    process.env['AWS_ENDPOINT_URL_SECRETS_MANAGER'] = aws.url;
    process.env['AWS_ENDPOINT_URL_SQS'] = aws.url;
    process.env['SLACK_WEBHOOK_SECRET_ARN'] = SECRET_ARN;
    process.env['DEAD_LETTER_QUEUE_URL'] = QUEUE_URL;
    process.env['AWS_ENDPOINT_URL_DYNAMODB'] = db.endpoint;
    ({ handler } = await import('../../../functions/slack-notifier/handler'));
  });

  afterAll(async () => {
    delete process.env['AWS_ENDPOINT_URL_DYNAMODB'];
    delete process.env['AWS_ENDPOINT_URL_SECRETS_MANAGER'];
    delete process.env['AWS_ENDPOINT_URL_SQS'];
    await aws.stop();
    await slack.stop();
    await db.stop();
  });

  beforeEach(() => {
    slack.reset();
    aws.requests.length = 0;
    aws.secretString = `${slack.url}/services/T/B/x`;
  });

  it('delivers through the middy-wrapped handler and records the delivery in DynamoDB', async () => {
    // Arrange
    const n = aNotification({ id: 'ntf-wired-1' });

    // Act
    const report = await handler(snsEvent(n), lambdaContext());

    // Assert
    expect(report).toEqual({ delivered: 1, duplicates: 0, skipped: 0, rejected: 0 });
    expect(slack.requests).toHaveLength(1);
    expect(await ledgerItem(db, 'slack', n.id)).toMatchObject({ state: 'delivered' });
  });

  it('sends a rejected notification to the SQS dead-letter queue with its reason', async () => {
    // Arrange
    slack.script({ status: 410, body: 'channel_is_archived' });
    const n = aNotification({ id: 'ntf-wired-2' });

    // Act
    const report = await handler(snsEvent(n), lambdaContext());

    // Assert
    expect(report).toMatchObject({ rejected: 1 });
    const sent = aws.requests
      .filter((r) => r.operation === 'aws:SendMessage')
      .map((r) => JSON.parse(r.body) as { QueueUrl: string; MessageBody: string });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      QueueUrl: QUEUE_URL,
      MessageAttributes: { code: { DataType: 'String', StringValue: 'REJECTED' } },
    });
    expect(JSON.parse(sent[0]?.MessageBody ?? '')).toMatchObject({
      reason: 'channel_is_archived',
      source: 'slack-notifier',
    });
  });
});
