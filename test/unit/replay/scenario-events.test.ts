import { extractAlarmDeliveries, parseAlarmEvent } from '../../../shared/domain/alarm-event';
import { parseScenario } from '../../../shared/replay/scenario';
import { buildEventPayload, scheduleDeliveries } from '../../../shared/replay/scenario-events';
import { fixture } from '../../support/fixtures';

const START = '2026-11-26T14:00:00Z';
const START_MS = Date.UTC(2026, 10, 26, 14, 0, 0);

function scenario(events: unknown[], extra: Record<string, unknown> = {}) {
  return parseScenario({ start: START, duration: 'PT1H', events, ...extra });
}

describe('scenario events as the alarm handler receives them', () => {
  it('builds each shorthand kind as its real AWS shape, stamped with the virtual time', () => {
    // Arrange
    const s = scenario(
      (['alarm-action', 'eventbridge', 'sns-alarm'] as const).map((kind) => ({
        at: 'PT1M30S',
        kind,
        alarm: { name: 'vigil-dev-high-cpu-api', state: 'ALARM', value: 93.5 },
      })),
    );
    // Act
    const changes = s.events.map(
      (e) => extractAlarmDeliveries(buildEventPayload(e, s)).deliveries[0]?.change,
    );
    // Assert
    expect(changes.map((c) => c?.source)).toEqual(['alarm-action', 'eventbridge', 'sns']);
    for (const change of changes) {
      expect(change).toMatchObject({
        alarmName: 'vigil-dev-high-cpu-api',
        state: 'ALARM',
        timestamp: START_MS + 90_000,
        value: 93.5,
      });
    }
  });

  it('wraps an sns-alarm payload in the SNS Records envelope and keeps a full envelope as it is', () => {
    // Arrange
    const records = fixture('events/sns-alarm.json');
    const message = {
      AlarmName: 'vigil-dev-slow-queries-checkout',
      NewStateValue: 'ALARM',
      StateChangeTime: '2026-11-26T14:03:58.214+0000',
    };
    const s = scenario([
      { at: 'PT4M', kind: 'sns-alarm', payload: message },
      { at: 'PT5M', kind: 'sns-alarm', payload: records },
    ]);
    // Act
    const [wrapped, kept] = s.events.map((e) => buildEventPayload(e, s));
    // Assert
    expect(wrapped).toMatchObject({ Records: [{ EventSource: 'aws:sns', Sns: { Type: 'Notification' } }] });
    expect(extractAlarmDeliveries(wrapped).deliveries[0]?.change).toMatchObject({
      source: 'sns',
      alarmName: 'vigil-dev-slow-queries-checkout',
      timestamp: Date.UTC(2026, 10, 26, 14, 3, 58, 214),
    });
    expect(kept).toEqual(records);
  });

  it("gives a shorthand change the alarm's earlier scripted change as its previous state", () => {
    // Arrange: the resolve is delivered before the firing it follows
    const s = scenario([
      { at: 'PT6M', kind: 'alarm-action', alarm: { name: 'a', state: 'OK', changedAt: 'PT5M' } },
      { at: 'PT7M', kind: 'alarm-action', alarm: { name: 'a', state: 'ALARM', changedAt: 'PT2M' } },
    ]);
    // Act
    const [ok, alarm] = s.events.map((e) => parseAlarmEvent(buildEventPayload(e, s)));
    // Assert
    expect(ok).toMatchObject({
      state: 'OK',
      timestamp: START_MS + 300_000,
      previousState: 'ALARM',
      previousTimestamp: START_MS + 120_000,
    });
    expect(alarm).toMatchObject({ state: 'ALARM', previousState: 'OK', previousTimestamp: START_MS });
  });

  it('schedules retries `every` apart with the same payload, sorted by time, ties in file order', () => {
    // Arrange
    const s = scenario([
      { at: 'PT2M', kind: 'alarm-action', alarm: { name: 'late', state: 'ALARM' } },
      {
        at: 'PT1M',
        kind: 'alarm-action',
        alarm: { name: 'retried', state: 'ALARM' },
        times: 3,
        every: 'PT30S',
      },
      { at: 'PT2M', kind: 'alarm-action', alarm: { name: 'second-at-2m', state: 'ALARM' } },
    ]);
    // Act
    const deliveries = scheduleDeliveries(s);
    // Assert
    expect(deliveries.map((d) => [d.at, d.eventIndex, d.attempt, d.attempts])).toEqual([
      [60_000, 1, 1, 3],
      [90_000, 1, 2, 3],
      [120_000, 0, 1, 1],
      [120_000, 1, 3, 3],
      [120_000, 2, 1, 1],
    ]);
    expect(deliveries[1]?.payload).toEqual(deliveries[0]?.payload);
  });

  it('shuffles only within a virtual second, deterministically for a seed, keeping the times in order', () => {
    // Arrange
    const events = Array.from({ length: 8 }, (_, i) => ({
      at: 'PT1M',
      kind: 'alarm-action',
      alarm: { name: `alarm-${i}`, state: 'ALARM' },
    }));
    const later = { at: 'PT2M', kind: 'alarm-action', alarm: { name: 'later', state: 'ALARM' } };
    const shuffled = (seed: number) =>
      scheduleDeliveries(scenario([...events, later], { order: 'shuffled', seed }));
    const order = (seed: number) => shuffled(seed).map((d) => d.eventIndex);
    // Act
    const first = order(7);
    const again = order(7);
    const other = order(8);
    const times = shuffled(7).map((d) => d.at);
    // Assert
    expect(first).toEqual(again);
    expect(first).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(first.slice(0, 8).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(first[8]).toBe(8);
    expect(other).not.toEqual(first);
    expect(times).toEqual([...Array.from({ length: 8 }, () => 60_000), 120_000]);
  });
});
