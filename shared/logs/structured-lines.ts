/** Structured lines: JSON objects (every common logger's shape) and logfmt. Pure. */
import type { LogFormat, LogLevel } from './log-document';
import { levelFromHttpStatus, levelFromNumber, levelFromWord } from './log-levels';
import { epochToMs, parseTimestampMs } from './log-timestamps';
import { addNote, isRecord } from './line-extraction';
import type { Extracted } from './line-extraction';

/** Reads the text a wrapper record carries (Docker's `log`) as a line of its own. */
export type InnerLineReader = (line: string, arrivalMs: number) => Extracted;

// Known keys of structured lines, by what they hold, most trusted first.
const TIME_KEYS = [
  'timestamp',
  '@timestamp',
  'time',
  'ts',
  'datetime',
  '@t',
  'instant',
  'requestTimeEpoch',
  'requestTime',
];
const LEVEL_KEYS = [
  'level',
  'severity',
  'levelname',
  'log_level',
  'loglevel',
  'lvl',
  'log.level',
  '@l',
  'severityText',
  'level_name',
];
const MESSAGE_KEYS = ['message', 'msg', '@m', 'event', 'body', 'log', 'errorMessage', '@mt'];
const SERVICE_KEYS = ['service', 'service.name', 'service_name', 'serviceName'];
const TRACE_KEYS = ['xray_trace_id', 'trace_id', 'traceId', 'xrayTraceId', 'trace.id', 'AWS-XRAY-TRACE-ID'];
const REQUEST_KEYS = [
  'function_request_id',
  'requestId',
  'request_id',
  'awsRequestId',
  'aws_request_id',
  'AWSRequestId',
];
const STATUS_KEYS = ['status', 'statusCode', 'status_code', 'httpStatus', 'elb_status_code'] as const;
const ERROR_KEYS = ['errorType', 'errorMessage', '@x', 'exc_info', 'stack_trace', 'stackTrace'] as const;
// Powertools' placeholder when POWERTOOLS_SERVICE_NAME is not set: not a service.
const UNSET_SERVICE = 'service_undefined';

const TIME = 0;
const LEVEL = 1;
const MESSAGE = 2;
const SERVICE = 3;
const TRACE = 4;
const REQUEST = 5;
const GROUPS = 6;
/** The document field each group fills, as named in notes. */
const SUBJECTS = ['timestamp', 'level', 'message', 'service', 'trace_id', 'request_id'];
/** Key -> group * 16 + rank. */
const SLOTS: ReadonlyMap<string, number> = new Map(
  [TIME_KEYS, LEVEL_KEYS, MESSAGE_KEYS, SERVICE_KEYS, TRACE_KEYS, REQUEST_KEYS].flatMap((keys, group) =>
    keys.map((key, rank): [string, number] => [key, group * 16 + rank]),
  ),
);
/** Dotted keys also read nested (`"log": {"level": ...}`): group, rank, parent, child. */
const NESTED: readonly (readonly [number, number, string, string])[] = [
  [LEVEL, LEVEL_KEYS.indexOf('log.level'), 'log', 'level'],
  [SERVICE, SERVICE_KEYS.indexOf('service.name'), 'service', 'name'],
  [TRACE, TRACE_KEYS.indexOf('trace.id'), 'trace', 'id'],
];

// What a reader answers besides a value: skip silently (a placeholder), or cannot be used.
const SKIP = Symbol('skip');
const UNUSABLE = Symbol('unusable');
// Set by the readers for the value they return: it was converted / its key stays in `fields`.
const COERCED = 1;
const KEEP = 2;
let readFlags = 0;

function readTime(value: unknown): unknown {
  if (typeof value === 'string') return parseTimestampMs(value) ?? UNUSABLE;
  readFlags = COERCED;
  if (typeof value === 'number') return epochToMs(value) ?? UNUSABLE;
  // log4j2's JSON layout: {"epochSecond": ..., "nanoOfSecond": ...}
  if (isRecord(value) && typeof value.epochSecond === 'number') {
    const nanos = typeof value.nanoOfSecond === 'number' ? value.nanoOfSecond : 0;
    return epochToMs(value.epochSecond * 1000 + Math.floor(nanos / 1e6)) ?? UNUSABLE;
  }
  return UNUSABLE;
}

function readLevel(value: unknown): unknown {
  if (typeof value === 'string') return levelFromWord(value) ?? UNUSABLE;
  readFlags = COERCED;
  return typeof value === 'number' ? (levelFromNumber(value) ?? UNUSABLE) : UNUSABLE;
}

