/** Turns one CloudWatch log event (JSON or plain text) into a {@link LogDocument}. Pure. */
import type { LogCategory, LogDocument, LogLevel } from './log-document';
import { isCalendarDate } from './relative-time';

/** Where an event came from. */
export interface LogSource {
  readonly category: LogCategory;
  readonly logGroup: string;
  readonly logStream: string;
  readonly owner?: string;
}

/** One CloudWatch event. */
export interface RawLogEvent {
  readonly id: string;
  readonly timestamp: number;
  readonly message: string;
}

// flat_object indexes each value as one keyword term; Lucene rejects terms over 32 KiB,
// so long values are cut (4 bytes per char at worst keeps us well under).
const MAX_FIELD_VALUE_CHARS = 4096;

const LEVEL_ALIASES: Readonly<Record<string, LogLevel>> = {
  trace: 'debug',
  debug: 'debug',
  verbose: 'debug',
  info: 'info',
  information: 'info',
  notice: 'info',
  log: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  err: 'error',
  fatal: 'fatal',
  critical: 'fatal',
  crit: 'fatal',
  alert: 'fatal',
  emerg: 'fatal',
  emergency: 'fatal',
  panic: 'fatal',
};

/** Normalises a level name or a pino/bunyan number; `undefined` when unrecognised. */
export function normaliseLevel(value: unknown): LogLevel | undefined {
  if (typeof value === 'number') {
    if (value >= 60) return 'fatal';
    if (value >= 50) return 'error';
    if (value >= 40) return 'warn';
    if (value >= 30) return 'info';
    return value > 0 ? 'debug' : undefined;
  }
  if (typeof value !== 'string') return undefined;
  return LEVEL_ALIASES[value.trim().toLowerCase()];
}

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};
// Common log format: 10/Oct/2000:13:55:36 -0700
const CLF_TIME = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;
const ISO_LIKE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}([.,]\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;
// Years outside this window are treated as a broken clock rather than data.
const MIN_EPOCH_MS = Date.UTC(2000, 0, 1);
const MAX_EPOCH_MS = Date.UTC(2200, 0, 1);

/**
 * Parses ISO 8601 (with or without zone: no zone means UTC), `YYYY-MM-DD HH:MM:SS,mmm`,
 * common-log-format times, and epoch numbers in seconds or milliseconds.
 */
export function parseTimestamp(value: unknown): Date | undefined {
  let ms: number | undefined;
  if (typeof value === 'number' && Number.isFinite(value)) {
    ms = value < 1e11 ? value * 1000 : value;
  } else if (typeof value === 'string') {
    const text = value.trim();
    const clf = CLF_TIME.exec(text);
    if (clf !== null) {
      const [, dd, mon, yyyy, hh, mi, ss, sign, oh, om] = clf;
      const month = MONTHS[mon ?? ''];
      if (month === undefined) return undefined;
      const offset = (Number(oh) * 60 + Number(om)) * (sign === '-' ? -1 : 1);
      ms = Date.UTC(Number(yyyy), month, Number(dd), Number(hh), Number(mi), Number(ss)) - offset * 60_000;
    } else if (/^\d{10}(\.\d+)?$|^\d{13}$/.test(text)) {
      return parseTimestamp(Number(text));
    } else if (
      ISO_LIKE.test(text) &&
      isCalendarDate(Number(text.slice(0, 4)), Number(text.slice(5, 7)), Number(text.slice(8, 10)))
    ) {
      let iso = text.replace(' ', 'T').replace(',', '.');
      if (!/(Z|[+-]\d{2}:?\d{2})$/.test(iso)) iso += 'Z';
      ms = Date.parse(iso);
    }
  }
  if (ms === undefined || Number.isNaN(ms) || ms < MIN_EPOCH_MS || ms > MAX_EPOCH_MS) return undefined;
  return new Date(ms);
}

interface Extracted {
  timestamp?: Date;
  level?: LogLevel;
  message: string;
  service?: string;
  traceId?: string;
  requestId?: string;
  fields?: Record<string, unknown>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const firstString = (record: Record<string, unknown>, keys: readonly string[]): string | undefined => {
  for (const key of keys) {
    const value = record[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
};

const TIME_KEYS = ['timestamp', '@timestamp', 'time', 'ts', 'datetime'] as const;
const LEVEL_KEYS = ['level', 'severity', 'levelname', 'log_level', 'lvl', 'loglevel'] as const;
const MESSAGE_KEYS = ['message', 'msg', 'log'] as const;
const SERVICE_KEYS = ['service', 'service_name', 'serviceName'] as const;
const TRACE_KEYS = ['xray_trace_id', 'trace_id', 'traceId', 'xrayTraceId'] as const;
const REQUEST_KEYS = [
  'function_request_id',
  'requestId',
  'request_id',
  'awsRequestId',
  'aws_request_id',
] as const;
const KNOWN_KEYS = new Set<string>([
  ...TIME_KEYS,
  ...LEVEL_KEYS,
  ...MESSAGE_KEYS,
  ...SERVICE_KEYS,
  ...TRACE_KEYS,
  ...REQUEST_KEYS,
]);

/** Bounds string lengths inside unknown fields so no single value can make a document unindexable. */
function boundValues(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') {
    return value.length > MAX_FIELD_VALUE_CHARS ? `${value.slice(0, MAX_FIELD_VALUE_CHARS)}…` : value;
  }
  if (depth > 8) return JSON.stringify(value).slice(0, MAX_FIELD_VALUE_CHARS);
  if (Array.isArray(value)) return value.map((item) => boundValues(item, depth + 1));
  if (isRecord(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, boundValues(item, depth + 1)]),
    );
  }
  return value;
}

const compactFields = (record: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(record)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, boundValues(value)]),
  );

