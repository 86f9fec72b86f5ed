/** The indexed shape of one log line, and how documents are routed to daily indices. */

/** Log categories; each is its own family of daily indices. */
export const LOG_CATEGORIES = ['application', 'system', 'access', 'error'] as const;
/** A log category. */
export type LogCategory = (typeof LOG_CATEGORIES)[number];

/** Normalised levels, least to most severe. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'fatal'] as const;
/** A normalised level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Prefix shared by every log index; searches and retention target `logs-*`. */
export const LOG_INDEX_PREFIX = 'logs-';

/** One log event as stored in OpenSearch. Unknown source fields live under `fields`. */
export interface LogDocument {
  /** When the line says it happened (falls back to the CloudWatch ingestion timestamp). */
  readonly '@timestamp': string;
  readonly level: LogLevel;
  /** Full text, multi-line stack traces included. */
  readonly message: string;
  readonly service?: string;
  readonly trace_id?: string;
  readonly request_id?: string;
  readonly category: LogCategory;
  readonly log_group: string;
  readonly log_stream: string;
  readonly aws_account?: string;
  /** The CloudWatch event id; also the document `_id`, so redelivery overwrites instead of duplicating. */
  readonly event_id: string;
  /** Source fields without a mapping of their own (OpenSearch `flat_object`). */
  readonly fields?: Readonly<Record<string, unknown>>;
}

/** A document with its target index and the line it came from (kept for the dead-letter queue). */
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

/** Daily index of a category for an epoch-millisecond time, by UTC date: `logs-<category>-YYYY.MM.DD`. */
export function indexNameFor(category: LogCategory, epochMs: number): string {
  const date = new Date(epochMs);
  const month = String(date.getUTCMonth() + 1).padStart(2, '0');
  const day = String(date.getUTCDate()).padStart(2, '0');
  return `${LOG_INDEX_PREFIX}${category}-${date.getUTCFullYear()}.${month}.${day}`;
}
