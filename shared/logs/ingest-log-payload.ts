/** The indexer's use case: one subscription payload in, documents indexed or dead-lettered. */
import { indexLogDocuments } from './index-log-documents';
import type { IndexLogDeps } from './index-log-documents';
import { indexNameFor } from './log-document';
import type { IndexableLog, LogCategory } from './log-document';
import { LogPayloadError } from './log-errors';
import { parseLogEvent } from './parse-log-line';
import { decodeSubscriptionPayload, DEFAULT_MAX_DECOMPRESSED_BYTES } from './subscription-payload';

// An SQS message holds at most 256 KiB; keep a raw payload's head, enough to diagnose it.
const MAX_RAW_PAYLOAD_CHARS = 200_000;

/** What {@link ingestLogPayload} needs beyond the indexing ports. */
export interface IngestLogDeps extends IndexLogDeps {
  /** Category of each known log group. */
  readonly categories: Readonly<Record<string, LogCategory>>;
  /** Category of log groups not in the map. */
  readonly defaultCategory: LogCategory;
  /** @default DEFAULT_MAX_DECOMPRESSED_BYTES */
  readonly maxDecompressedBytes?: number;
}

/** Outcome of one payload. */
export type IngestLogResult =
  | { readonly status: 'skipped'; readonly reason: 'control_message' }
  | { readonly status: 'rejected'; readonly code: string }
  | {
      readonly status: 'indexed';
      readonly category: LogCategory;
      readonly indexed: number;
      readonly deadLettered: number;
      readonly attempts: number;
      /** Epoch ms of the newest log event in the payload (for the ingest-lag metric). */
      readonly newestEventAt?: number;
    };

/** Picks the category of a log group. */
export function resolveCategory(
  logGroup: string,
  categories: Readonly<Record<string, LogCategory>>,
  fallback: LogCategory,
): LogCategory {
  return categories[logGroup] ?? fallback;
}

/**
 * Decodes, parses and indexes one `awslogs.data` payload. An undecodable payload is dead-lettered
 * whole (retrying cannot fix it); throttling that outlasts the retries throws.
 */
export async function ingestLogPayload(data: string, deps: IngestLogDeps): Promise<IngestLogResult> {
  let payload;
  try {
    payload = decodeSubscriptionPayload(data, deps.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES);
  } catch (error) {
    if (!(error instanceof LogPayloadError)) throw error;
    const truncated = data.length > MAX_RAW_PAYLOAD_CHARS;
    await deps.deadLetters.send([
      {
        code: error.code,
        reason: truncated
          ? `${error.message} (raw payload truncated to ${MAX_RAW_PAYLOAD_CHARS} chars)`
          : error.message,
        original: truncated ? data.slice(0, MAX_RAW_PAYLOAD_CHARS) : data,
        at: (deps.now?.() ?? new Date()).toISOString(),
      },
    ]);
    return { status: 'rejected', code: error.code };
  }
  if (payload.messageType === 'CONTROL_MESSAGE') return { status: 'skipped', reason: 'control_message' };

  const category = resolveCategory(payload.logGroup, deps.categories, deps.defaultCategory);
  const source = { category, logGroup: payload.logGroup, logStream: payload.logStream, owner: payload.owner };
  const logs: IndexableLog[] = payload.logEvents.map((event) => ({
    index: indexNameFor(category, event.timestamp),
    id: event.id,
    document: parseLogEvent(event, source),
    original: event.message,
  }));
  const result = await indexLogDocuments(logs, deps);
  const newest = payload.logEvents.reduce((acc, e) => Math.max(acc, e.timestamp), Number.NEGATIVE_INFINITY);
  return {
    newestEventAt: Number.isFinite(newest) ? newest : undefined,
    status: 'indexed',
    category,
    indexed: result.indexed,
    deadLettered: result.deadLettered,
    attempts: result.attempts,
  };
}