function readMessage(value: unknown, key: string): unknown {
  if (typeof value === 'string') return value;
  readFlags = COERCED;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  // An object or array logged as the message (Lambda's JSON format logs errors so) is kept as JSON text.
  if (key === 'message' || key === 'msg') return value === null ? UNUSABLE : JSON.stringify(value);
  // `event`, `body`, `log` hold objects in other schemas (ECS `log.level`): not a message, not unusable.
  return SKIP;
}

function readName(value: unknown, group: number): unknown {
  if (typeof value === 'string')
    return value === '' || (group === SERVICE && value === UNSET_SERVICE) ? SKIP : value;
  readFlags = COERCED;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  // OpenTelemetry / ECS style `{"service": {"name": "checkout", ...}}`: read the name, keep the object.
  if (isRecord(value) && typeof value.name === 'string' && value.name !== '') {
    readFlags = COERCED | KEEP;
    return value.name;
  }
  return UNUSABLE;
}

function readGroup(group: number, value: unknown, key: string): unknown {
  readFlags = 0;
  if (value === undefined) return SKIP;
  switch (group) {
    case TIME:
      return readTime(value);
    case LEVEL:
      return readLevel(value);
    case MESSAGE:
      return readMessage(value, key);
    default:
      return readName(value, group);
  }
}

function statusLevel(record: Record<string, unknown>): LogLevel | undefined {
  for (const key of STATUS_KEYS) {
    const value = record[key];
    const code =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && /^\d{3}$/.test(value)
          ? Number(value)
          : NaN;
    if (Number.isInteger(code) && code >= 100 && code <= 599) return levelFromHttpStatus(code);
  }
  return undefined;
}

/**
 * Maps a structured record: for each of time, level, message, service, trace id and request id,
 * the most trusted known key with a usable value. Keys read are not repeated under `fields`;
 * every other key is. A known key whose value cannot be used stays in `fields` with a
 * `<key>:unusable` note; a converted value adds `<field>:coerced`.
 */