/** Service name from a log group when the line names none: `/aws/lambda/checkout` gives `checkout`. */
export function serviceFromLogGroup(logGroup: string): string | undefined {
  const last = logGroup
    .split('/')
    .filter((part) => part !== '')
    .pop();
  return last === undefined || last === '' ? undefined : last;
}

function extractJson(record: Record<string, unknown>): Extracted {
  const rawMessage = MESSAGE_KEYS.map((key) => record[key]).find((value) => value !== undefined);
  const platformType =
    typeof record.type === 'string' && record.type.startsWith('platform.') ? record.type : '';
  const message =
    typeof rawMessage === 'string'
      ? rawMessage
      : rawMessage !== undefined
        ? JSON.stringify(rawMessage)
        : platformType !== ''
          ? platformType
          : '';
  const levelValue = LEVEL_KEYS.map((key) => record[key]).find((value) => value !== undefined);
  const timeValue = TIME_KEYS.map((key) => record[key]).find((value) => value !== undefined);
  const rest = Object.fromEntries(Object.entries(record).filter(([key]) => !KNOWN_KEYS.has(key)));
  const extracted: Extracted = { message };
  const timestamp = parseTimestamp(timeValue);
  if (timestamp !== undefined) extracted.timestamp = timestamp;
  const level = normaliseLevel(levelValue) ?? (platformType !== '' ? 'info' : undefined);
  if (level !== undefined) extracted.level = level;
  const service = firstString(record, SERVICE_KEYS);
  if (service !== undefined) extracted.service = service;
  const traceId = firstString(record, TRACE_KEYS);
  if (traceId !== undefined) extracted.traceId = traceId;
  const requestId =
    firstString(record, REQUEST_KEYS) ??
    (isRecord(record.record) && typeof record.record.requestId === 'string'
      ? record.record.requestId
      : undefined);
  if (requestId !== undefined) extracted.requestId = requestId;
  if (Object.keys(rest).length > 0) {
    const bounded = boundValues(rest);
    if (isRecord(bounded)) extracted.fields = bounded;
  }
  return extracted;
}

// Node.js runtime text format: <ISO>\t<request id>\t<LEVEL>\t<message...>
const LAMBDA_CONSOLE = /^(\d{4}-\d{2}-\d{2}T[^\t]+)\t([0-9a-f-]{8,}|undefined)\t([A-Za-z]+)\t([\s\S]*)$/;
const LAMBDA_PLATFORM =
  /^(START|END|REPORT|INIT_START|EXTENSION|TELEMETRY) (?:RequestId: ([0-9a-f-]+))?([\s\S]*)$/;
const REPORT_METRIC = /(Init Duration|Billed Duration|Duration|Max Memory Used|Memory Size): ([\d.]+)/g;
// Common / combined access log format (nginx, Apache, ALB-like).
const ACCESS_LOG =
  /^(\S+) \S+ (\S+) \[([^\]]+)\] "(\S+) (\S+)(?: (\S+))?" (\d{3}) (\d+|-)(?: "([^"]*)" "([^"]*)")?/;
// `<timestamp> [LEVEL] message`, `<timestamp> LEVEL message`, `LEVEL: message`, `[LEVEL] message`.
const LEADING_TIME = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?)\s+/;
const LEADING_LEVEL = /^\[?([A-Za-z]{3,11})\]?:?\s+([\s\S]*)$/;
const EXCEPTION_START = /^(?:[\w.$]*(?:Error|Exception)\b|Traceback \(most recent call last\)|panic:)/;

