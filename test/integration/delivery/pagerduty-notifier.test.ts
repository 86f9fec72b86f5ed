import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { createPagerDutyNotifier } from '../../../functions/pagerduty-notifier/notifier';
import type { DynamoDeliveryLedger } from '../../../shared/adapters/delivery-ledger';
import type { Severity } from '../../../shared/domain/alert';
import type { RunningDynalite } from '../../support/dynalite';
import { startHttpReceiver, type HttpReceiver } from '../../support/http-receiver';
import { aNotification, criticalResolved } from '../../fixtures/delivery/notifications';
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

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vigil/pagerduty-routing-key-XyZ123';
const ROUTING_KEY = 'r0ut1ngk3y0000000000000000000042';
const secrets = mockClient(SecretsManagerClient);
const ACCEPTED = { status: 202, body: '{"status":"success","message":"Event processed","dedup_key":"x"}' };

describe('pagerduty notifier against a local Events API', () => {
  let db: RunningDynalite;
  let ledger: DynamoDeliveryLedger;
  let pd: HttpReceiver;
  let seq = 0;

  beforeAll(async () => {
    ({ db, ledger } = await startLedger());
    pd = await startHttpReceiver(ACCEPTED);
  });

  afterAll(async () => {
    await pd.stop();
    await db.stop();
  });

  beforeEach(() => {
    pd.reset();
    secrets.reset();
    secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: ROUTING_KEY });
  });

  function arrange(minSeverity?: Severity) {
    seq += 1;
    const deadLetters = new MemoryDeadLetters();
    const client = fastClient();
    const notify = createPagerDutyNotifier({
      routingKey: secretReader(SECRET_ARN, 'PagerDuty routing key'),
      ledger,
      deadLetter: deadLetters,
      log: new MemoryLog(),
      clock: () => NOW,
      post: client.post,
      eventsUrl: `${pd.url}/v2/enqueue`,
      minSeverity,
    });
    return { id: `ntf-pd-${seq}`, deadLetters, waits: client.waits, notify };
  }

  function sentEvents(): unknown[] {
    return pd.requests.map((r): unknown => JSON.parse(r.body));
  }

  it('triggers an incident keyed by the group key with the routing key from the secret', async () => {
    // Arrange
    const { id, notify } = arrange();
    const n = aNotification({ id, channel: 'pagerduty' });

    // Act
    const report = await notify(snsEvent(n), context);

    // Assert
    expect(report.delivered).toBe(1);
    expect(pd.requests[0]?.path).toBe('/v2/enqueue');
    expect(sentEvents()).toEqual([
      expect.objectContaining({
        routing_key: ROUTING_KEY,
        event_action: 'trigger',
        dedup_key: n.groupKey,
        payload: expect.objectContaining({ severity: 'critical', source: 'checkout (prod)' }),
      }),
    ]);
  });

  it('resolves by dedup key', async () => {
    // Arrange
    const { id, notify } = arrange();
    const n = { ...criticalResolved, id, channel: 'pagerduty' as const };

    // Act
    await notify(snsEvent(n), context);

    // Assert
    expect(sentEvents()).toEqual([
      { routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: n.groupKey },
    ]);
  });

  it('does not page for a warning unless configured to', async () => {
    // Arrange
    const strict = arrange();
    const lenient = arrange('warning');
    const warning = (id: string) => aNotification({ id, channel: 'pagerduty', severity: 'warning' });

    // Act
    const skipped = await strict.notify(snsEvent(warning(strict.id)), context);
    const paged = await lenient.notify(snsEvent(warning(lenient.id)), context);

    // Assert
    expect(skipped.skipped).toBe(1);
    expect(paged.delivered).toBe(1);
    expect(pd.requests).toHaveLength(1);
    expect(sentEvents()[0]).toMatchObject({ payload: { severity: 'warning' } });
  });

  it('dead-letters a 400 with the API reason and does not retry it', async () => {
    // Arrange
    const { id, notify, deadLetters } = arrange();
    pd.script({
      status: 400,
      body: '{"status":"invalid event","message":"Event object is invalid","errors":["Length of \'routing_key\' is incorrect (should be 32 characters)"]}',
    });

    // Act
    const report = await notify(snsEvent(aNotification({ id, channel: 'pagerduty' })), context);

    // Assert
    expect(report.rejected).toBe(1);
    expect(pd.requests).toHaveLength(1);
    expect(deadLetters.records[0]).toMatchObject({
      code: 'REJECTED',
      reason: "Event object is invalid: Length of 'routing_key' is incorrect (should be 32 characters)",
    });
    expect(await ledgerItem(db, 'pagerduty', id)).toMatchObject({ state: 'rejected' });
  });

  it('retries 429 and 502, then succeeds', async () => {
    // Arrange
    const { id, notify, waits } = arrange();
    pd.script({ status: 429, headers: { 'retry-after': '1' } }, { status: 502 });

    // Act
    const report = await notify(snsEvent(aNotification({ id, channel: 'pagerduty' })), context);

    // Assert
    expect(report.delivered).toBe(1);
    expect(pd.requests).toHaveLength(3);
    expect(waits).toEqual([1_000, 100]);
  });

  it('sends one event when SNS redelivers the message', async () => {
    // Arrange
    const { id, notify } = arrange();
    const event = snsEvent(aNotification({ id, channel: 'pagerduty' }));

    // Act
    await notify(event, context);
    const again = await notify(event, context);

    // Assert
    expect(again.duplicates).toBe(1);
    expect(pd.requests).toHaveLength(1);
  });
});
