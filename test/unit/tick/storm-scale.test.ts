import fc from 'fast-check';
import type { Channel } from '../../../shared/domain/alert';
import { CHANNELS } from '../../../shared/domain/alert';
import type { RuntimeConfig } from '../../../shared/domain/runtime-config';
import { parseRuntimeConfig } from '../../../shared/domain/runtime-config';
import { alarmActionEvent, toCloudWatchTime } from '../../../shared/replay/alarm-events';
import type { ReplayMessage } from '../../../shared/replay/run-scenario';
import { toReplayMessage } from '../../../shared/replay/run-scenario';
import type { StormChange } from '../../../shared/replay/storm';
import { stormAlarmNames, stormConfig } from '../../../shared/replay/storm';
import { checkStorm } from '../../../shared/replay/storm-check';
import { devRuntimeConfig } from '../../support/fixtures';
import { createHarness } from '../../support/pipeline-harness';

const MINUTE = 60_000;

type Harness = ReturnType<typeof createHarness>;

/** The harness's messages as the replay prints them: a digest names every alarm of its stored list. */
async function messagesOf(h: Harness): Promise<ReplayMessage[]> {
  const out: ReplayMessage[] = [];
  for (const s of h.sent) {
    const id = s.notification.digest?.id;
    out.push(toReplayMessage(s.at, s.notification, id ? await h.groups.getDigest(id) : undefined));
  }
  return out;
}

interface Delivery {
  readonly at: number;
  readonly name: string;
  readonly change: StormChange;
  readonly previous: StormChange;
}

/** Plays deliveries in time order with a tick every virtual minute, then `tail` more minutes of ticks. */
async function play(h: Harness, start: number, deliveries: readonly Delivery[], tail: number): Promise<void> {
  let nextTick = start + MINUTE;
  for (const d of [...deliveries].sort((a, b) => a.at - b.at)) {
    while (nextTick <= start + d.at) {
      h.advance(nextTick - h.now());
      await h.tick();
      nextTick += MINUTE;
    }
    h.advance(start + d.at - h.now());
    await h.deliver(
      alarmActionEvent(d.name, d.change.state, toCloudWatchTime(start + d.change.at), {
        state: d.previous.state,
        timestamp: toCloudWatchTime(start + d.previous.at),
      }),
    );
  }
  for (let i = 0; i < tail; i++) {
    h.advance(nextTick - h.now());
    await h.tick();
    nextTick += MINUTE;
  }
}

function stormHarness(services: number, base: RuntimeConfig = devRuntimeConfig()) {
  const h = createHarness(stormConfig(base, services));
  return { h, start: h.now() };
}

