import type { Channel } from '../../../shared/domain/alert';
import type { RunningDynalite } from '../../support/dynalite';
import { startDynalite } from '../../support/dynalite';
import type { SentNotification } from '../../support/storm-scenario';
import { coveredAlarms, runStormScenario } from '../../support/storm-scenario';

let dynalite: RunningDynalite;
beforeAll(async () => {
  dynalite = await startDynalite();
});
afterAll(async () => {
  await dynalite.stop();
});

type Sent = SentNotification;

it('a storm of 1,000 transitions across 10 services, delivered up to 3 times and out of order, stays quiet and loses nothing', async () => {
  // Arrange, Act: the shared storm scenario
  const { alarms, transitions, deliveries, sent, digests } = await runStormScenario(dynalite.client, 'storm');

  // Assert: no duplicates
  const ids = sent.map((s) => s.n.id);
  expect(new Set(ids).size).toBe(ids.length);
  const perChannel = (c: Channel) => sent.filter((s) => s.channel === c);
  const summary = Object.fromEntries(
    ['slack', 'email', 'sms', 'pagerduty'].map((c) => [c, perChannel(c as Channel).length]),
  );
  console.log(
    `storm: ${transitions} transitions, ${deliveries} deliveries -> notifications per channel ${JSON.stringify(summary)}`,
  );
  for (const count of Object.values(summary)) expect(count).toBeLessThanOrEqual(30);

  // Every firing alert is named in some notification (its alerts or a digest's full stored list)
  const named = new Set(sent.flatMap((s) => coveredAlarms(s, digests)));
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
  const told = (status: 'firing' | 'resolved') => {
    const out = new Map<string, Set<Channel>>();
    for (const s of sent) {
      for (const name of coveredAlarms(s, digests, status)) {
        out.set(name, new Set([...(out.get(name) ?? []), s.channel]));
      }
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
