import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  DynamoIncidentStore,
  DynamoMitigationBudget,
  incidentKey,
} from '../../../shared/adapters/dynamo-incident-store';
import type { Incident } from '../../../shared/domain/incident';
import type { RunningDynalite } from '../../support/dynalite';
import { createAlertTable, localDocTable, startDynalite } from '../../support/dynalite';

let dynalite: RunningDynalite;
let doc: DynamoDBDocumentClient;
let tables = 0;

beforeAll(async () => {
  dynalite = await startDynalite();
  doc = DynamoDBDocumentClient.from(dynalite.client, { marshallOptions: { removeUndefinedValues: true } });
});

afterAll(async () => {
  await dynalite.stop();
});

async function newStore(): Promise<{ store: DynamoIncidentStore; tableName: string }> {
  const tableName = `incidents-${++tables}`;
  await createAlertTable(dynalite.client, tableName);
  return {
    store: new DynamoIncidentStore(localDocTable(dynalite), { tableName, retentionDays: 90 }),
    tableName,
  };
}

function incident(id: string, openedAt: number, extra: Partial<Incident> = {}): Incident {
  return {
    id,
    title: `checkout error rate (${id})`,
    service: 'checkout',
    severity: 'critical',
    status: 'open',
    labels: { service: 'checkout', team: 'payments' },
    ruleId: 'high-error-rate',
    alerts: ['fp-1'],
    openedAt,
    timeline: [{ at: openedAt, kind: 'opened', by: 'vigil', alert: 'fp-1' }],
    version: 0,
    ...extra,
  };
}

test('an incident round-trips with its timeline and diagnostics', async () => {
  const { store } = await newStore();
  const written = await store.put(
    incident('inc-1', 1_000, {
      diagnostics: {
        collectedAt: 1_500,
        from: 0,
        until: 1_000,
        metrics: { status: 'ok', summary: 'error_rate 7.1 %', links: [], tookMs: 12 },
        logs: { status: 'timeout', summary: 'log search timed out after 2000 ms', links: [], tookMs: 2000 },
        traces: {
          status: 'ok',
          summary: '3 traces with faults',
          links: [{ label: 'trace 1-abc', url: 'https://console.aws.amazon.com/xray' }],
          tookMs: 40,
        },
      },
    }),
    undefined,
  );
  expect(written?.version).toBe(1);
  const read = await store.get('inc-1');
  expect(read).toEqual(written);
  expect(await store.get('missing')).toBeUndefined();
});

test('a stale version is refused and the stored incident is kept', async () => {
  const { store } = await newStore();
  const first = await store.put(incident('inc-1', 1_000), undefined);
  if (!first) throw new Error('first write refused');
  expect(await store.put(incident('inc-1', 1_000), undefined)).toBeUndefined();
  const acked = await store.put({ ...first, acknowledgedAt: 2_000, acknowledgedBy: 'alice' }, first.version);
  expect(acked?.version).toBe(2);
  expect(await store.put({ ...first, title: 'lost update' }, first.version)).toBeUndefined();
  expect((await store.get('inc-1'))?.acknowledgedBy).toBe('alice');
});

test('list returns incidents opened in the window, newest first, bounded by limit', async () => {
  const { store } = await newStore();
  for (const [id, at] of [
    ['a', 1_000],
    ['b', 2_000],
    ['c', 3_000],
    ['d', 4_000],
  ] as const) {
    await store.put(incident(id, at), undefined);
  }
  expect((await store.list(1_500, 4_000, 10)).map((i) => i.id)).toEqual(['d', 'c', 'b']);
  expect((await store.list(0, 10_000, 2)).map((i) => i.id)).toEqual(['d', 'c']);
});

test('a resolved incident gets a TTL of the retention after it resolved; an open one none', async () => {
  const { store, tableName } = await newStore();
  const open = await store.put(incident('inc-1', 1_000_000), undefined);
  if (!open) throw new Error('write refused');
  const raw = async () =>
    (await doc.send(new GetCommand({ TableName: tableName, Key: incidentKey('inc-1') }))).Item;
  expect((await raw())?.['expiresAt']).toBeUndefined();
  await store.put({ ...open, status: 'resolved', resolvedAt: 5_000_000 }, open.version);
  expect((await raw())?.['expiresAt']).toBe(5_000 + 90 * 86_400);
});

test('a damaged item is reported with the field that is wrong', async () => {
  const { store, tableName } = await newStore();
  await store.put(incident('inc-1', 1_000), undefined);
  const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
  await doc.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...incidentKey('inc-2'), ...incident('inc-2', 2_000), severity: 'apocalyptic' },
    }),
  );
  await expect(store.get('inc-2')).rejects.toThrow(/stored incident inc-2: severity/);
});

describe('service pointers and the mitigation budget', () => {
  test('a pointer moves only from the version the writer read', async () => {
    // Arrange
    const { store } = await newStore();
    // Act
    const first = await store.putPointer('checkout', 'inc-a', undefined);
    const duplicate = await store.putPointer('checkout', 'inc-b', undefined);
    const moved = await store.putPointer('checkout', 'inc-c', 1);
    const stale = await store.putPointer('checkout', 'inc-d', 1);
    // Assert
    expect([first, duplicate, moved, stale]).toEqual([true, false, true, false]);
    expect(await store.getPointer('checkout')).toEqual({ incidentId: 'inc-c', version: 2 });
    expect(await store.getPointer('api')).toBeUndefined();
  });

  test('the hourly counter stops at its limit, per hour', async () => {
    // Arrange
    const { tableName } = await newStore();
    const budget = new DynamoMitigationBudget(localDocTable(dynalite), tableName);
    const hour = Date.UTC(2026, 10, 26, 14);
    // Act
    const taken = await Promise.all([1, 2, 3, 4].map(() => budget.tryTake(hour, 2)));
    const nextHour = await budget.tryTake(hour + 3_600_000, 2);
    // Assert
    expect(taken.filter(Boolean)).toHaveLength(2);
    expect(nextHour).toBe(true);
  });
});
