/** A small JSON-over-HTTP client for webhooks: per-attempt timeouts, jittered retries, Retry-After. */
import { ChannelDeliveryError } from './errors';
import { scrub, scrubbedCause } from './scrub';

/** Retry and timeout policy of one delivery. */
export interface RetryPolicy {
  /** Attempts including the first. */
  readonly maxAttempts: number;
  /** Abort an attempt (connect, headers and body) after this long. */
  readonly attemptTimeoutMs: number;
  /** First backoff ceiling; doubles per attempt (full jitter). */
  readonly baseDelayMs: number;
  /** Largest backoff ceiling. */
  readonly maxDelayMs: number;
  /** Longest Retry-After honoured in-process; longer waits give up so the invocation is retried later. */
  readonly maxRetryAfterMs: number;
}

/** Defaults sized for a 30 s Lambda: at most 4 attempts of 5 s plus short waits. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  attemptTimeoutMs: 5_000,
  baseDelayMs: 250,
  maxDelayMs: 4_000,
  maxRetryAfterMs: 10_000,
};

/** What the client needs from its environment; tests replace `sleep`, `random` and `now`. */
export interface HttpClientDeps {
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => number;
}

/** One POST of a JSON body. */
export interface JsonPost {
  readonly url: string;
  readonly body: unknown;
  /** Names the peer in messages, e.g. `Slack webhook` (never the URL). */
  readonly target: string;
  /** Absolute epoch-ms time by which the whole delivery must have ended. */
  readonly deadline: number;
  /** Values to scrub from any reason or message (the secret behind the URL or body). */
  readonly secrets?: readonly string[];
  /** Extracts the peer's reason from an error response body. @default the trimmed body */
  readonly reasonOf?: (status: number, body: string) => string;
}

/** A successful response. */
export interface JsonPostResult {
  readonly status: number;
  readonly body: string;
  readonly attempts: number;
}

/** Parses Retry-After (delay seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Full-jitter exponential backoff for the retry after `attempt` (1-based). */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

const MAX_REASON = 200;

function defaultReason(_status: number, body: string): string {
  return body.trim();
}

/** Posts JSON, retrying network errors, timeouts, 408, 5xx and 429 within the policy and the deadline. */
export function createHttpClient(
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  deps: HttpClientDeps = {},
): (post: JsonPost) => Promise<JsonPostResult> {
  const doFetch = deps.fetch ?? fetch;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = deps.random ?? Math.random;
  const now = deps.now ?? Date.now;

  return async (post) => {
    const secrets = post.secrets ?? [];
    const reasonOf = post.reasonOf ?? defaultReason;
    const payload = JSON.stringify(post.body);
    let last: ChannelDeliveryError | undefined;

    for (let attempt = 1; attempt <= policy.maxAttempts; attempt += 1) {
      const remaining = post.deadline - now();
      if (remaining <= 0) break;
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), Math.min(policy.attemptTimeoutMs, remaining));
      let status: number;
      let body: string;
      let retryAfter: string | null = null;
      try {
        const res = await doFetch(post.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: payload,
          signal: controller.signal,
        });
        status = res.status;
        retryAfter = res.headers.get('retry-after');
        body = await res.text();
      } catch (err) {
        const timedOut = controller.signal.aborted;
        last = new ChannelDeliveryError(
          timedOut ? 'TIMEOUT' : 'NETWORK_ERROR',
          timedOut ? `${post.target} did not answer in time` : `${post.target} could not be reached`,
          { retryable: true, attempts: attempt, cause: scrubbedCause(err, secrets) },
        );
        status = 0;
        body = '';
      } finally {
        clearTimeout(timer);
      }

      if (status >= 200 && status < 300) return { status, body, attempts: attempt };

      let wait = backoffDelay(attempt, policy, random);
      if (status !== 0) {
        const reason = scrub(reasonOf(status, body), secrets).slice(0, MAX_REASON) || `HTTP ${status}`;
        if (status === 429) {
          const asked = parseRetryAfter(retryAfter, now());
          last = new ChannelDeliveryError('RATE_LIMITED', `${post.target} rate-limited the delivery`, {
            retryable: true,
            status,
            reason,
            attempts: attempt,
          });
          if (asked !== undefined) {
            // Waiting less than asked only earns another 429; give the wait back to the invoker instead.
            if (asked > policy.maxRetryAfterMs) break;
            wait = asked;
          }
        } else if (status === 408 || status >= 500) {
          last = new ChannelDeliveryError('SERVER_ERROR', `${post.target} failed with HTTP ${status}`, {
            retryable: true,
            status,
            reason,
            attempts: attempt,
          });
        } else {
          throw new ChannelDeliveryError(
            'REJECTED',
            `${post.target} rejected the delivery (HTTP ${status}: ${reason})`,
            {
              retryable: false,
              status,
              reason,
              attempts: attempt,
            },
          );
        }
      }

      if (attempt === policy.maxAttempts || now() + wait >= post.deadline) break;
      await sleep(wait);
    }

    throw (
      last ??
      new ChannelDeliveryError('DEADLINE_EXCEEDED', `${post.target}: no time left to deliver`, {
        retryable: true,
      })
    );
  };
}
