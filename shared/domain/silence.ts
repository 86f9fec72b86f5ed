import type { Labels } from './alert';
import type { Matcher } from './matchers';
import { matchesAll } from './matchers';

/** A silence: matching alerts notify nobody between `startsAt` and `endsAt`. */
export interface Silence {
  readonly id: string;
  readonly matchers: readonly Matcher[];
  /** Epoch ms. */
  readonly startsAt: number;
  /** Epoch ms. */
  readonly endsAt: number;
  readonly author: string;
  readonly comment: string;
  /** End the silence as soon as every alert it matched has resolved. */
  readonly endOnResolve: boolean;
  readonly createdAt: number;
  /** Set when the silence was ended early (expired by hand or on resolve). */
  readonly expiredAt?: number;
  /** Who ended it early (an operator, or `vigil` when it ended on resolve). */
  readonly expiredBy?: string;
}

/** True when the silence is in force at `now`. */
export function isSilenceActive(silence: Silence, now: number): boolean {
  const end = Math.min(silence.endsAt, silence.expiredAt ?? Number.POSITIVE_INFINITY);
  return silence.startsAt <= now && now < end;
}

/** The active silences that mute these labels. */
export function silencesFor(labels: Labels, silences: readonly Silence[], now: number): Silence[] {
  return silences.filter((s) => isSilenceActive(s, now) && matchesAll(s.matchers, labels));
}

/**
 * A silence check for the alarm handler that reads the silences at most once per `ttlMs`
 * per container (a silence added takes effect there within that time; the tick is exact).
 */
export function createSilenceCheck(
  list: (now: number) => Promise<Silence[]>,
  clock: () => number,
  ttlMs = 15_000,
): (labels: Labels) => Promise<boolean> {
  let cache: { at: number; silences: Silence[] } | undefined;
  return async (labels) => {
    const now = clock();
    if (!cache || now - cache.at > ttlMs) cache = { at: now, silences: await list(now) };
    return silencesFor(labels, cache.silences, now).length > 0;
  };
}