const METRIC_FIELD: Readonly<Record<string, string>> = {
  'Init Duration': 'init_duration_ms',
  'Billed Duration': 'billed_duration_ms',
  Duration: 'duration_ms',
  'Max Memory Used': 'max_memory_used_mb',
  'Memory Size': 'memory_size_mb',
};

function extractText(line: string): Extracted {
  const consoleMatch = LAMBDA_CONSOLE.exec(line);
  if (consoleMatch !== null) {
    const [, time, requestId, level, message] = consoleMatch;
    const extracted: Extracted = { message: message ?? '' };
    const timestamp = parseTimestamp(time);
    if (timestamp !== undefined) extracted.timestamp = timestamp;
    const normalised = normaliseLevel(level);
    if (normalised !== undefined) extracted.level = normalised;
    if (requestId !== undefined && requestId !== 'undefined') extracted.requestId = requestId;
    return extracted;
  }
  const platform = LAMBDA_PLATFORM.exec(line);
  if (platform !== null) {
    const [, kind, requestId, rest] = platform;
    const extracted: Extracted = { message: line.trimEnd(), level: 'info', fields: { lambda_event: kind } };
    if (requestId !== undefined) extracted.requestId = requestId;
    if (kind === 'REPORT' && rest !== undefined) {
      for (const [, name, value] of rest.matchAll(REPORT_METRIC)) {
        const field = METRIC_FIELD[name ?? ''];
        if (field !== undefined && extracted.fields !== undefined) extracted.fields[field] = Number(value);
      }
    }
    return extracted;
  }
  const access = ACCESS_LOG.exec(line);
  if (access !== null) {
    const [, clientIp, user, time, method, path, protocol, status, bytes, referrer, userAgent] = access;
    const code = Number(status);
    const extracted: Extracted = {
      message: line,
      level: code >= 500 ? 'error' : code >= 400 ? 'warn' : 'info',
      fields: compactFields({
        client_ip: clientIp,
        user: user === '-' ? undefined : user,
        method,
        path,
        protocol,
        status: code,
        bytes: bytes === '-' ? 0 : Number(bytes),
        referrer: referrer === '-' ? undefined : referrer,
        user_agent: userAgent,
      }),
    };
    const timestamp = parseTimestamp(time);
    if (timestamp !== undefined) extracted.timestamp = timestamp;
    return extracted;
  }
  let rest = line;
  const extracted: Extracted = { message: line };
  const time = LEADING_TIME.exec(rest);
  if (time !== null) {
    const timestamp = parseTimestamp(time[1]);
    if (timestamp !== undefined) {
      extracted.timestamp = timestamp;
      rest = rest.slice(time[0].length);
    }
  }
  const level = LEADING_LEVEL.exec(rest);
  const normalised = level === null ? undefined : normaliseLevel(level[1]);
  if (level !== null && normalised !== undefined) {
    extracted.level = normalised;
    rest = level[2] ?? '';
  } else if (EXCEPTION_START.test(rest)) {
    extracted.level = 'error';
  }
  extracted.message = rest;
  return extracted;
}

function extract(line: string): Extracted {
  const trimmed = line.trim();
  if (trimmed.startsWith('{') && trimmed.endsWith('}')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (isRecord(parsed)) return extractJson(parsed);
    } catch {
      // Not JSON after all: fall through to the text formats.
    }
  }
  return extractText(line.replace(/\r?\n$/, ''));
}

/** Parses one event. The event id becomes the document id; the message is never split. */
export function parseLogEvent(event: RawLogEvent, source: LogSource): LogDocument {
  const extracted = extract(event.message);
  const timestamp = extracted.timestamp ?? new Date(event.timestamp);
  const service = extracted.service ?? serviceFromLogGroup(source.logGroup);
  return {
    '@timestamp': timestamp.toISOString(),
    level: extracted.level ?? 'info',
    message: extracted.message,
    ...(service !== undefined ? { service } : {}),
    ...(extracted.traceId !== undefined ? { trace_id: extracted.traceId } : {}),
    ...(extracted.requestId !== undefined ? { request_id: extracted.requestId } : {}),
    category: source.category,
    log_group: source.logGroup,
    log_stream: source.logStream,
    ...(source.owner !== undefined ? { aws_account: source.owner } : {}),
    event_id: event.id,
    ...(extracted.fields !== undefined ? { fields: extracted.fields } : {}),
  };
}
