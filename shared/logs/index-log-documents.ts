/** Indexes documents with bounded, jittered retries of throttled items only. Pure over its ports. */
import { planBulkRequests, toBulkItem, DEFAULT_BULK_LIMITS } from './bulk-chunks';
import type { BulkItem, BulkLimits } from './bulk-chunks';
import type { IndexableLog } from './log-document';
import { LogIndexUnavailableError, LogRequestTooLargeError, LogRetriesExhaustedError } from './log-errors';
import type { DeadLetter, DeadLetterSink, LogIndex } from './log-ports';

/** Retry policy: full-jitter exponential backoff. */
export interface RetryPolicy {
  /** Attempts in total, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** Defaults sized for a Lambda with a minute or more of timeout. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 200, maxDelayMs: 5000 };

/** What {@link indexLogDocuments} needs. */
export interface IndexLogDeps {
  readonly index: LogIndex;
  readonly deadLetters: DeadLetterSink;
  readonly limits?: BulkLimits;
  readonly retry?: RetryPolicy;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Uniform in [0, 1); injectable for deterministic tests. */
  readonly random?: () => number;
}

/** Counts of one run. */
export interface IndexLogResult {
  readonly indexed: number;
  readonly deadLettered: number;
  readonly attempts: number;
  readonly bulkRequests: number;
}

// Items with these statuses were not written for a transient reason; anything else will fail again.
const RETRYABLE_ITEM_STATUS = new Set([429, 503]);

/** Full-jitter backoff delay before attempt `attempt + 1`. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function letterFor(item: BulkItem, code: string, reason: string, at: string): DeadLetter {
  const { document } = item.log;
  return {
    code,
    reason,
    original: item.log.original,
    logGroup: document.log_group,
    logStream: document.log_stream,
    eventId: item.log.id,
    index: item.log.index,
    at,
  };
}

/**
 * Sends every document once; retries only throttled items (and whole requests that got 429, 5xx
 * or no answer); splits requests refused as too large; dead-letters items rejected for any other reason. Successful items are never
 * sent again. Throws {@link LogRetriesExhaustedError} when throttling outlasts the retry budget,
 * so the invocation is retried (safe: ids are stable).
 */
export async function indexLogDocuments(
  logs: readonly IndexableLog[],
  deps: IndexLogDeps,
): Promise<IndexLogResult> {
  const limits = deps.limits ?? DEFAULT_BULK_LIMITS;
  const policy = deps.retry ?? DEFAULT_RETRY_POLICY;
  const now = deps.now ?? ((): Date => new Date());
  const sleep = deps.sleep ?? defaultSleep;
  const random = deps.random ?? Math.random;

  const letters: DeadLetter[] = [];
  const plan = planBulkRequests(logs.map(toBulkItem), limits);
  for (const item of plan.oversized) {
    const reason = `document is ${item.bytes} bytes, over the ${limits.maxBytes}-byte bulk limit`;
    letters.push(letterFor(item, 'document_too_large', reason, now().toISOString()));
  }

  let pending: BulkItem[] = plan.chunks.flat();
  let planned: readonly (readonly BulkItem[])[] | undefined = plan.chunks;
  let indexed = 0;
  let attempts = 0;
  let bulkRequests = 0;
  let lastError: unknown;
  while (pending.length > 0 && attempts < policy.maxAttempts) {
    attempts += 1;
    if (attempts > 1) await sleep(backoffDelay(attempts - 1, policy, random));
    const retry: BulkItem[] = [];
    // A request the domain refuses as too large (413) is split in halves until it passes; a single
    // document it refuses is dead-lettered. Splitting costs no attempt: nothing was throttled.
    const queue: BulkItem[][] = (planned ?? planBulkRequests(pending, limits).chunks).map((chunk) => [
      ...chunk,
    ]);
    planned = undefined;
    for (let chunk = queue.shift(); chunk !== undefined; chunk = queue.shift()) {
      bulkRequests += 1;
      let results;
      try {
        results = await deps.index.bulk(chunk);
      } catch (error) {
        if (error instanceof LogRequestTooLargeError) {
          const [single] = chunk;
          if (chunk.length === 1 && single) {
            letters.push(letterFor(single, 'request_too_large', error.message, now().toISOString()));
          } else {
            const half = Math.ceil(chunk.length / 2);
            queue.unshift(chunk.slice(0, half), chunk.slice(half));
          }
          continue;
        }
        if (!(error instanceof LogIndexUnavailableError)) throw error;
        lastError = error;
        retry.push(...chunk);
        continue;
      }
      chunk.forEach((item, position) => {
        const result = results[position];
        if (result === undefined) {
          retry.push(item);
        } else if (result.status >= 200 && result.status < 300) {
          indexed += 1;
        } else if (RETRYABLE_ITEM_STATUS.has(result.status)) {
          retry.push(item);
        } else {
          const code = result.errorType ?? `status_${result.status}`;
          letters.push(letterFor(item, code, result.reason ?? code, now().toISOString()));
        }
      });
    }
    pending = retry;
  }
  // Dead letters first: they are final whatever happens to the throttled remainder.
  if (letters.length > 0) await deps.deadLetters.send(letters);
  if (pending.length > 0) throw new LogRetriesExhaustedError(pending.length, attempts, { cause: lastError });
  return { indexed, deadLettered: letters.length, attempts, bulkRequests };
}
