/** Splits documents into bulk requests bounded by bytes and by count. Pure. */
import type { IndexableLog } from './log-document';

/** Limits of one bulk request. */
export interface BulkLimits {
  /** Upper bound of the NDJSON body in bytes (OpenSearch Service caps HTTP bodies at 10 MiB or more). */
  readonly maxBytes: number;
  /** Upper bound of documents per request. */
  readonly maxCount: number;
}

/** Defaults: 5 MiB keeps well under the smallest domain's 10 MiB limit. */
export const DEFAULT_BULK_LIMITS: BulkLimits = { maxBytes: 5 * 1024 * 1024, maxCount: 1000 };

/** One item serialised as its two NDJSON lines. */
export interface BulkItem {
  readonly log: IndexableLog;
  /** `{"index":...}\n{document}\n` */
  readonly ndjson: string;
  readonly bytes: number;
}

/** The outcome of chunking: requests to send and documents too large for any request. */
export interface BulkPlan {
  readonly chunks: readonly (readonly BulkItem[])[];
  readonly oversized: readonly BulkItem[];
}

/** Serialises one document as a bulk `index` action (an overwrite: redelivery stays idempotent). */
export function toBulkItem(log: IndexableLog): BulkItem {
  const action = `{"index":{"_index":${JSON.stringify(log.index)},"_id":${JSON.stringify(log.id)}}}`;
  const document = JSON.stringify(log.document);
  // Measured in parts: measuring the joined line would flatten it, one more copy of every document.
  const bytes = Buffer.byteLength(action, 'utf8') + Buffer.byteLength(document, 'utf8') + 2;
  return { log, ndjson: `${action}\n${document}\n`, bytes };
}

/** Packs items in order into chunks that respect both limits. */
export function planBulkRequests(
  items: readonly BulkItem[],
  limits: BulkLimits = DEFAULT_BULK_LIMITS,
): BulkPlan {
  if (limits.maxBytes <= 0 || limits.maxCount <= 0) throw new RangeError('bulk limits must be positive');
  const chunks: BulkItem[][] = [];
  const oversized: BulkItem[] = [];
  let current: BulkItem[] = [];
  let currentBytes = 0;
  for (const item of items) {
    if (item.bytes > limits.maxBytes) {
      oversized.push(item);
      continue;
    }
    if (
      current.length > 0 &&
      (currentBytes + item.bytes > limits.maxBytes || current.length >= limits.maxCount)
    ) {
      chunks.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(item);
    currentBytes += item.bytes;
  }
  if (current.length > 0) chunks.push(current);
  return { chunks, oversized };
}
