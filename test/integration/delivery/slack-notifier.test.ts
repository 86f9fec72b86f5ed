import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { createSlackNotifier } from '../../../functions/slack-notifier/notifier';
import type { DynamoDeliveryLedger } from '../../../shared/adapters/delivery-ledger';
import { ChannelDeliveryError } from '../../../shared/delivery/errors';
import type { RunningDynalite } from '../../support/dynalite';
import { startHttpReceiver, type HttpReceiver } from '../../support/http-receiver';
import { aNotification, criticalFiring } from '../../fixtures/delivery/notifications';
import {
  NOW,
  MemoryDeadLetters,
  MemoryLog,
  context,
  fastClient,
  ledgerItem,
  secretReader,
  snsEvent,
  startLedger,
} from './harness';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vigil/slack-webhook-AbCdEf';
const secrets = mockClient(SecretsManagerClient);

describe('slack notifier against a local webhook', () => {
  let db: RunningDynalite;
  let ledger: DynamoDeliveryLedger;
  let slack: HttpReceiver;
  let seq = 0;

  beforeAll(async () => {
    ({ db, ledger } = await startLedger());
    slack = await startHttpReceiver();
  });

  afterAll(async () => {
    await slack.stop();
    await db.stop();
  });

  beforeEach(() => {
    slack.reset();
    secrets.reset();
    secrets
      .on(GetSecretValueCommand, { SecretId: SECRET_ARN })
      .resolves({ SecretString: `${slack.url}/services/T0/B0/tok` });
  });

  function arrange(policy?: Parameters<typeof fastClient>[0]) {
    seq += 1;
    const notification = aNotification({ id: `ntf-slack-${seq}` });
    const deadLetters = new MemoryDeadLetters();
    const log = new MemoryLog();
    const client = fastClient(policy);
    const notify = createSlackNotifier({
      webhookUrl: secretReader(SECRET_ARN, 'Slack webhook'),
      ledger,
      deadLetter: deadLetters,
      log,
      clock: () => NOW,
      post: client.post,
    });
    return { notification, deadLetters, log, waits: client.waits, notify };
  }

  it('posts the Block Kit message to the webhook once', async () => {
    // Arrange
    const { notification, notify } = arrange();

    // Act
    const report = await notify(snsEvent(notification), context);

    // Assert
    expect(report).toEqual({ delivered: 1, duplicates: 0, skipped: 0, rejected: 0 });
    expect(slack.requests).toHaveLength(1);
    const [request] = slack.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/services/T0/B0/tok');
    expect(request?.headers['content-type']).toBe('application/json');
    const body: unknown = JSON.parse(request?.body ?? '');
    expect(body).toMatchObject({ attachments: [{ color: '#D92D20' }] });
    expect(await ledgerItem(db, 'slack', notification.id)).toMatchObject({ state: 'delivered' });
  });

  it('waits for Retry-After seconds on 429, then succeeds', async () => {
    // Arrange
    const { notification, notify, waits } = arrange();
    slack.script({ status: 429, body: 'rate_limited', headers: { 'retry-after': '2' } });

    // Act
    const report = await notify(snsEvent(notification), context);

    // Assert
    expect(report.delivered).toBe(1);
    expect(slack.requests).toHaveLength(2);
    expect(waits).toEqual([2_000]);
  });

  it('honours Retry-After given as an HTTP date', async () => {
    // Arrange
    const { notification, notify, waits } = arrange();
    slack.script({ status: 429, headers: { 'retry-after': new Date(NOW + 3_000).toUTCString() } });

    // Act
    await notify(snsEvent(notification), context);

    // Assert
    expect(waits).toEqual([3_000]);
    expect(slack.requests).toHaveLength(2);
  });

  it('gives a Retry-After beyond the cap back to the invoker instead of waiting', async () => {
    // Arrange
    const { notification, notify, waits } = arrange();
    slack.script({ status: 429, headers: { 'retry-after': '3600' } });

    // Act
    const outcome = notify(snsEvent(notification), context);

    // Assert
    await expect(outcome).rejects.toMatchObject({ code: 'RATE_LIMITED', retryable: true });
    expect(waits).toEqual([]);
    expect(slack.requests).toHaveLength(1);
    expect(await ledgerItem(db, 'slack', notification.id)).toBeUndefined();
  });

  it('retries 500 twice with growing jittered backoff, then succeeds', async () => {
    // Arrange
    const { notification, notify, waits } = arrange();
    slack.script({ status: 500, body: 'rollup_error' }, { status: 503 });

    // Act
    const report = await notify(snsEvent(notification), context);

    // Assert
    expect(report.delivered).toBe(1);
    expect(slack.requests).toHaveLength(3);
    // random() = 0.5 of ceilings 100 and 200 ms.
    expect(waits).toEqual([50, 100]);
  });

  it('does not retry a 400, dead-letters it with the reason and records it', async () => {
    // Arrange
    const { notification, notify, deadLetters } = arrange();
    slack.script({ status: 400, body: 'invalid_payload' });

    // Act
    const report = await notify(snsEvent(notification), context);

    // Assert
    expect(report).toEqual({ delivered: 0, duplicates: 0, skipped: 0, rejected: 1 });
    expect(slack.requests).toHaveLength(1);
    expect(deadLetters.records).toHaveLength(1);
    expect(deadLetters.records[0]).toMatchObject({
      code: 'REJECTED',
      reason: 'invalid_payload',
      source: 'slack-notifier',
      payload: { snsMessageId: `msg-${notification.id}`, notification: { id: notification.id } },
    });
    expect(await ledgerItem(db, 'slack', notification.id)).toEqual({
      state: 'rejected',
      code: 'REJECTED',
      reason: 'invalid_payload',
    });
  });

  it('records channel_not_found (404) as permanent and does not post it again on redelivery', async () => {
    // Arrange
    const { notification, notify, deadLetters } = arrange();
    slack.script({ status: 404, body: 'channel_not_found' });
    await notify(snsEvent(notification), context);

    // Act
    const again = await notify(snsEvent(notification), context);

    // Assert
    expect(again.duplicates).toBe(1);
    expect(slack.requests).toHaveLength(1);
    expect(deadLetters.records.map((r) => r.reason)).toEqual(['channel_not_found']);
  });

  it('times out a hung connection and retries it', async () => {
    // Arrange
    const { notification, notify } = arrange();
    slack.script({ hang: true });

    // Act
    const report = await notify(snsEvent(notification), context);

    // Assert
    expect(report.delivered).toBe(1);
    expect(slack.requests).toHaveLength(2);
  });

  it('throws a retryable TIMEOUT when every attempt hangs, and frees the claim for the retry', async () => {
    // Arrange
    const { notification, notify } = arrange({ ...FAST_ONE_ATTEMPT });
    slack.script({ hang: true });
    const started = Date.now();

    // Act
    const outcome = notify(snsEvent(notification), context);

    // Assert
    const error: unknown = await outcome.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChannelDeliveryError);
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true });
    // Generous bound: the 400 ms attempt timeout fired long before the receiver would ever answer.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await ledgerItem(db, 'slack', notification.id)).toBeUndefined();
  });

  it('posts once when SNS delivers the same message twice', async () => {
    // Arrange
    const { notification, notify } = arrange();
    const event = snsEvent(notification);

    // Act
    const first = await notify(event, context);
    const second = await notify(event, context);

    // Assert
    expect(first.delivered).toBe(1);
    expect(second).toEqual({ delivered: 0, duplicates: 1, skipped: 0, rejected: 0 });
    expect(slack.requests).toHaveLength(1);
  });

  it('posts once when two deliveries of the same notification race', async () => {
    // Arrange
    const { notification, notify } = arrange();

    // Act
    const outcomes = await Promise.allSettled([
      notify(snsEvent(notification, 'm-1'), context),
      notify(snsEvent(notification, 'm-2'), context),
    ]);

    // Assert
    expect(slack.requests).toHaveLength(1);
    const rejected = outcomes.filter((o) => o.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ reason: { code: 'IN_PROGRESS', retryable: true } });
  });

  it('dead-letters a message that is not a notification without posting', async () => {
    // Arrange
    const { notify, deadLetters } = arrange();
    const event = snsEvent(criticalFiring, 'm-bad');
    const record = (event as { Records: { Sns: { Message: string } }[] }).Records[0];
    if (record) record.Sns.Message = '{"id":"x"}';

    // Act
    const report = await notify(event, context);

    // Assert
    expect(report.rejected).toBe(1);
    expect(slack.requests).toHaveLength(0);
    expect(deadLetters.records[0]).toMatchObject({ code: 'INVALID_NOTIFICATION' });
  });

  it('reads the webhook secret once and caches it across invocations', async () => {
    // Arrange
    const { notify } = arrange();

    // Act
    await notify(snsEvent(aNotification({ id: 'ntf-cache-1' })), context);
    await notify(snsEvent(aNotification({ id: 'ntf-cache-2' })), context);

    // Assert
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(slack.requests).toHaveLength(2);
  });

  it('refuses to post while the secret holds its placeholder', async () => {
    // Arrange
    const { notification, notify } = arrange();
    secrets.reset();
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'REPLACE_ME with the Slack webhook URL' });

    // Act
    const outcome = notify(snsEvent(notification), context);

    // Assert
    await expect(outcome).rejects.toMatchObject({
      name: 'SecretUnavailableError',
      code: 'SECRET_UNAVAILABLE',
    });
    expect(slack.requests).toHaveLength(0);
  });
});

const FAST_ONE_ATTEMPT = {
  maxAttempts: 1,
  attemptTimeoutMs: 400,
  baseDelayMs: 100,
  maxDelayMs: 1_000,
  maxRetryAfterMs: 5_000,
};
