/** Turns scenario events into what the alarm handler receives, in delivery order. */
import type { AlarmState } from '../domain/alert';
import {
  alarmActionEvent,
  eventBridgeAlarmEvent,
  snsAlarmMessage,
  snsRecordsEvent,
  toCloudWatchTime,
} from './alarm-events';
import type { PreviousAlarmState } from './alarm-events';
import type { EventKind, Scenario, ScenarioEvent } from './scenario';

/** One delivery of a scenario event to the alarm handler. */
export interface ScheduledDelivery {
  /** Offset from the scenario start, ms. */
  readonly at: number;
  /** Index of the event in the scenario file. */
  readonly eventIndex: number;
  readonly kind: EventKind;
  /** 1-based delivery number of this event, and how many there are (`times`). */
  readonly attempt: number;
  readonly attempts: number;
  /** The invocation payload, exactly as Lambda passes it. */
  readonly payload: unknown;
}

interface ShorthandChange {
  readonly name: string;
  readonly state: AlarmState;
  readonly changedAt: number;
}

function hasRecords(payload: Record<string, unknown>): boolean {
  return 'Records' in payload;
}

// The shorthand's previous state, unless given, is the alarm's latest earlier change in the scenario.
function previousOf(
  event: ScenarioEvent,
  changedAt: number,
  changes: readonly ShorthandChange[],
  start: number,
): PreviousAlarmState | undefined {
  const alarm = event.alarm;
  if (alarm === undefined) return undefined;
  if (alarm.previous !== undefined) {
    return {
      state: alarm.previous.state,
      timestamp: toCloudWatchTime(start + (alarm.previous.changedAt ?? 0)),
    };
  }
  const earlier = changes
    .filter((c) => c.name === alarm.name && c.changedAt < changedAt)
    .sort((a, b) => b.changedAt - a.changedAt)[0];
  if (earlier !== undefined)
    return { state: earlier.state, timestamp: toCloudWatchTime(start + earlier.changedAt) };
  return { state: alarm.state === 'ALARM' ? 'OK' : 'ALARM', timestamp: toCloudWatchTime(start) };
}

function shorthandChanges(scenario: Pick<Scenario, 'events'>): ShorthandChange[] {
  return scenario.events.flatMap((e) =>
    e.alarm === undefined
      ? []
      : [{ name: e.alarm.name, state: e.alarm.state, changedAt: e.alarm.changedAt ?? e.at }],
  );
}

/** Builds the invocation payload of one event of the scenario. */
export function buildEventPayload(
  event: ScenarioEvent,
  scenario: Pick<Scenario, 'start' | 'events'>,
  changes: readonly ShorthandChange[] = shorthandChanges(scenario),
): unknown {
  const start = scenario.start;
  const deliveredAt = new Date(start + event.at).toISOString();
  if (event.payload !== undefined) {
    if (event.kind === 'sns-alarm' && !hasRecords(event.payload))
      return snsRecordsEvent(event.payload, deliveredAt);
    return event.payload;
  }
  const alarm = event.alarm;
  if (alarm === undefined) return undefined;
  const changedAt = alarm.changedAt ?? event.at;
  const timestamp = toCloudWatchTime(start + changedAt);
  const previous = previousOf(event, changedAt, changes, start);
  const details = { value: alarm.value, threshold: alarm.threshold, reason: alarm.reason };
  switch (event.kind) {
    case 'alarm-action':
      return alarmActionEvent(alarm.name, alarm.state, timestamp, previous, details);
    case 'eventbridge':
      return eventBridgeAlarmEvent(alarm.name, alarm.state, timestamp, previous, details);
    case 'sns-alarm':
      return snsRecordsEvent(
        snsAlarmMessage(alarm.name, alarm.state, timestamp, previous, details),
        deliveredAt,
      );
  }
}

/** Deterministic PRNG (mulberry32), so a shuffled order is the same on every run with a seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function shuffleWithinSecond(deliveries: ScheduledDelivery[], seed: number): ScheduledDelivery[] {
  const random = seededRandom(seed);
  const out: ScheduledDelivery[] = [];
  let i = 0;
  while (i < deliveries.length) {
    const first = deliveries[i];
    if (first === undefined) break;
    const second = Math.floor(first.at / 1000);
    const bucket: ScheduledDelivery[] = [];
    while (i < deliveries.length) {
      const d = deliveries[i];
      if (d === undefined || Math.floor(d.at / 1000) !== second) break;
      bucket.push(d);
      i++;
    }
    const times = bucket.map((d) => d.at);
    for (let j = bucket.length - 1; j > 0; j--) {
      const k = Math.floor(random() * (j + 1));
      const a = bucket[j];
      const b = bucket[k];
      if (a === undefined || b === undefined) continue;
      bucket[j] = b;
      bucket[k] = a;
    }
    // Times stay in order; only which delivery takes which slot changes.
    bucket.forEach((d, j) => out.push({ ...d, at: times[j] ?? d.at }));
  }
  return out;
}

/** Every delivery of the scenario (retries included), sorted by time, in the scenario's order mode. */
export function scheduleDeliveries(scenario: Scenario): ScheduledDelivery[] {
  const changes = shorthandChanges(scenario);
  const deliveries = scenario.events.flatMap((event, eventIndex) => {
    const payload = buildEventPayload(event, scenario, changes);
    return Array.from({ length: event.times }, (_, k) => ({
      at: event.at + k * event.every,
      eventIndex,
      kind: event.kind,
      attempt: k + 1,
      attempts: event.times,
      payload,
    }));
  });
  // Array.prototype.sort is stable: equal times keep file order.
  deliveries.sort((a, b) => a.at - b.at);
  return scenario.order === 'shuffled' ? shuffleWithinSecond(deliveries, scenario.seed) : deliveries;
}
