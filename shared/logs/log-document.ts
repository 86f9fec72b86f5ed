/** The indexed shape of one log line, and how documents are routed to daily indices. */

/** Log categories; each is its own family of daily indices. */
export const LOG_CATEGORIES = ['application', 'system', 'access', 'error'] as const;
/** A log category. */
export type LogCategory = (typeof LOG_CATEGORIES)[number];

/** Normalised levels, least to most severe. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'fatal'] as const;
/** A normalised level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The shapes the parser recognises; `text` is anything else. */
export const LOG_FORMATS = [
  'json',
  'logfmt',
  'lambda-runtime',
  'lambda-platform',
  'clf',
  'combined',
  'apigw',
  'apigw-execution',
  'alb',
  'syslog',
  'text',
] as const;
/** A recognised line shape. */
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Where `@timestamp` came from: the line itself, or the CloudWatch event (arrival) time. */
export type TimestampSource = 'line' | 'arrival';

/** Prefix shared by every log index; searches and retention target `logs-*`. */
export const LOG_INDEX_PREFIX = 'logs-';

/** One log event as stored in OpenSearch. Unknown source fields live under `fields`. */
export interface LogDocument {
  /** When the line says it happened, if believable; otherwise the CloudWatch event time. */
  readonly '@timestamp': string;
  readonly level: LogLevel;
  /** Full text, multi-line stack traces included. */
  readonly message: string;
  /** The line's own service, else the one configured (or derived) for its log group. */
  readonly service?: string;
  readonly trace_id?: string;
  readonly request_id?: string;
  readonly category: LogCategory;
  readonly log_group: string;
  readonly log_stream: string;
  readonly aws_account?: string;
  /** The CloudWatch event id; also the document `_id`, so redelivery overwrites instead of duplicating. */
  readonly event_id: string;
  /** The CloudWatch event time (what the producer reported when it wrote the line). */
  readonly event_time: string;
  /** The shape the line was read as. */
  readonly format: LogFormat;
  readonly timestamp_source: TimestampSource;
  /**
   * What the parser did to the line's values, e.g. `level:coerced`, `timestamp:unusable`,
   * `timestamp:out_of_range`, `fields.payload:cut`, `merged:3`. Absent when nothing was changed.
   */
  readonly notes?: readonly string[];
  /** Source fields without a mapping of their own (OpenSearch `flat_object`). */
  readonly fields?: Readonly<Record<string, unknown>>;
  /** Whole values whose indexed copy under `fields` was cut, by path (kept, not indexed). */
  readonly overflow?: Readonly<Record<string, unknown>>;
  /** Ids of the following events folded into this one (the lines of a split stack trace). */
  readonly merged_event_ids?: readonly string[];
}

/** A document with its target index and the line(s) it came from (kept for the dead-letter queue). */
export interface IndexableLog {
  readonly index: string;
  readonly id: string;
  readonly document: LogDocument;
  readonly original: string;
}

/** Returns `true` when `value` is one of {@link LOG_CATEGORIES}. */
export function isLogCategory(value: string): value is LogCategory {
  return (LOG_CATEGORIES as readonly string[]).includes(value);
}

/** The levels at least as severe as `level`: `error` gives error and fatal. */
export function levelsAtLeast(level: LogLevel): LogLevel[] {
  return LOG_LEVELS.slice(LOG_LEVELS.indexOf(level));
}

/** Daily index of a category for an epoch-millisecond time, by UTC date: `logs-<category>-YYYY.MM.DD`. */
export function indexNameFor(category: LogCategory, epochMs: number): string {
  return indexNameForIso(category, new Date(epochMs).toISOString());
}

/** {@link indexNameFor} from an ISO 8601 UTC time (`2024-07-01T...Z`), as documents carry it. */
export function indexNameForIso(category: LogCategory, iso: string): string {
  // YYYY-MM-DDT... (years past 9999 are written +YYYYYY-MM-DDT...)
  const t = iso.indexOf('T');
  return `${LOG_INDEX_PREFIX}${category}-${iso.slice(0, t - 6)}.${iso.slice(t - 5, t - 3)}.${iso.slice(t - 2, t)}`;
}