function extractRecord(
  record: Record<string, unknown>,
  format: LogFormat,
  line: string,
  inner: InnerLineReader | undefined,
  arrivalMs: number,
): Extracted {
  const extracted: Extracted = { format, message: line };
  const ranks = [99, 99, 99, 99, 99, 99];
  const keys: (string | undefined)[] = [undefined, undefined, undefined, undefined, undefined, undefined];
  const values: unknown[] = [undefined, undefined, undefined, undefined, undefined, undefined];
  const flags = [0, 0, 0, 0, 0, 0];
  const consider = (group: number, rank: number, key: string, value: unknown, own: boolean): void => {
    const read = readGroup(group, value, key);
    if (read === SKIP) return;
    if (read === UNUSABLE) {
      if (own) addNote(extracted, `${key}:unusable`);
      return;
    }
    if (rank < (ranks[group] ?? 99)) {
      ranks[group] = rank;
      keys[group] = own && (readFlags & KEEP) === 0 ? key : undefined;
      values[group] = read;
      flags[group] = readFlags;
    }
  };
  for (const key in record) {
    const slot = SLOTS.get(key);
    if (slot !== undefined) consider(slot >> 4, slot & 15, key, record[key], true);
  }
  for (const [group, rank, parent, child] of NESTED) {
    if (rank >= (ranks[group] ?? 99)) continue;
    const holder = record[parent];
    if (isRecord(holder) && holder[child] !== undefined)
      consider(group, rank, `${parent}.${child}`, holder[child], false);
  }
  for (let group = 0; group < GROUPS; group += 1) {
    if (((flags[group] ?? 0) & COERCED) !== 0 && values[group] !== undefined) {
      addNote(extracted, `${SUBJECTS[group] ?? ''}:coerced`);
    }
  }
  const timeKey = keys[TIME];
  if (typeof values[TIME] === 'number') {
    extracted.time = values[TIME];
    extracted.timeRaw = timeKey === undefined ? undefined : record[timeKey];
    extracted.timeKey = timeKey;
  }
  if (typeof values[LEVEL] === 'string') extracted.level = values[LEVEL] as LogLevel;
  if (typeof values[SERVICE] === 'string') extracted.service = values[SERVICE];
  if (typeof values[TRACE] === 'string') extracted.traceId = values[TRACE];
  if (typeof values[REQUEST] === 'string') extracted.requestId = values[REQUEST];
  const message = typeof values[MESSAGE] === 'string' ? values[MESSAGE] : undefined;
  const messageKey = keys[MESSAGE];

  // Lambda's JSON log format for platform events: {"time", "type": "platform.report", "record": {...}}
  let typeUsed = false;
  const type = record.type;
  if (typeof type === 'string' && type.startsWith('platform.')) {
    typeUsed = true;
    extracted.format = 'lambda-platform';
    const inner = isRecord(record.record) ? record.record : {};
    if (extracted.requestId === undefined && typeof inner.requestId === 'string')
      extracted.requestId = inner.requestId;
    const status = typeof inner.status === 'string' ? inner.status : undefined;
    extracted.level ??= status !== undefined && status !== 'success' ? 'error' : 'info';
    if (message === undefined) extracted.message = status === undefined ? type : `${type} ${status}`;
  }
  if (message !== undefined) extracted.message = message;

  const rest: Record<string, unknown> = {};
  let restSize = 0;
  for (const key in record) {
    if (
      key === keys[TIME] ||
      key === keys[LEVEL] ||
      key === messageKey ||
      key === keys[SERVICE] ||
      key === keys[TRACE] ||
      key === keys[REQUEST] ||
      (typeUsed && key === 'type')
    ) {
      continue;
    }
    rest[key] = record[key];
    restSize += 1;
  }

  // Docker / Fluent Bit wrap the application's own line as {"log": "...", "stream": ...}.
  if (messageKey === 'log' && message !== undefined && inner !== undefined) {
    const wrapped = inner(message, arrivalMs);
    extracted.message = wrapped.message;
    extracted.level ??= wrapped.level;
    if (wrapped.time !== undefined) {
      if (timeKey !== undefined) {
        rest[timeKey] = record[timeKey];
        restSize += 1;
      }
      extracted.time = wrapped.time;
      extracted.timeRaw = wrapped.timeRaw;
      extracted.timeKey = undefined;
    }
    extracted.service ??= wrapped.service;
    extracted.traceId ??= wrapped.traceId;
    extracted.requestId ??= wrapped.requestId;
    if (wrapped.fields !== undefined) {
      for (const key in wrapped.fields) {
        if (!Object.hasOwn(rest, key)) {
          rest[key] = wrapped.fields[key];
          restSize += 1;
        }
      }
    }
    if (wrapped.notes !== undefined) for (const note of wrapped.notes) addNote(extracted, note);
  }

  if (extracted.level === undefined) {
    const fromStatus = statusLevel(record);
    if (fromStatus !== undefined) {
      extracted.level = fromStatus;
      addNote(extracted, 'level:from_status');
    } else if (ERROR_KEYS.some((key) => record[key] !== undefined && record[key] !== null)) {
      extracted.level = 'error';
      addNote(extracted, 'level:from_error');
    }
  }
  if (
    extracted.format === 'json' &&
    (typeof record.httpMethod === 'string' || typeof record.method === 'string') &&
    extracted.requestId !== undefined &&
    statusLevel(record) !== undefined
  ) {
    extracted.format = 'apigw';
  }
  if (restSize > 0) extracted.fields = rest;
  return extracted;
}

/** A JSON object line; `inner` reads a wrapped line (absent inside a wrapper: one level only). */
export function jsonLine(line: string, arrivalMs: number, inner?: InnerLineReader): Extracted | undefined {
  if (line.charCodeAt(line.length - 1) !== 125) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  return isRecord(parsed) ? extractRecord(parsed, 'json', line, inner, arrivalMs) : undefined;
}

const LOGFMT_START = /^[A-Za-z_][\w.\-/@]*=/;
const LOGFMT_PAIR = /([A-Za-z_][\w.\-/@]*)=("(?:[^"\\]|\\.)*"|[^\s"]*)(?:\s+|$)/y;
const LOGFMT_KEYS = new Set(['level', 'lvl', 'msg', 'message', 'time', 'ts', 't', 'severity']);

/** A logfmt line (`time=... level=error msg="..."`); `undefined` unless every token is key=value. */
export function logfmtLine(line: string): Extracted | undefined {
  if (!LOGFMT_START.test(line)) return undefined;
  const record: Record<string, unknown> = {};
  let known = 0;
  let pairs = 0;
  LOGFMT_PAIR.lastIndex = 0;
  while (LOGFMT_PAIR.lastIndex < line.length) {
    const m = LOGFMT_PAIR.exec(line);
    if (m === null) return undefined;
    const key = m[1] ?? '';
    const raw = m[2] ?? '';
    const quoted = raw.startsWith('"') ? raw.slice(1, -1) : raw;
    record[key] = quoted.includes('\\') ? quoted.replace(/\\(.)/g, '$1') : quoted;
    pairs += 1;
    if (LOGFMT_KEYS.has(key)) known += 1;
  }
  if (pairs < 2 || known === 0) return undefined;
  return extractRecord(record, 'logfmt', line, undefined, 0);
}
