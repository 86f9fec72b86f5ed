/** What a line recogniser returns, and the plain-text reading every recogniser falls back on. Pure. */
import type { LogFormat, LogLevel } from './log-document';
import { isBareLevelWord, levelFromWord } from './log-levels';
import { parseIsoLike } from './log-timestamps';

/**
 * How an event may continue the one before it, when a stack trace arrives one line per event:
 * an indented frame (`    at ...`, `  File "..."`, `Caused by: ...`), or an exception line.
 */
export type Continuation = 'frame' | 'exception';

/** What a recogniser found in a line; the document is assembled from it. */
export interface Extracted {
  format: LogFormat;
  message: string;
  /** The line's own time, epoch ms (before the believability check). */
  time?: number;
  /** The time as written, kept in `fields` if it is not believed. */
  timeRaw?: unknown;
  /** The source key of the time (JSON), else `timestamp`. */
  timeKey?: string;
  level?: LogLevel;
  service?: string;
  traceId?: string;
  requestId?: string;
  fields?: Record<string, unknown>;
  notes?: string[];
  continuation?: Continuation;
}

/** True for a plain object (not null, not an array). */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A copy without the undefined values. */
export function compact(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in record) if (record[key] !== undefined) out[key] = record[key];
  return out;
}

/** `-` (the access-log and syslog spelling of "none") as undefined. */
export const dash = (value: string | undefined): string | undefined => (value === '-' ? undefined : value);

/** Records what the parser did to a value (see `LogDocument.notes`). */
export function addNote(extracted: Extracted, note: string): void {
  (extracted.notes ??= []).push(note);
}

// `[ERROR]`, `<warn>`, `(INFO)`
const BRACKETED_LEVEL = /^[[<(]\s*([A-Za-z]{1,13})\s*[\]>)]:?(?:\s+|$)/;
// `error: x`, `WARN - x`, `INFO | x`
const DELIMITED_LEVEL = /^([A-Za-z]{3,13})(?:\s*:(?:\s+|$)|\s+-\s+|\s*\|\s*)/;
// `error disk full`
const BARE_LEVEL = /^([A-Za-z]{3,13})(?:\s+|$)/;
// Class-like names ending in Error/Exception, Python tracebacks, Go panics, uncaught errors.
const EXCEPTION_START =
  /^(?:(?:[A-Za-z_$][\w$]*\.)*[\w$]*(?:Error|Exception|Exit|Interrupt)(?::|\s|$)|Traceback \(most recent call last\)|panic: |Exception in thread |Uncaught |Unhandled )/;
// The next line of a stack trace printed line by line.
const FRAME_LINE = /^(?:[ \t]+\S|Caused by: |Suppressed: |\.\.\. ?\d+ (?:more|common frames omitted))/;
// An exception's own line (`java.lang.IllegalStateException: boom`, `ValueError: bad`), which may
// follow a frame or an error line of the same trace.
const CLASS_EXCEPTION = /^(?:[A-Za-z_$][\w$]*\.)*[\w$]*(?:Error|Exception|Exit|Interrupt)(?::|\s|$)/;
const BRACKETED_TOKEN = /^\[([A-Za-z]{3,13})\]:?$/;

/** A level word opening `text`, and the text after it. */
export function leadingLevel(text: string): { level: LogLevel; rest: string } | undefined {
  const first = text.charCodeAt(0);
  if (first === 91 || first === 60 || first === 40) {
    const bracketed = BRACKETED_LEVEL.exec(text);
    const level = bracketed === null ? undefined : levelFromWord(bracketed[1] ?? '');
    return level === undefined || bracketed === null
      ? undefined
      : { level, rest: text.slice(bracketed[0].length) };
  }
  // `Error: boom` is the class name of an error, not a level column: the text stays whole.
  if (text.startsWith('Error:')) return undefined;
  const delimited = DELIMITED_LEVEL.exec(text);
  if (delimited !== null) {
    const level = levelFromWord(delimited[1] ?? '');
    if (level !== undefined) return { level, rest: text.slice(delimited[0].length) };
  }
  const bare = BARE_LEVEL.exec(text);
  const word = bare?.[1];
  if (bare === null || word === undefined || !isBareLevelWord(word)) return undefined;
  const level = levelFromWord(word);
  return level === undefined ? undefined : { level, rest: text.slice(bare[0].length) };
}

