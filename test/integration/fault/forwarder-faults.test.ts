// Fault scenarios of the Slack and PagerDuty forwarders: the real forwarders, the dynalite ledger
// and a local peer that answers 429 with Retry-After, 5xx, or never. Each notification is also
// redelivered by SNS. The peer's log decides what was delivered; the scenario knows which answers
// came after the peer had already taken the message (the only source of duplicates it accepts).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { createPagerDutyNotifier } from '../../../functions/pagerduty-notifier/notifier';
import { createSlackNotifier } from '../../../functions/slack-notifier/notifier';
import type { DynamoDeliveryLedger } from '../../../shared/adapters/delivery-ledger';
import type { ForwardReport } from '../../../shared/delivery/forwarder';
import type { Notification } from '../../../shared/domain/notification';
import { aNotification } from '../../fixtures/delivery/notifications';
import type { RunningDynalite } from '../../support/dynalite';
import { DeliveryTally, rowFromTally } from '../../support/fault-tally';
import type { HttpReceiver, ScriptedResponse } from '../../support/http-receiver';
import { startHttpReceiver } from '../../support/http-receiver';
import {
  context,
  fastClient,
  MemoryDeadLetters,
  MemoryLog,
  NOW,
  secretReader,
  snsEvent,
  startLedger,
} from '../delivery/harness';
import { invokeAsync } from './alarm-fault-kit';

const SUITE = 'forwarders';
const SLACK_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vigil/slack-webhook-Fault1';
const PD_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vigil/pagerduty-key-Fault2';
const secrets = mockClient(SecretsManagerClient);

/** A scripted answer and whether the peer had taken the message before answering it. */
interface Answer {
  readonly response: ScriptedResponse;
  readonly taken: boolean;
  readonly fault: boolean;
}

const ok = (status: number): Answer => ({ response: { status, body: 'ok' }, taken: true, fault: false });
const fault = (response: ScriptedResponse, taken = false): Answer => ({ response, taken, fault: true });

/** The fault script both forwarders face, in request order; past its end the peer answers `fallback`. */
function faultScript(): Answer[] {
  return [
    fault({ status: 429, body: 'rate_limited', headers: { 'retry-after': '1' } }),
    ok(200),
    fault({ status: 500, body: 'internal_error' }),
    fault({ status: 503, body: 'service_unavailable' }),
    ok(200),
    fault({ hang: true }),
    ok(200),
    fault({ status: 429, body: 'rate_limited', headers: { 'retry-after': '3600' } }),
    ok(200),
    fault({ status: 502, body: 'bad gateway' }, true),
    ok(200),
    fault({ status: 504, body: 'gateway timeout' }),
    fault({
      status: 429,
      body: 'rate_limited',
      headers: { 'retry-after': new Date(NOW + 2_000).toUTCString() },
    }),
    ok(200),
    fault({ status: 500, body: 'internal_error' }, true),
    ok(200),
  ];
}

let db: RunningDynalite;
let ledger: DynamoDeliveryLedger;
let peer: HttpReceiver;

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
    .on(GetSecretValueCommand, { SecretId: SLACK_SECRET })
    .resolves({ SecretString: `${peer.url}/services/T0/B0/x` });
  secrets
    .on(GetSecretValueCommand, { SecretId: PD_SECRET })
    .resolves({ SecretString: 'r0ut1ngk3y0000000000000000000077' });
});

/** Runs every notification through the forwarder twice (SNS redelivers), with Lambda's retries. */
async function forwardAll(
  notify: (event: unknown) => Promise<ForwardReport>,
  notifications: readonly Notification[],
): Promise<{ deadLettered: number; retried: number }> {
  let deadLettered = 0;
  let retried = 0;
  for (const n of notifications) {
    for (const copy of [1, 2]) {
      const outcome = await invokeAsync(() => notify(snsEvent(n, `sns-${n.id}-${copy}`)));
      if (outcome.deadLettered) deadLettered++;
      if (outcome.attempts > 1) retried++;
    }
  }
  return { deadLettered, retried };
}

/** Tallies what the peer took: a request counts when its answer came after the peer took it. */
function tallyPeer(tally: DeliveryTally, answers: readonly Answer[], fallbackTaken: boolean): void {
  peer.requests.forEach((request, i) => {
    const taken = answers[i]?.taken ?? fallbackTaken;
    const marker = /fault-ntf-\w+/.exec(request.body)?.[0];
    if (taken && marker) tally.saw(marker);
  });
}

