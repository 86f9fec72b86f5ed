/**
 * GetMetricData for the rule evaluator: one planned batch (at most 500 queries) per call, paged
 * with NextToken, pages merged per query, PartialData and error statuses reported per query, and
 * throttling retried with exponential backoff before the batch is given up.
 */
import type {
  GetMetricDataCommandInput,
  GetMetricDataCommandOutput,
  MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import type { BatchData, MetricDataReader } from '../domain/evaluation/evaluator';
import type { DataPoint } from '../domain/evaluation/evaluate-rule';
import type { QueryBatch } from '../domain/evaluation/query-plan';
import { MAX_QUERIES_PER_CALL } from '../domain/evaluation/query-plan';
import { VigilError } from '../domain/errors';

/** What the adapter needs of CloudWatch: GetMetricData (over HTTP in the Lambdas, the replay's stand-in). */
export interface GetMetricDataSender {
  send(
    command: { readonly input: GetMetricDataCommandInput },
    options?: { abortSignal?: AbortSignal },
  ): Promise<GetMetricDataCommandOutput>;
}

/** A batch of metric data that could not be read (throttled past the retries, timed out, refused). */
export class MetricDataError extends VigilError {
  public constructor(
    code: 'THROTTLED' | 'TIMEOUT' | 'TOO_MANY_QUERIES' | 'TOO_MANY_PAGES',
    message: string,
    cause?: unknown,
  ) {
    super(code, message, { cause });
    this.name = 'MetricDataError';
  }
}

/** Options of {@link CloudWatchMetricData}. */
export interface CloudWatchMetricDataOptions {
  /** Attempts per call when CloudWatch throttles. @default 4 */
  readonly maxAttempts?: number;
  /** First backoff delay; it doubles per attempt. @default 200 */
  readonly baseDelayMs?: number;
  /** Time one batch (all its pages and retries) may take. @default 20000 */
  readonly timeoutMs?: number;
  /** Pages one batch may take before it is given up. @default 50 */
  readonly maxPages?: number;
  /** Waits between retries. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'LimitExceededFault',
]);

/** True for an error CloudWatch returns when it throttles (or a retryable 5xx). */
export function isThrottling(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status =
    (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ??
    (error as { status?: number }).status;
  return THROTTLING.has(error.name) || status === 429 || (status !== undefined && status >= 500);
}

function whenAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
  });
}

interface Merged {
  readonly id: string;
  readonly points: DataPoint[];
  status: string;
  messages: string[];
}

/** MetricDataReader on CloudWatch GetMetricData. */
export class CloudWatchMetricData implements MetricDataReader {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly timeoutMs: number;
  private readonly maxPages: number;
  private readonly sleep: (ms: number) => Promise<void>;

  public constructor(
    private readonly client: GetMetricDataSender,
    options: CloudWatchMetricDataOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 4;
    this.baseDelayMs = options.baseDelayMs ?? 200;
    this.timeoutMs = options.timeoutMs ?? 20_000;
    this.maxPages = options.maxPages ?? 50;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** @inheritdoc */
  public async read(batch: QueryBatch): Promise<BatchData> {
    if (batch.queries.length > MAX_QUERIES_PER_CALL) {
      throw new MetricDataError(
        'TOO_MANY_QUERIES',
        `a GetMetricData call takes at most ${MAX_QUERIES_PER_CALL} queries, got ${batch.queries.length}`,
      );
    }
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.timeoutMs);
    try {
      return await this.readPages(batch, abort.signal);
    } finally {
      clearTimeout(timer);
    }
  }

  private async readPages(batch: QueryBatch, signal: AbortSignal): Promise<BatchData> {
    const merged = new Map<string, Merged>();
    let token: string | undefined;
    let calls = 0;
    do {
      if (calls >= this.maxPages) {
        throw new MetricDataError('TOO_MANY_PAGES', `GetMetricData still paging after ${calls} pages`);
      }
      const command = {
        input: {
          StartTime: new Date(batch.startTime),
          EndTime: new Date(batch.endTime),
          MetricDataQueries: batch.queries.map((q) => q as MetricDataQuery),
          ScanBy: 'TimestampAscending',
          NextToken: token,
        } satisfies GetMetricDataCommandInput,
      };
      const out = await this.callWithRetry(command, signal);
      calls++;
      for (const r of out.MetricDataResults ?? []) {
        if (r.Id === undefined) continue;
        const key = `${r.Id}\u0000${r.Label ?? ''}`;
        const entry = merged.get(key) ?? { id: r.Id, points: [], status: 'Complete', messages: [] };
        const timestamps = r.Timestamps ?? [];
        const values = r.Values ?? [];
        timestamps.forEach((t, i) => {
          const v = values[i];
          if (v !== undefined) entry.points.push([new Date(t).getTime(), v]);
        });
        entry.status = r.StatusCode ?? 'Complete';
        entry.messages.push(...(r.Messages ?? []).map((m) => `${m.Code ?? ''} ${m.Value ?? ''}`.trim()));
        merged.set(key, entry);
      }
      token = out.NextToken;
    } while (token !== undefined);

    const series = new Map<string, DataPoint[][]>();
    const failures = new Map<string, string>();
    for (const entry of merged.values()) {
      if (entry.status !== 'Complete') {
        const detail = entry.messages.length > 0 ? `: ${entry.messages.join('; ')}` : '';
        failures.set(entry.id, `GetMetricData returned ${entry.status}${detail}`);
        continue;
      }
      series.set(entry.id, [...(series.get(entry.id) ?? []), entry.points]);
    }
    return { series, failures, calls };
  }

  private async callWithRetry(
    command: { readonly input: GetMetricDataCommandInput },
    signal: AbortSignal,
  ): Promise<GetMetricDataCommandOutput> {
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) {
        throw new MetricDataError('TIMEOUT', `GetMetricData took longer than ${this.timeoutMs} ms`);
      }
      try {
        // Raced as well: a client that ignores the signal must not hold the evaluation past its budget.
        return await Promise.race([this.client.send(command, { abortSignal: signal }), whenAborted(signal)]);
      } catch (error) {
        if (signal.aborted) {
          throw new MetricDataError('TIMEOUT', `GetMetricData took longer than ${this.timeoutMs} ms`, error);
        }
        if (!isThrottling(error)) throw error;
        if (attempt >= this.maxAttempts) {
          throw new MetricDataError(
            'THROTTLED',
            `GetMetricData throttled ${attempt} times in a row; giving up this minute`,
            error,
          );
        }
        await this.sleep(this.baseDelayMs * 2 ** (attempt - 1));
      }
    }
  }
}