/**
 * A level column after the time but not first: `- app - ERROR - x`, `[main] WARN App - x`. Only a
 * bracketed or capitalised level word among the first five tokens counts; the text stays whole.
 */
function innerLevel(text: string): LogLevel | undefined {
  const head = text.length > 160 ? text.slice(0, 160) : text;
  const tokens = head.split(/\s+/, 6);
  for (let i = 1; i < tokens.length && i < 6; i += 1) {
    const token = tokens[i] ?? '';
    const bracketed = BRACKETED_TOKEN.exec(token);
    if (bracketed !== null) {
      const level = levelFromWord(bracketed[1] ?? '');
      if (level !== undefined) return level;
      continue;
    }
    const word = token.endsWith(':') ? token.slice(0, -1) : token;
    if (word.length >= 3 && word === word.toUpperCase() && isBareLevelWord(word)) return levelFromWord(word);
  }
  return undefined;
}

/** Level and message of free text (after any time): a leading level word, an exception, or neither. */
export function readTextBody(extracted: Extracted, text: string, allowInner: boolean): void {
  const leading = leadingLevel(text);
  if (leading !== undefined) {
    extracted.level = leading.level;
    extracted.message = leading.rest;
    return;
  }
  extracted.message = text;
  if (allowInner) {
    const inner = innerLevel(text);
    if (inner !== undefined) {
      extracted.level = inner;
      return;
    }
  }
  if (EXCEPTION_START.test(text)) extracted.level = 'error';
}

export function plainText(line: string): Extracted {
  const extracted: Extracted = { format: 'text', message: line };
  if (FRAME_LINE.test(line)) {
    // An indented line is a frame unless it carries a level of its own.
    const trimmed = line.trimStart();
    const leading = leadingLevel(trimmed);
    if (leading === undefined) {
      extracted.continuation = 'frame';
      return extracted;
    }
    extracted.level = leading.level;
    extracted.message = leading.rest;
    return extracted;
  }
  readTextBody(extracted, line, false);
  if (extracted.level === 'error' && extracted.message === line && CLASS_EXCEPTION.test(line)) {
    extracted.continuation = 'exception';
  }
  return extracted;
}

// A leading time, optionally in brackets, then spaces or ` - ` / ` | `.
const LEADING_TIME =
  /^\[?(\d{4}[-/]\d{2}[-/]\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?: ?(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?))?)\]?(?:\s*[|-]\s+|\s+|$)/i;
// `<request id> <LEVEL> ...` after the time (Java's log4j2 Lambda appender and similar).
const ID_THEN_LEVEL = /^([A-Za-z0-9][\w\-:.=/+]{5,}) +([A-Za-z]{3,13})(?: +|$)/;
// `<time> <request id> Task timed out after 3.00 seconds`
const TIMED_OUT = /^(\S+) (Task timed out after [\s\S]*)$/;
const HAS_DIGIT = /\d/;

export function timedText(line: string): Extracted | undefined {
  const time = LEADING_TIME.exec(line);
  if (time === null) return undefined;
  const raw = time[1] ?? '';
  const ms = parseIsoLike(raw);
  if (ms === undefined) return undefined;
  const rest = line.slice(time[0].length);
  const extracted: Extracted = { format: 'text', message: rest, time: ms, timeRaw: raw };
  const timedOut = TIMED_OUT.exec(rest);
  if (timedOut !== null) {
    extracted.format = 'lambda-platform';
    extracted.level = 'error';
    extracted.requestId = timedOut[1];
    extracted.message = timedOut[2] ?? rest;
    return extracted;
  }
  const idLevel = ID_THEN_LEVEL.exec(rest);
  const idWord = idLevel?.[2];
  if (
    idLevel !== null &&
    idWord !== undefined &&
    HAS_DIGIT.test(idLevel[1] ?? '') &&
    idWord === idWord.toUpperCase() &&
    isBareLevelWord(idWord)
  ) {
    const level = levelFromWord(idWord);
    if (level !== undefined) {
      extracted.format = 'lambda-runtime';
      extracted.requestId = idLevel[1];
      extracted.level = level;
      extracted.message = rest.slice(idLevel[0].length);
      return extracted;
    }
  }
  readTextBody(extracted, rest, true);
  return extracted;
}