describe('storms of any size', () => {
  it('a tick over a backlog larger than one run takes folds it over several runs and loses nothing', async () => {
    // Arrange: 450 warnings changed at once; one run folds at most 100
    const { h, start } = stormHarness(5);
    const names = stormAlarmNames({ alarms: 450, services: 5, criticalEvery: 0 });
    for (const name of names) {
      await h.deliver(
        alarmActionEvent(name, 'ALARM', toCloudWatchTime(start), {
          state: 'OK',
          timestamp: toCloudWatchTime(start - MINUTE),
        }),
      );
    }
    // Act
    const reports = [];
    for (let i = 0; i < 8; i++) {
      h.advance(MINUTE);
      reports.push(await h.tick({ maxChanges: 100 }));
    }
    // Assert: five runs carried the backlog, flushing waited for it, nothing was left behind
    expect(reports.map((r) => r.changes)).toEqual([100, 100, 100, 100, 50, 0, 0, 0]);
    expect(reports.map((r) => r.backlog)).toEqual([true, true, true, true, false, false, false, false]);
    expect(h.sent.filter((s) => s.at < start + 5 * MINUTE)).toHaveLength(0);
    expect(h.store.unfoldedCount()).toBe(0);
    const check = checkStorm(
      await messagesOf(h),
      new Map(names.map((n) => [n, [{ state: 'ALARM' as const, at: 0 }]])),
      start,
    );
    expect(check.namedFiring).toBe(450);
    expect(h.on('slack').every((n) => n.reason === 'digest')).toBe(true);
  });

  it('a storm whose alarms all resolve while its first digest waits tells each resolve once, in the digest', async () => {
    // Arrange: 40 warnings fire within 30 s and resolve 80 s later, before the wave has settled
    const { h, start } = stormHarness(4);
    const names = stormAlarmNames({ alarms: 40, services: 4, criticalEvery: 0 });
    const deliveries: Delivery[] = names.flatMap((name, i) => {
      const fired: StormChange = { state: 'ALARM', at: i * 750 };
      const resolved: StormChange = { state: 'OK', at: fired.at + 80_000 };
      return [
        { at: fired.at, name, change: fired, previous: { state: 'OK', at: -MINUTE } },
        { at: resolved.at, name, change: resolved, previous: fired },
      ];
    });
    // Act
    await play(h, start, deliveries, 20);
    // Assert: one digest per channel that heard anything, every alarm in it as resolved
    const slack = h.on('slack');
    expect(slack).toHaveLength(1);
    expect(slack[0]).toMatchObject({ reason: 'digest', status: 'resolved' });
    const [message] = await messagesOf(h);
    expect([...(message?.resolved ?? [])].sort()).toEqual([...names].sort());
    expect((await h.groups.getTickState())?.storm).toBeUndefined();
  });

  it('a group of several hundred keeps every member and tells them in one voice', async () => {
    // Arrange: 600 CPU warnings of one service: one group
    const { h, start } = stormHarness(1);
    const names = stormAlarmNames({ alarms: 600, services: 1, criticalEvery: 0, warningKinds: 1 });
    const deliveries: Delivery[] = names.flatMap((name, i) => {
      const fired: StormChange = { state: 'ALARM', at: Math.floor(i * 90) };
      const resolved: StormChange = { state: 'OK', at: fired.at + 20 * MINUTE };
      return [
        { at: fired.at, name, change: fired, previous: { state: 'OK', at: -MINUTE } },
        { at: resolved.at, name, change: resolved, previous: fired },
      ];
    });
    // Act
    await play(h, start, deliveries, 30);
    // Assert
    const check = checkStorm(
      await messagesOf(h),
      new Map(
        deliveries.map((d) => [
          d.name,
          [deliveries.find((x) => x.name === d.name)?.change ?? d.change, d.change],
        ]),
      ),
      start,
    );
    expect(check).toMatchObject({ namedFiring: 600, resolvesTold: 600, firingAfterResolve: [] });
    expect(h.sent.every((s) => s.notification.reason === 'digest')).toBe(true);
    expect(h.groups.groups.size).toBe(0);
  });

  it('holds its promises on storms of random size, spread and timing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          alarms: fc.integer({ min: 30, max: 400 }),
          services: fc.integer({ min: 1, max: 12 }),
          criticalEvery: fc.constantFrom(0, 10),
          seed: fc.integer({ min: 1, max: 1_000_000 }),
        }),
        async ({ alarms, services, criticalEvery, seed }) => {
          // Arrange: each alarm fires within a minute, is delivered 1-3 times up to 10 s late,
          // resolves 20 minutes later; one in ten fires again 2 minutes after that.
          let s = seed;
          const rnd = (): number => {
            s = (s * 1103515245 + 12345) % 2147483648;
            return s / 2147483648;
          };
          const { h, start } = stormHarness(Math.min(services, alarms));
          const names = stormAlarmNames({ alarms, services: Math.min(services, alarms), criticalEvery });
          const truth = new Map<string, StormChange[]>();
          const deliveries: Delivery[] = [];
          names.forEach((name, i) => {
            const fired = Math.floor(rnd() * MINUTE);
            const changes: StormChange[] = [
              { state: 'ALARM', at: fired },
              { state: 'OK', at: fired + 20 * MINUTE + Math.floor(rnd() * 30_000) },
            ];
            if (i % 10 === 3) {
              const back = (changes[1]?.at ?? 0) + 2 * MINUTE;
              changes.push({ state: 'ALARM', at: back }, { state: 'OK', at: back + 3 * MINUTE });
            }
            truth.set(name, changes);
            let previous: StormChange = { state: 'OK', at: -MINUTE };
            for (const change of changes) {
              const copies = 1 + Math.floor(rnd() * 3);
              for (let c = 0; c < copies; c++) {
                deliveries.push({ at: change.at + Math.floor(rnd() * 10_000), name, change, previous });
              }
              previous = change;
            }
          });
          // Act
          await play(h, start, deliveries, 45);
          // Assert
          const check = checkStorm(await messagesOf(h), truth, start);
          expect(check.unnamed).toEqual([]);
          expect(check.untold).toEqual([]);
          expect(check.firingAfterResolve).toEqual([]);
          expect(check.escalationsOfResolved).toBe(0);
          const ids = h.sent.map((x) => `${x.channel}|${x.notification.id}`);
          expect(new Set(ids).size).toBe(ids.length);
          // Pages go out one by one only until the storm is known.
          const perChannel = (c: Channel) =>
            h.sent.filter((x) => x.channel === c && x.notification.reason !== 'alert');
          for (const c of CHANNELS) expect(perChannel(c).length).toBeLessThanOrEqual(8);
        },
      ),
      { numRuns: 12 },
    );
  }, 240_000);
});

describe('inhibition without reading every group', () => {
  it('warnings a critical inhibits come back when it resolves, found through the registry of muted groups', async () => {
    // Arrange: the dev config's rule: a critical on a service mutes that service's warnings
    const base = devRuntimeConfig();
    const h = createHarness(parseRuntimeConfig({ ...base, storm: { threshold: 1000, windowSeconds: 300 } }));
    await h.alarm('vigil-dev-high-error-rate-api', 'ALARM');
    await h.run(1);
    await h.alarm('vigil-dev-high-cpu-api', 'ALARM');
    await h.alarm('vigil-dev-slow-queries-api', 'ALARM');
    await h.run(3);
    const muted = h.on('slack').filter((n) => n.severity === 'warning');
    // Act
    await h.alarm('vigil-dev-high-error-rate-api', 'OK');
    await h.run(2);
    // Assert
    expect(muted).toHaveLength(0);
    expect(h.groups.sources.size).toBe(0);
    const warnings = h.on('slack').filter((n) => n.severity === 'warning' && n.status === 'firing');
    expect(warnings.flatMap((n) => n.alerts.map((a) => a.alarmName)).sort()).toEqual([
      'vigil-dev-high-cpu-api',
      'vigil-dev-slow-queries-api',
    ]);
    expect(h.groups.muted.size).toBe(0);
  });
});