describe('forwarders under peer faults', () => {
  it.each([
    ['slack', 12],
    ['pagerduty', 12],
  ] as const)('%s: 429 with Retry-After, 5xx, timeouts and SNS redelivery', async (channel, count) => {
    // Arrange
    const { post } = fastClient();
    const deadLetters = new MemoryDeadLetters();
    const common = { ledger, deadLetter: deadLetters, log: new MemoryLog(), clock: () => NOW, post };
    const forwarder =
      channel === 'slack'
        ? createSlackNotifier({ ...common, webhookUrl: secretReader(SLACK_SECRET, 'Slack webhook') })
        : createPagerDutyNotifier({
            ...common,
            routingKey: secretReader(PD_SECRET, 'PagerDuty routing key'),
            eventsUrl: `${peer.url}/v2/enqueue`,
          });
    const notifications = Array.from({ length: count }, (_, i) =>
      aNotification({
        id: `${channel}-fault-${i}`,
        channel,
        groupKey: `group-${channel}-${i}`,
        title: `fault-ntf-${i}: error rate above 5%`,
      }),
    );
    const tally = new DeliveryTally();
    tally.expect(...notifications.map((_, i) => `fault-ntf-${i}`));
    const answers = faultScript();
    peer.script(...answers.map((a) => a.response));
    // Act
    const { deadLettered, retried } = await forwardAll((event) => forwarder(event, context), notifications);
    tallyPeer(tally, answers, true);
    const counts = tally.counts();
    const faults = answers.slice(0, peer.requests.length).filter((a) => a.fault).length;
    const takenThenFailed = answers.slice(0, peer.requests.length).filter((a) => a.fault && a.taken).length;
    rowFromTally(SUITE, `${channel}: 429/5xx/timeouts + SNS redelivery`, counts, {
      faults: faults + count,
      events: count * 2,
      duplicateBound: takenThenFailed,
      note: `${count} SNS redeliveries absorbed by the ledger; ${retried} invocations retried by Lambda, ${deadLettered} to DLQ; ${takenThenFailed} 5xx after the peer took the message: at-least-once, <= 1 duplicate each`,
    });
    // Assert
    expect(faults).toBeGreaterThanOrEqual(8);
    expect(deadLettered).toBe(0);
    expect(deadLetters.records).toEqual([]);
    expect(counts.lostKeys).toEqual([]);
    expect(counts.duplicated).toBeLessThanOrEqual(takenThenFailed);
    expect(counts.unexpected).toBe(0);
  });

  it('malformed notifications from the corpus are dead-lettered raw while the good one in the same event posts', async () => {
    // Arrange
    const corpus = path.join(__dirname, '..', '..', 'fixtures', 'bad-input');
    const bad = ['truncated-event.txt', 'not-json.txt', 'wrong-types.json'].map((f) =>
      readFileSync(path.join(corpus, f), 'utf8'),
    );
    const deadLetters = new MemoryDeadLetters();
    const notify = createSlackNotifier({
      ledger,
      deadLetter: deadLetters,
      log: new MemoryLog(),
      clock: () => NOW,
      post: fastClient().post,
      webhookUrl: secretReader(SLACK_SECRET, 'Slack webhook'),
    });
    const good = aNotification({
      id: 'slack-bad-batch-good',
      channel: 'slack',
      title: 'fault-ntf-good: fine',
    });
    const goodRecord = (snsEvent(good) as { Records: { Sns: { Message: string } }[] }).Records[0];
    const records = [
      ...bad.map((message, i) => ({
        ...goodRecord,
        Sns: { ...goodRecord?.Sns, MessageId: `bad-${i}`, Message: message },
      })),
      goodRecord,
    ];
    const tally = new DeliveryTally();
    tally.expect('fault-ntf-good', ...bad.map((_, i) => `dead-letter bad-${i}`));
    // Act
    const report = await notify({ Records: records }, context);
    tallyPeer(tally, [], true);
    for (const letter of deadLetters.records) {
      const payload = letter.payload as { snsMessageId: string; notification: unknown };
      if (bad.includes(payload.notification as string)) tally.saw(`dead-letter ${payload.snsMessageId}`);
    }
    const counts = tally.counts();
    rowFromTally('bad input', 'slack forwarder: malformed notifications in a batch', counts, {
      faults: bad.length,
      events: records.length,
      note: 'delivered = good one posted + each bad one dead-lettered raw with INVALID_NOTIFICATION',
    });
    // Assert
    expect(report).toEqual({ delivered: 1, duplicates: 0, skipped: 0, rejected: bad.length });
    expect(deadLetters.records.map((r) => r.code)).toEqual(bad.map(() => 'INVALID_NOTIFICATION'));
    for (const r of deadLetters.records) expect(r.reason).toMatch(/\S/);
    expect(counts.lostKeys).toEqual([]);
    expect(counts.duplicated + counts.unexpected).toBe(0);
  });
});
