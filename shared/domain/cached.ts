/** Per-container caching of values the tick decides and the handlers follow. */

/** Reads a value at most once per `ttlMs` per container (the tick decides; handlers follow within the ttl). */
export function createCached<T>(
  read: () => Promise<T>,
  clock: () => number,
  ttlMs = 60_000,
): () => Promise<T> {
  let cache: { at: number; value: T } | undefined;
  return async () => {
    const now = clock();
    if (!cache || now - cache.at > ttlMs) cache = { at: now, value: await read() };
    return cache.value;
  };
}
