/**
 * Turns one CloudWatch log event into a {@link LogDocument}: structured JSON (Powertools, Lambda's
 * JSON log format, pino, bunyan, winston, structlog, Serilog, ECS, Docker/Fluent Bit wrappers),
 * logfmt, Lambda runtime and platform lines of every runtime, access logs (CLF, combined, API
 * Gateway, ALB), syslog (RFC 3164 and 5424), Ruby and glog lines, and plain text with a leading
 * time and level. Nothing in a line is dropped: what is not mapped is kept under `fields`, and
 * `notes` says where a value was converted, unusable or cut. Pure.
 */
import { albLine, accessLine } from './access-lines';
import { boundFields } from './bound-fields';
import { apigwExecution, platformLine, pythonRuntime, runtimeTsv } from './lambda-lines';
import { addNote, plainText, timedText } from './line-extraction';
import type { Continuation, Extracted } from './line-extraction';
import type { LogCategory, LogDocument, TimestampSource } from './log-document';
import { DEFAULT_TIMESTAMP_BOUNDS, formatIsoTime, isBelievable } from './log-timestamps';
import type { TimestampBounds } from './log-timestamps';
import { jsonLine, logfmtLine } from './structured-lines';
import { glogLine, rubyLine, syslog3164, syslog5424 } from './system-lines';

export { normaliseLevel } from './log-levels';
export { parseTimestamp } from './log-timestamps';
export type { Continuation } from './line-extraction';

/** Where an event came from. */
export interface LogSource {
  readonly category: LogCategory;
  readonly logGroup: string;
  readonly logStream: string;
  readonly owner?: string;
  /** The log group's service (configured or derived); the line's own service wins over it. */
  readonly service?: string;
}

/** One CloudWatch event. */
export interface RawLogEvent {
  readonly id: string;
  readonly timestamp: number;
  readonly message: string;
}

/** Options of {@link readLogEvent}. */
export interface ParseOptions {
  /** @default DEFAULT_TIMESTAMP_BOUNDS */
  readonly bounds?: TimestampBounds;
}

/** A parsed event: its document, the epoch ms of `@timestamp`, and whether it may continue the previous event. */
export interface ParsedLogEvent {
  readonly document: LogDocument;
  readonly timeMs: number;
  readonly continuation?: Continuation;
}

const MONTH_START = /^(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) /;

/** Removes trailing white space (runtimes end lines with a newline; REPORT lines with a tab too). */
function trimLine(message: string): string {
  const last = message.charCodeAt(message.length - 1);
  return last === 10 || last === 13 || last === 32 || last === 9 ? message.trimEnd() : message;
}

const readWrapped = (text: string, arrivalMs: number): Extracted =>
  extractLine(trimLine(text), arrivalMs, true);

/** Tries the recognisers whose first character fits, cheapest checks first. */
function extractLine(line: string, arrivalMs: number, nested = false): Extracted {
  const first = line.charCodeAt(0);
  if (first === 123) {
    // A wrapper's own line (Docker's `log`) is read once more, not deeper.
    return jsonLine(line, arrivalMs, nested ? undefined : readWrapped) ?? plainText(line);
  }
  if (first >= 48 && first <= 57) {
    return runtimeTsv(line) ?? accessLine(line) ?? timedText(line) ?? plainText(line);
  }
  if (first === 91) {
    return pythonRuntime(line) ?? timedText(line) ?? plainText(line);
  }
  if (first === 60) {
    return syslog5424(line) ?? syslog3164(line, arrivalMs) ?? plainText(line);
  }
  if (first === 40) {
    return apigwExecution(line) ?? plainText(line);
  }
  if ((first >= 65 && first <= 90) || (first >= 97 && first <= 122)) {
    return (
      platformLine(line) ??
      albLine(line) ??
      (MONTH_START.test(line) ? syslog3164(line, arrivalMs) : undefined) ??
      (line.charCodeAt(1) === 44 ? rubyLine(line) : undefined) ??
      glogLine(line, arrivalMs) ??
      logfmtLine(line) ??
      accessLine(line) ??
      plainText(line)
    );
  }
  return accessLine(line) ?? plainText(line);
}

/**
 * Parses one event. The line's time is used when it is within `bounds` of the event time; else the
 * event time is, and the note `timestamp:out_of_range` and the original text in `fields` say so.
 */
export function readLogEvent(
  event: RawLogEvent,
  source: LogSource,
  options: ParseOptions = {},
): ParsedLogEvent {
  const bounds = options.bounds ?? DEFAULT_TIMESTAMP_BOUNDS;
  const arrival = event.timestamp;
  const extracted = extractLine(trimLine(event.message), arrival);
  let fields = extracted.fields;
  let timeMs = arrival;
  let timestampSource: TimestampSource = 'arrival';
  if (extracted.time !== undefined) {
    if (isBelievable(extracted.time, arrival, bounds)) {
      timeMs = extracted.time;
      timestampSource = 'line';
    } else {
      addNote(extracted, 'timestamp:out_of_range');
      fields = { ...fields, [extracted.timeKey ?? 'timestamp']: extracted.timeRaw };
    }
  }
  let overflow: Record<string, unknown> | undefined;
  if (fields !== undefined) {
    const bounded = boundFields(fields);
    fields = bounded.fields;
    overflow = bounded.overflow;
    for (const note of bounded.notes) addNote(extracted, note);
  }
  const timestamp = formatIsoTime(timeMs);
  // One literal with every field, absent ones undefined (JSON leaves them out): every document has
  // the same shape, built without intermediate objects.
  const document: LogDocument = {
    '@timestamp': timestamp,
    level: extracted.level ?? 'info',
    message: extracted.message,
    service: extracted.service ?? source.service,
    trace_id: extracted.traceId,
    request_id: extracted.requestId,
    category: source.category,
    log_group: source.logGroup,
    log_stream: source.logStream,
    aws_account: source.owner,
    event_id: event.id,
    event_time: timeMs === arrival ? timestamp : formatIsoTime(arrival),
    format: extracted.format,
    timestamp_source: timestampSource,
    notes: extracted.notes,
    fields,
    overflow,
    merged_event_ids: undefined,
  };
  return extracted.continuation === undefined
    ? { document, timeMs }
    : { document, timeMs, continuation: extracted.continuation };
}

/** Parses one event into its document (see {@link readLogEvent}). */
export function parseLogEvent(
  event: RawLogEvent,
  source: LogSource,
  options: ParseOptions = {},
): LogDocument {
  return readLogEvent(event, source, options).document;
}
