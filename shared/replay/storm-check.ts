/** What a storm replay promised, checked against what really happened to each alarm. */
import type { Channel } from '../domain/alert';
import { CHANNELS } from '../domain/alert';
import type { ReplayMessage } from './run-scenario';
import type { StormChange } from './storm';

/** The storm's outcome against its promises. */
export interface StormCheck {
  readonly alarms: number;
  /** Alarms named firing in at least one message. */
  readonly namedFiring: number;
  /** Alarms whose last word, on every channel that heard them fire, was their resolve. */
  readonly resolvesTold: number;
  readonly messagesPerChannel: Readonly<Record<Channel, number>>;
  /** `alarm@channel` mentioned firing after its resolve was told, with no real re-fire in between. */
  readonly firingAfterResolve: readonly string[];
  /** Escalation messages naming an alarm that had resolved more than two minutes before. */
  readonly escalationsOfResolved: number;
  /** A few alarms never named firing, and a few whose resolve was never told. */
  readonly unnamed: readonly string[];
  readonly untold: readonly string[];
}

/** Time a resolve may take to reach the tick (delivery delay and one run). */
const RESOLVE_GRACE_MS = 120_000;

function stateAt(changes: readonly StormChange[], at: number): StormChange | undefined {
  let current: StormChange | undefined;
  for (const c of changes) if (c.at <= at) current = c;
  return current;
}

/** Checks the messages of a storm replay (times as ISO, offsets of `truth` from `start`). */
export function checkStorm(
  messages: readonly ReplayMessage[],
  truth: ReadonlyMap<string, readonly StormChange[]>,
  start: number,
): StormCheck {
  const perChannel = Object.fromEntries(CHANNELS.map((c) => [c, 0])) as Record<Channel, number>;
  // Per alarm and channel: its mentions in time order.
  const mentions = new Map<string, { at: number; resolved: boolean }[]>();
  let escalationsOfResolved = 0;
  for (const m of messages) {
    perChannel[m.channel]++;
    const at = Date.parse(m.at) - start;
    const resolved = new Set(m.resolved);
    for (const name of m.alerts) {
      const key = `${name}@${m.channel}`;
      const list = mentions.get(key) ?? [];
      list.push({ at, resolved: resolved.has(name) });
      mentions.set(key, list);
      const changes = truth.get(name);
      if (m.reason === 'escalation' && changes) {
        const now = stateAt(changes, at - RESOLVE_GRACE_MS);
        if (now?.state === 'OK' && !resolved.has(name)) escalationsOfResolved++;
      }
    }
  }
  const named = new Set<string>();
  const told = new Set<string>();
  const untoldAnywhere = new Set<string>();
  const firingAfterResolve: string[] = [];
  for (const [key, list] of mentions) {
    const name = key.slice(0, key.lastIndexOf('@'));
    const changes = truth.get(name) ?? [];
    let resolvedAt: number | undefined;
    let firedOn = false;
    for (const mention of list) {
      if (!mention.resolved) {
        firedOn = true;
        named.add(name);
        if (resolvedAt !== undefined) {
          // Legitimate only if the alarm really fired again after the resolve that was told.
          const toldResolve = stateAt(changes, resolvedAt);
          const refired = changes.some(
            (c) => c.state === 'ALARM' && c.at > (toldResolve?.at ?? -Infinity) && c.at <= mention.at,
          );
          if (!refired) firingAfterResolve.push(key);
        }
        resolvedAt = undefined;
      } else resolvedAt = mention.at;
    }
    if (firedOn && list[list.length - 1]?.resolved !== true) untoldAnywhere.add(name);
  }
  for (const name of named) if (!untoldAnywhere.has(name)) told.add(name);
  const unnamed = [...truth.keys()].filter((n) => !named.has(n));
  return {
    alarms: truth.size,
    namedFiring: named.size,
    resolvesTold: told.size,
    messagesPerChannel: perChannel,
    firingAfterResolve,
    escalationsOfResolved,
    unnamed: unnamed.slice(0, 10),
    untold: [...untoldAnywhere].slice(0, 10),
  };
}
