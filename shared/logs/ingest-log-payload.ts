/** The indexer's use case: one subscription payload in, documents indexed or dead-lettered. */
import { indexLogDocuments } from './index-log-documents';
import type { IndexLogDeps } from './index-log-documents';
import { indexNameForIso } from './log-document';
import type { IndexableLog, LogCategory } from './log-document';
import { LogPayloadError } from './log-errors';
import { serviceForLogGroup } from './log-group-service';
import type { TimestampBounds } from './log-timestamps';
import { ContinuationFolder } from './fold-continuations';
import { readLogEvent } from './parse-log-line';
import { decodeSubscriptionPayload, DEFAULT_MAX_DECOMPRESSED_BYTES } from './subscription-payload';
import type { SubscriptionPayload } from './subscription-payload';

// An SQS message holds at most 256 KiB; keep a raw payload's head, enough to diagnose it.
const MAX_RAW_PAYLOAD_CHARS = 200_000;

/** What {@link ingestLogPayload} needs beyond the indexing ports. */
export interface IngestLogDeps extends IndexLogDeps {
  /** Category of each known log group. */
  readonly categories: Readonly<Record<string, LogCategory>>;
  /** Category of log groups not in the map. */
  readonly defaultCategory: LogCategory;
  /**
   * Service of each configured log group; a group not in the map gets the derived one
   * (`deriveServiceFromLogGroup`). A line that names its own service keeps it. @default {}
   */
  readonly services?: Readonly<Record<string, string>>;
  /** How far from the event time a line's own time is believed. @default DEFAULT_TIMESTAMP_BOUNDS */
  readonly timestampBounds?: TimestampBounds;
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
      /** Log events in the payload. */
      readonly events: number;
      /** Events folded into the event before them (lines of one stack trace). */
      readonly merged: number;
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
  return Object.hasOwn(categories, logGroup) ? (categories[logGroup] ?? fallback) : fallback;
}

/** How a payload's lines are read: the log group's category and service, and the time bounds. */
export type PayloadReading = Pick<
  IngestLogDeps,
  'categories' | 'defaultCategory' | 'services' | 'timestampBounds'
>;

/**
 * The documents of a decoded payload, each routed to the daily index of its `@timestamp`, with the
 * lines of a stack trace split over several events folded back into one document.
 */
export function logsOfPayload(payload: SubscriptionPayload, reading: PayloadReading): IndexableLog[] {
  const category = resolveCategory(payload.logGroup, reading.categories, reading.defaultCategory);
  const service = serviceForLogGroup(payload.logGroup, reading.services ?? {});
  const source = {
    category,
    logGroup: payload.logGroup,
    logStream: payload.logStream,
    owner: payload.owner,
    ...(service !== undefined ? { service } : {}),
  };
  const options = reading.timestampBounds === undefined ? {} : { bounds: reading.timestampBounds };
  const logs: IndexableLog[] = [];
  const folder = new ContinuationFolder((document, _timeMs, original) => {
    logs.push({
      index: indexNameForIso(category, document['@timestamp']),
      id: document.event_id,
      document,
      original,
    });
  });
  for (const event of payload.logEvents)
    folder.push(readLogEvent(event, source, options), event.message, event.timestamp);
  folder.finish();
  return logs;
}

/**
 * Decodes, parses and indexes one `awslogs.data` payload into the daily index of each line's
 * `@timestamp`. An undecodable payload is dead-lettered whole (retrying cannot fix it); throttling
 * that outlasts the retries throws.
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

  const logs = logsOfPayload(payload, deps);
  const result = await indexLogDocuments(logs, deps);
  let newest = Number.NEGATIVE_INFINITY;
  for (const event of payload.logEvents) if (event.timestamp > newest) newest = event.timestamp;
  return {
    newestEventAt: Number.isFinite(newest) ? newest : undefined,
    status: 'indexed',
    category: resolveCategory(payload.logGroup, deps.categories, deps.defaultCategory),
    events: payload.logEvents.length,
    merged: payload.logEvents.length - logs.length,
    indexed: result.indexed,
    deadLettered: result.deadLettered,
    attempts: result.attempts,
  };
}
