import type { Channel } from './alert';

/** While SMS is paused its messages go to email instead: redirected, never dropped. */
export function redirectPausedSms(channels: readonly Channel[], paused: boolean): Channel[] {
  return paused ? [...new Set(channels.map((c): Channel => (c === 'sms' ? 'email' : c)))] : [...channels];
}

/** Reads a flag at most once per `ttlMs` per container (the tick decides; handlers follow within a minute). */
export function createCachedFlag(
  read: () => Promise<boolean>,
  clock: () => number,
  ttlMs = 60_000,
): () => Promise<boolean> {
  let cache: { at: number; value: boolean } | undefined;
  return async () => {
    const now = clock();
    if (!cache || now - cache.at > ttlMs) cache = { at: now, value: await read() };
    return cache.value;
  };
}
