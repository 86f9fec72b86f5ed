// The storm scenario: 1,000 transitions across 10 services, each delivered 1-3 times and out of
// order, ticked every virtual minute. The storm test asserts on it; the benchmark measures it.
import { sdkDocTable } from '../../shared/adapters/dynamo-sdk-table';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoAlertStore } from '../../shared/adapters/dynamo-alert-store';
import { DynamoGroupStore } from '../../shared/adapters/dynamo-group-store';
import type { Channel } from '../../shared/domain/alert';
import type { DigestRecord } from '../../shared/domain/digest-record';
import { entriesFor } from '../../shared/domain/digest-record';
import { processAlarmInvocation } from '../../shared/domain/alarm-invocation';
import type { Notification } from '../../shared/domain/notification';
import type { RuntimeConfig } from '../../shared/domain/runtime-config';
import { parseRuntimeConfig } from '../../shared/domain/runtime-config';
import { createSilenceCheck } from '../../shared/domain/silence';
import { stormingRoutesFrom } from '../../shared/domain/tick/storm';
import { runTick } from '../../shared/domain/tick/run-tick';
import { createAlertTable } from './dynalite';
import { alarmActionEvent, devRuntimeConfig, recordingLog } from './fixtures';

/** The services the storm spreads over. */
export const STORM_SERVICES = Array.from({ length: 10 }, (_, i) => `svc${i}`);
/** Virtual start of the storm. */
export const STORM_START = Date.UTC(2024, 2, 1, 3, 0, 0);

/** The dev runtime config plus mappings that label `storm-<svc>-...` alarms (every tenth critical). */
export function stormConfig(): RuntimeConfig {
  const base = devRuntimeConfig();
  return parseRuntimeConfig({
    ...base,
    external: {
      ...base.external,
      mappings: STORM_SERVICES.flatMap((svc) => [
        { pattern: `storm-${svc}-crit-.*`, labels: { service: svc, team: 'ops', severity: 'critical' } },
        { pattern: `storm-${svc}-.*`, labels: { service: svc, team: 'ops', severity: 'warning' } },
      ]),
    },
  });
}

/** `count` alarm names spread over the services; every tenth is critical. */
export function stormAlarmNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const svc = STORM_SERVICES[i % STORM_SERVICES.length] ?? 'svc0';
    return i % 10 === 0 ? `storm-${svc}-crit-${i}` : `storm-${svc}-check-${i}`;
  });
}

// A seeded generator keeps the scenario (duplicates, order) the same on every run.
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

/** A notification as it left the pipeline, with the virtual time and channel. */
export interface SentNotification {
  readonly at: number;
  readonly channel: Channel;
  readonly n: Notification;
}

/** What the storm produced. */
export interface StormOutcome {
  /** The alarms that fired (and resolved). */
  readonly alarms: readonly string[];
  /** Distinct transitions (a firing and a resolve per alarm). */
  readonly transitions: number;
  /** Deliveries, duplicates included. */
  readonly deliveries: number;
  /** Every publish, in order. */
  readonly sent: readonly SentNotification[];
  /** The full lists of the digests that were sent, by digest id. */
  readonly digests: ReadonlyMap<string, DigestRecord>;
}

/** Every alarm a notification covers on its channel: its listed alerts, or a digest's full stored list. */
export function coveredAlarms(
  s: SentNotification,
  digests: ReadonlyMap<string, DigestRecord>,
  status?: 'firing' | 'resolved',
): string[] {
  const digest = s.n.digest ? digests.get(s.n.digest.id) : undefined;
  if (digest) {
    return entriesFor(digest, s.channel)
      .filter((e) => status === undefined || e.status === status)
      .map((e) => e.alarmName);
  }
  return s.n.alerts.filter((a) => status === undefined || a.status === status).map((a) => a.alarmName);
}

/** Runs the storm against dynalite in table `tableName` (created here). */
export async function runStormScenario(client: DynamoDBClient, tableName: string): Promise<StormOutcome> {
  await createAlertTable(client, tableName);
  const doc = sdkDocTable(client);
  const config = stormConfig();
  let now = STORM_START;
  const clock = () => now;
  const store = new DynamoAlertStore(doc, { tableName, historyRetentionDays: 30 });
  const groups = new DynamoGroupStore(doc, tableName);
  const sent: SentNotification[] = [];
  let request = 0;
  const deps = () => ({
    config,
    store,
    groups,
    clock,
    log: recordingLog(),
    claimant: `req-${++request}`,
    publisher: {
      publish: (channel: Channel, n: Notification) =>
        Promise.resolve(void sent.push({ at: now, channel, n })),
    },
    deadLetter: { send: () => Promise.resolve() },
    isSilenced: createSilenceCheck((t) => groups.listSilences(t, 0), clock),
    stormingRoutes: stormingRoutesFrom(() => groups.getTickState()),
  });
  const random = rng(42);
  const alarms = stormAlarmNames(500);
  const iso = (t: number) => new Date(t).toISOString().replace('Z', '+0000');
  // 500 alarms fire and 500 resolve: 1,000 transitions, all within 60 s.
  const transitions = alarms.flatMap((name, i) => {
    const firedAt = STORM_START + Math.floor((i / alarms.length) * 40_000);
    const resolvedAt = firedAt + 15_000 + Math.floor(random() * 5_000);
    return [
      {
        at: firedAt,
        event: alarmActionEvent(name, 'ALARM', iso(firedAt), {
          state: 'OK',
          timestamp: iso(firedAt - 60_000),
        }),
      },
      {
        at: resolvedAt,
        event: alarmActionEvent(name, 'OK', iso(resolvedAt), { state: 'ALARM', timestamp: iso(firedAt) }),
      },
    ];
  });
  // Each delivered 1-3 times; deliveries land up to 10 s late, so some resolves overtake their firing.
  const deliveries = transitions
    .flatMap((t) =>
      Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({
        ...t,
        deliverAt: t.at + Math.floor(random() * 10_000),
      })),
    )
    .sort((a, b) => a.deliverAt - b.deliverAt);

  // Deliver in time order, ticking every virtual minute, then 40 more minutes of ticks.
  let nextTick = STORM_START + 60_000;
  for (const d of deliveries) {
    while (nextTick <= d.deliverAt) {
      now = nextTick;
      await runTick(deps());
      nextTick += 60_000;
    }
    now = d.deliverAt;
    await processAlarmInvocation({ ...deps() }, d.event);
  }
  for (let i = 0; i < 40; i++) {
    now = nextTick;
    await runTick(deps());
    nextTick += 60_000;
  }
  const digests = new Map<string, DigestRecord>();
  for (const id of new Set(sent.flatMap((x) => (x.n.digest ? [x.n.digest.id] : [])))) {
    const record = await groups.getDigest(id);
    if (record) digests.set(id, record);
  }
  return { alarms, transitions: transitions.length, deliveries: deliveries.length, sent, digests };
}
