// Every log line, error and dead letter the forwarders produce, across success and failure paths,
// is captured and searched for the secret values.
import { Logger } from '@aws-lambda-powertools/logger';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { createPagerDutyNotifier } from '../../../functions/pagerduty-notifier/notifier';
import { createSlackNotifier } from '../../../functions/slack-notifier/notifier';
import { powertoolsLog } from '../../../shared/adapters/observability';
import type { DynamoDeliveryLedger } from '../../../shared/adapters/delivery-ledger';
import type { RunningDynalite } from '../../support/dynalite';
import { startHttpReceiver, type HttpReceiver } from '../../support/http-receiver';
import { aNotification } from '../../fixtures/delivery/notifications';
import { NOW, MemoryDeadLetters, context, fastClient, secretReader, snsEvent, startLedger } from './harness';

const SLACK_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vigil/slack-AbCdEf';
const PD_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vigil/pagerduty-AbCdEf';
const SLACK_TOKEN_PATH = '/services/T0SECRET/B0SECRET/xoxSlackWebhookToken123';
const ROUTING_KEY = 'pdSecretRoutingKey00000000000042';
const secrets = mockClient(SecretsManagerClient);

describe('secrets never leave the forwarders', () => {
  let db: RunningDynalite;
  let ledger: DynamoDeliveryLedger;
  let peer: HttpReceiver;
  let output: string[];
  let restore: (() => void)[];
  let seq = 0;

  beforeAll(async () => {
    ({ db, ledger } = await startLedger());
    peer = await startHttpReceiver();
  });

  afterAll(async () => {
    await peer.stop();
    await db.stop();
  });

  beforeEach(() => {
    peer.reset();
    secrets.reset();
    secrets
      .on(GetSecretValueCommand, { SecretId: SLACK_ARN })
      .resolves({ SecretString: `${peer.url}${SLACK_TOKEN_PATH}` });
    secrets.on(GetSecretValueCommand, { SecretId: PD_ARN }).resolves({ SecretString: ROUTING_KEY });
    output = [];
    const capture = (chunk: unknown): boolean => {
      output.push(String(chunk));
      return true;
    };
    const spies = [
      jest.spyOn(process.stdout, 'write').mockImplementation(capture),
      jest.spyOn(process.stderr, 'write').mockImplementation(capture),
      ...(['log', 'info', 'warn', 'error', 'debug'] as const).map((m) =>
        jest
          .spyOn(console, m)
          .mockImplementation((...args: unknown[]) => void output.push(args.map(String).join(' '))),
      ),
    ];
    restore = spies.map((s) => () => s.mockRestore());
  });

  afterEach(() => {
    for (const r of restore) r();
  });

  it('no secret appears in logs, errors or dead letters on any path', async () => {
    // Arrange: a DEBUG logger writing to the captured streams, and a peer that echoes the secrets back.
    const log = powertoolsLog(new Logger({ serviceName: 'secret-hygiene', logLevel: 'DEBUG' }));
    const deadLetters = new MemoryDeadLetters();
    const common = { ledger, deadLetter: deadLetters, log, clock: () => NOW };
    const slack = createSlackNotifier({
      ...common,
      webhookUrl: secretReader(SLACK_ARN, 'Slack webhook'),
      post: fastClient({ ...fastPolicy, maxAttempts: 2 }).post,
    });
    const pagerduty = createPagerDutyNotifier({
      ...common,
      routingKey: secretReader(PD_ARN, 'PagerDuty routing key'),
      post: fastClient({ ...fastPolicy, maxAttempts: 2 }).post,
      eventsUrl: `${peer.url}/v2/enqueue`,
    });
    const echo = `invalid_token for ${peer.url}${SLACK_TOKEN_PATH} key=${ROUTING_KEY}`;
    peer.script(
      { status: 200, body: 'ok' },
      { status: 400, body: echo },
      { status: 500, body: echo },
      { status: 500, body: echo },
      { hang: true },
      { hang: true },
      { status: 202, body: '{}' },
      { status: 400, body: JSON.stringify({ message: echo, errors: [echo] }) },
      { status: 503, body: echo },
      { status: 503, body: echo },
    );
    const next = (channel: 'slack' | 'pagerduty') =>
      snsEvent(aNotification({ id: `ntf-h-${(seq += 1)}`, channel }));
    const errors: unknown[] = [];

    // Act
    for (let i = 0; i < 4; i += 1) await slack(next('slack'), context).catch((e: unknown) => errors.push(e));
    for (let i = 0; i < 3; i += 1)
      await pagerduty(next('pagerduty'), context).catch((e: unknown) => errors.push(e));

    // Assert
    expect(peer.requests.length).toBe(10);
    expect(errors.length).toBe(3);
    expect(deadLetters.records.length).toBe(2);
    const logText = output.join('\n');
    expect(logText).toContain('Notification delivered');
    expect(logText).toContain('Notification rejected by the channel');
    const errorText = errors
      .map((e) =>
        e instanceof Error
          ? `${e.message} ${String(e.cause)} ${JSON.stringify(e)} ${e.stack ?? ''}`
          : String(e),
      )
      .join('\n');
    const everything = [logText, errorText, JSON.stringify(deadLetters.records)].join('\n');
    for (const secret of [ROUTING_KEY, SLACK_TOKEN_PATH, 'xoxSlackWebhookToken123', `${peer.url}/services`]) {
      expect(everything).not.toContain(secret);
    }
  });

  it('keeps the routing key and webhook URL out of an unreachable-peer error', async () => {
    // Arrange: a port nothing listens on.
    const closed = await startHttpReceiver();
    await closed.stop();
    secrets.reset();
    secrets.on(GetSecretValueCommand).resolves({ SecretString: `${closed.url}${SLACK_TOKEN_PATH}` });
    const notify = createSlackNotifier({
      ledger,
      deadLetter: new MemoryDeadLetters(),
      log: powertoolsLog(new Logger({ serviceName: 'secret-hygiene', logLevel: 'DEBUG' })),
      clock: () => NOW,
      webhookUrl: secretReader(SLACK_ARN, 'Slack webhook'),
      post: fastClient({ ...fastPolicy, maxAttempts: 1 }).post,
    });

    // Act
    const error: unknown = await notify(snsEvent(aNotification({ id: 'ntf-h-closed' })), context).catch(
      (e: unknown) => e,
    );

    // Assert
    expect(error).toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
    const text = `${String(error)} ${error instanceof Error ? String(error.cause) : ''} ${output.join('\n')}`;
    expect(text).not.toContain(SLACK_TOKEN_PATH);
    expect(text).not.toContain(closed.url);
  });
});

const fastPolicy = {
  maxAttempts: 4,
  attemptTimeoutMs: 300,
  baseDelayMs: 10,
  maxDelayMs: 50,
  maxRetryAfterMs: 1_000,
};
