/** Bounded parallelism for I/O over many items. */

/** Runs `fn` over the items with at most `limit` calls in flight; results keep the items' order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, () => worker()));
  return results;
}

/** Another writer changed the state a step was about to write: retrying the same write cannot help. */
export class StateConflictError extends Error {
  public readonly code = 'STATE_CONFLICT';

  public constructor(message: string) {
    super(message);
    this.name = 'StateConflictError';
  }
}

/**
 * Retries a step that failed for a passing reason (throttling, a 500), up to `attempts` times with
 * pauses doubling from `firstPauseMs` up to one second; a {@link StateConflictError} is thrown at once.
 */
export async function retryPassing<T>(step: () => Promise<T>, attempts = 5, firstPauseMs = 20): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (error instanceof StateConflictError || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, firstPauseMs * 2 ** (attempt - 1))));
    }
  }
}
