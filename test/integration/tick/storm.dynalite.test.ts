import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAlertStore } from '../../../shared/adapters/dynamo-alert-store';
import { DynamoGroupStore } from '../../../shared/adapters/dynamo-group-store';
import type { Channel } from '../../../shared/domain/alert';
import { processAlarmInvocation } from '../../../shared/domain/alarm-invocation';
import type { Notification } from '../../../shared/domain/notification';
import type { RuntimeConfig } from '../../../shared/domain/runtime-config';
import { parseRuntimeConfig } from '../../../shared/domain/runtime-config';
import { createSilenceCheck } from '../../../shared/domain/silence';
import { runTick } from '../../../shared/domain/tick';
import type { RunningDynalite } from '../../support/dynalite';
import { createAlertTable, startDynalite } from '../../support/dynalite';
import { alarmActionEvent, devRuntimeConfig, recordingLog } from '../../support/fixtures';

const SERVICES = Array.from({ length: 10 }, (_, i) => `svc${i}`);
const START = Date.UTC(2024, 2, 1, 3, 0, 0);

function stormConfig(): RuntimeConfig {
  const base = devRuntimeConfig();
  return parseRuntimeConfig({
    ...base,
    external: {
      ...base.external,
      mappings: SERVICES.flatMap((svc) => [
        { pattern: `storm-${svc}-crit-.*`, labels: { service: svc, team: 'ops', severity: 'critical' } },
        { pattern: `storm-${svc}-.*`, labels: { service: svc, team: 'ops', severity: 'warning' } },
      ]),
    },
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

let dynalite: RunningDynalite;
beforeAll(async () => {
  dynalite = await startDynalite();
});
afterAll(async () => {
  await dynalite.stop();
});

interface Sent {
  readonly at: number;
  readonly channel: Channel;
  readonly n: Notification;
}

it('a storm of 1,000 transitions across 10 services, delivered up to 3 times and out of order, stays quiet and loses nothing', async () => {
  // Arrange
  await createAlertTable(dynalite.client, 'storm');
  const doc = DynamoDBDocumentClient.from(dynalite.client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const config = stormConfig();
  let now = START;
  const clock = () => now;
  const store = new DynamoAlertStore(doc, { tableName: 'storm', historyRetentionDays: 30 });
  const groups = new DynamoGroupStore(doc, 'storm');
  const sent: Sent[] = [];
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
  });
  const random = rng(42);
  const alarms = Array.from({ length: 500 }, (_, i) => {
    const svc = SERVICES[i % 10] ?? 'svc0';
    return i % 10 === 0 ? `storm-${svc}-crit-${i}` : `storm-${svc}-check-${i}`;
  });
  const iso = (t: number) => new Date(t).toISOString().replace('Z', '+0000');
  // 500 alarms fire and 500 resolve: 1,000 transitions, all within 60 s.
  const transitions = alarms.flatMap((name, i) => {
    const firedAt = START + Math.floor((i / alarms.length) * 40_000);
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

  // Act: deliver in time order, ticking every virtual minute, then 40 more minutes of ticks.
  let nextTick = START + 60_000;
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

  // Assert: no duplicates
  const ids = sent.map((s) => s.n.id);
  expect(new Set(ids).size).toBe(ids.length);
  const perChannel = (c: Channel) => sent.filter((s) => s.channel === c);
  const summary = Object.fromEntries(
    ['slack', 'email', 'sms', 'pagerduty'].map((c) => [c, perChannel(c as Channel).length]),
  );
  console.log(
    `storm: ${transitions.length} transitions, ${deliveries.length} deliveries -> notifications per channel ${JSON.stringify(summary)}`,
  );
  for (const count of Object.values(summary)) expect(count).toBeLessThanOrEqual(30);

  // Every firing alert is named in some notification (its alerts or a digest's full list)
  const named = new Set(
    sent.flatMap((s) => [...s.n.alerts.map((a) => a.alarmName), ...(s.n.digest?.alertNames ?? [])]),
  );
  expect(alarms.filter((a) => !named.has(a))).toEqual([]);

  // At most one notification per group per group_interval on a channel (immediate pages excepted)
  const byGroup = new Map<string, Sent[]>();
  for (const s of sent.filter((x) => x.n.reason !== 'alert')) {
    const key = `${s.channel}|${s.n.groupKey}`;
    byGroup.set(key, [...(byGroup.get(key) ?? []), s]);
  }
  for (const [key, list] of byGroup) {
    for (let i = 1; i < list.length; i++) {
      const gap = (list[i]?.at ?? 0) - (list[i - 1]?.at ?? 0);
      expect(`${key} ${list[i - 1]?.n.reason}->${list[i]?.n.reason} gap ${gap >= 300_000 ? 'ok' : gap}`).toBe(
        `${key} ${list[i - 1]?.n.reason}->${list[i]?.n.reason} gap ok`,
      );
    }
  }

  // Resolves reach every channel that was told the firing
  const told = (status: string) => {
    const out = new Map<string, Set<Channel>>();
    for (const s of sent.filter((x) => x.n.status === status || x.n.digest)) {
      const names = s.n.digest
        ? s.n.digest.alertNames
        : s.n.alerts.filter((a) => a.status === status).map((a) => a.alarmName);
      for (const name of names) out.set(name, new Set([...(out.get(name) ?? []), s.channel]));
    }
    return out;
  };
  const firing = told('firing');
  const resolved = told('resolved');
  for (const [name, channels] of firing) {
    for (const c of channels)
      expect(`${name}:${resolved.get(name)?.has(c) === true}:${c}`).toBe(`${name}:true:${c}`);
  }
}, 300_000);
