/** Builds log search requests and reads their answers. Pure. */
import * as z from 'zod/mini';
import { levelsAtLeast, LOG_LEVELS } from './log-document';
import type { LogCategory, LogLevel } from './log-document';
import { LogSearchError } from './log-errors';
import '../domain/zod-locale';

/** A search across `logs-*`. */
export interface LogSearchQuery {
  /** Exactly this level. */
  readonly level?: LogLevel;
  /** This level or a more severe one: `error` finds error and fatal lines. */
  readonly minLevel?: LogLevel;
  readonly service?: string;
  readonly from: Date;
  readonly to: Date;
  /** Free text over `message` (simple query string syntax, all terms required). */
  readonly query?: string;
  readonly category?: LogCategory;
  readonly size: number;
  /** Opaque cursor from a previous page. */
  readonly cursor?: string;
}

/** One hit. */
export interface LogHit {
  readonly index: string;
  readonly id: string;
  readonly timestamp: string;
  readonly level: LogLevel;
  readonly service?: string;
  readonly message: string;
  readonly traceId?: string;
  readonly requestId?: string;
  readonly logGroup?: string;
  readonly format?: string;
  readonly notes?: readonly string[];
  readonly fields?: Record<string, unknown>;
}

/** One page, newest first. `nextCursor` is absent on the last page. */
export interface LogSearchPage {
  readonly hits: readonly LogHit[];
  readonly nextCursor?: string;
}

/** Largest page. */
export const MAX_SEARCH_SIZE = 1000;

const cursorSchema = z.tuple([z.union([z.number(), z.string()]), z.string()]);

/** Encodes the sort values of the last hit. */
export function encodeCursor(sort: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(sort), 'utf8').toString('base64url');
}

/** Decodes a cursor; throws {@link LogSearchError} when it is not one of ours. */
export function decodeCursor(cursor: string): [number | string, string] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (error) {
    throw new LogSearchError('cursor is not valid', { cause: error });
  }
  const result = cursorSchema.safeParse(parsed);
  if (!result.success) throw new LogSearchError('cursor is not valid', { cause: result.error });
  return result.data;
}

/** The index pattern and body for a query. */
export function buildLogSearchRequest(query: LogSearchQuery): {
  index: string;
  body: Record<string, unknown>;
} {
  if (!(query.from.getTime() <= query.to.getTime()))
    throw new LogSearchError('`from` must not be after `to`');
  if (!Number.isInteger(query.size) || query.size < 1 || query.size > MAX_SEARCH_SIZE) {
    throw new LogSearchError(`size must be an integer from 1 to ${MAX_SEARCH_SIZE}`);
  }
  const filter: Record<string, unknown>[] = [
    { range: { '@timestamp': { gte: query.from.toISOString(), lte: query.to.toISOString() } } },
  ];
  if (query.level !== undefined) filter.push({ term: { level: query.level } });
  if (query.minLevel !== undefined) filter.push({ terms: { level: levelsAtLeast(query.minLevel) } });
  if (query.service !== undefined) filter.push({ term: { service: query.service } });
  const must: Record<string, unknown>[] =
    query.query === undefined || query.query.trim() === ''
      ? []
      : [{ simple_query_string: { query: query.query, fields: ['message'], default_operator: 'and' } }];
  const body: Record<string, unknown> = {
    size: query.size,
    query: { bool: { filter, must } },
    // event_id breaks ties between lines of the same millisecond so paging never skips or repeats.
    sort: [{ '@timestamp': { order: 'desc' } }, { event_id: { order: 'desc' } }],
    track_total_hits: false,
  };
  if (query.cursor !== undefined) body.search_after = decodeCursor(query.cursor);
  return { index: query.category === undefined ? 'logs-*' : `logs-${query.category}-*`, body };
}

const hitSchema = z.object({
  _index: z.string(),
  _id: z.string(),
  sort: z.optional(z.array(z.unknown())),
  _source: z.object({
    '@timestamp': z.string(),
    level: z.catch(z.enum(LOG_LEVELS), 'info'),
    message: z.catch(z.string(), ''),
    service: z.optional(z.string()),
    trace_id: z.optional(z.string()),
    request_id: z.optional(z.string()),
    log_group: z.optional(z.string()),
    format: z.catch(z.optional(z.string()), undefined),
    notes: z.catch(z.optional(z.array(z.string())), undefined),
    fields: z.optional(z.record(z.string(), z.unknown())),
  }),
});
const responseSchema = z.object({ hits: z.object({ hits: z.array(hitSchema) }) });

/** Maps a search response body to a page. */
export function readLogSearchResponse(body: unknown, size: number): LogSearchPage {
  const parsed = responseSchema.safeParse(body);
  if (!parsed.success) throw new LogSearchError('unexpected search response', { cause: parsed.error });
  const raw = parsed.data.hits.hits;
  const hits: LogHit[] = raw.map((hit) => {
    const source = hit._source;
    return {
      index: hit._index,
      id: hit._id,
      timestamp: source['@timestamp'],
      level: source.level,
      message: source.message,
      ...(source.service !== undefined ? { service: source.service } : {}),
      ...(source.trace_id !== undefined ? { traceId: source.trace_id } : {}),
      ...(source.request_id !== undefined ? { requestId: source.request_id } : {}),
      ...(source.log_group !== undefined ? { logGroup: source.log_group } : {}),
      ...(source.format !== undefined ? { format: source.format } : {}),
      ...(source.notes !== undefined ? { notes: source.notes } : {}),
      ...(source.fields !== undefined ? { fields: source.fields } : {}),
    };
  });
  const last = raw[raw.length - 1];
  return raw.length === size && last?.sort !== undefined
    ? { hits, nextCursor: encodeCursor(last.sort) }
    : { hits };
}
