/** Reads the time formats log lines carry, and decides whether a line's time is believable. Pure. */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** How far from the CloudWatch event time a line's own time is believed. */
export interface TimestampBounds {
  /** A line time further back than this is not believed. */
  readonly maxPastMs: number;
  /** A line time further ahead than this is not believed. */
  readonly maxFutureMs: number;
}

/**
 * 14 days back and 2 hours ahead: CloudWatch Logs itself refuses events older or further in the
 * future than that, so a line time outside is a misread date, a wrong clock or a wrong zone.
 */
export const DEFAULT_TIMESTAMP_BOUNDS: TimestampBounds = { maxPastMs: 14 * DAY_MS, maxFutureMs: 2 * HOUR_MS };

/** True when `lineMs` is within `bounds` of the event time `arrivalMs`. */
export function isBelievable(lineMs: number, arrivalMs: number, bounds: TimestampBounds): boolean {
  return lineMs >= arrivalMs - bounds.maxPastMs && lineMs <= arrivalMs + bounds.maxFutureMs;
}

// Years outside this window are treated as a broken clock rather than data.
const MIN_EPOCH_MS = Date.UTC(2000, 0, 1);
const MAX_EPOCH_MS = Date.UTC(2200, 0, 1);

const MONTHS: ReadonlyMap<string, number> = new Map(
  ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].map((m, i) => [m, i]),
);

/** Month number (0-11) of a three-letter English month name, any case. */
export function monthIndex(name: string): number | undefined {
  return MONTHS.get(name.toLowerCase());
}

// ISO 8601 and its everyday variants: `T` or a space, `.` or `,` before the fraction, `/` in the
// date (Go's log package), zones Z, UTC, GMT, +hh, +hhmm, +hh:mm; no zone means UTC.
const ISO_LIKE =
  /^(\d{4})[-/](\d{2})[-/](\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)? ?(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;
// Common log format: 10/Oct/2000:13:55:36 -0700
const CLF_TIME = /^(\d{2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;
// RFC 1123 / 2822: Tue, 01 May 2024 12:00:00 GMT
const RFC_1123 = /^[A-Za-z]{3}, \d{1,2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} (?:GMT|UTC|[+-]\d{4})$/;
const EPOCH_TEXT = /^\d{9,19}(?:\.\d+)?$/;

function zoneOffsetMs(zone: string | undefined): number | undefined {
  if (zone === undefined) return 0;
  const upper = zone.toUpperCase();
  if (upper === 'Z' || upper === 'UTC' || upper === 'GMT') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (hours > 23 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes) * 60_000;
}

function inRange(ms: number): number | undefined {
  return Number.isFinite(ms) && ms >= MIN_EPOCH_MS && ms <= MAX_EPOCH_MS ? ms : undefined;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  if (month === 1 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month] ?? 0;
}

/** Epoch milliseconds of calendar fields in UTC, or `undefined` when a field is out of range. */
export function utcMs(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  fraction = '',
): number | undefined {
  if (month < 0 || month > 11 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  const ms = fraction === '' ? 0 : Math.floor(Number(`0.${fraction}`) * 1000);
  return Date.UTC(year, month, day, hour, minute, Math.min(second, 59), ms);
}

const digit = (text: string, at: number): number => text.charCodeAt(at) - 48;
const digits2 = (text: string, at: number): number => digit(text, at) * 10 + digit(text, at + 1);

/** `YYYY-MM-DDTHH:MM:SS.sssZ`, what most runtimes and loggers write: read without a regex. */
function parseCanonicalIso(text: string): number | undefined {
  for (const at of [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22]) {
    const d = digit(text, at);
    if (d < 0 || d > 9) return undefined;
  }
  if (text[4] !== '-' || text[7] !== '-' || text[13] !== ':' || text[16] !== ':' || text[19] !== '.')
    return undefined;
  const ms = utcMs(
    digits2(text, 0) * 100 + digits2(text, 2),
    digits2(text, 5) - 1,
    digits2(text, 8),
    digits2(text, 11),
    digits2(text, 14),
    digits2(text, 17),
  );
  return ms === undefined ? undefined : inRange(ms + digit(text, 20) * 100 + digits2(text, 21));
}

/** Epoch ms of an ISO-like text, or `undefined`. */
export function parseIsoLike(text: string): number | undefined {
  if (text.length === 24 && text.charCodeAt(23) === 90 && text.charCodeAt(10) === 84) {
    const fast = parseCanonicalIso(text);
    if (fast !== undefined) return fast;
  }
  const m = ISO_LIKE.exec(text);
  if (m === null) return undefined;
  const offset = zoneOffsetMs(m[8]);
  if (offset === undefined) return undefined;
  const base = utcMs(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4] ?? 0),
    Number(m[5] ?? 0),
    Number(m[6] ?? 0),
    m[7] ?? '',
  );
  return base === undefined ? undefined : inRange(base - offset);
}

/** Epoch ms of a number in seconds, milliseconds, microseconds or nanoseconds (by magnitude). */
export function epochToMs(value: number): number | undefined {
  if (!Number.isFinite(value) || value <= 0) return undefined;
  if (value < 1e11) return inRange(Math.round(value * 1000));
  if (value < 1e14) return inRange(Math.round(value));
  if (value < 1e17) return inRange(Math.round(value / 1e3));
  return inRange(Math.round(value / 1e6));
}

/**
 * Parses a time value: ISO 8601 and its variants (no zone means UTC, as Lambda runs in UTC),
 * common-log-format and RFC 1123 times, and epoch numbers (or digit strings) in s, ms, us or ns.
 * Returns epoch milliseconds, or `undefined` when the value is none of these.
 */
export function parseTimestampMs(value: unknown): number | undefined {
  if (typeof value === 'number') return epochToMs(value);
  if (typeof value !== 'string') return undefined;
  const text = value.length > 40 ? '' : value.trim();
  if (text === '') return undefined;
  const first = text.charCodeAt(0);
  if (first >= 48 && first <= 57) {
    // `10/Oct/2000:...` has its slash third; an ISO date never does.
    const iso = text.charCodeAt(2) === 47 ? undefined : parseIsoLike(text);
    if (iso !== undefined) return iso;
    const clf = CLF_TIME.exec(text);
    if (clf !== null) {
      const month = monthIndex(clf[2] ?? '');
      if (month === undefined) return undefined;
      const base = utcMs(
        Number(clf[3]),
        month,
        Number(clf[1]),
        Number(clf[4]),
        Number(clf[5]),
        Number(clf[6]),
      );
      const offset = (Number(clf[8]) * 60 + Number(clf[9])) * 60_000 * (clf[7] === '-' ? -1 : 1);
      return base === undefined ? undefined : inRange(base - offset);
    }
    if (EPOCH_TEXT.test(text)) return epochToMs(Number(text));
    return undefined;
  }
  if (RFC_1123.test(text)) return inRange(Date.parse(text));
  return undefined;
}

/** {@link parseTimestampMs} as a `Date`. */
export function parseTimestamp(value: unknown): Date | undefined {
  const ms = parseTimestampMs(value);
  return ms === undefined ? undefined : new Date(ms);
}

/**
 * A time written without its year (syslog's `Oct 11 22:14:15`, glog's `1011 22:14:15.000`): the
 * year that puts it nearest the event time, so a December line read in January stays in December.
 */
export function nearestYearMs(
  arrivalMs: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  fraction = '',
): number | undefined {
  const year = new Date(arrivalMs).getUTCFullYear();
  let best: number | undefined;
  for (const candidate of [year - 1, year, year + 1]) {
    const ms = utcMs(candidate, month, day, hour, minute, second, fraction);
    if (ms !== undefined && (best === undefined || Math.abs(ms - arrivalMs) < Math.abs(best - arrivalMs))) {
      best = ms;
    }
  }
  return best;
}

const DAY = 86_400_000;
const two = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
const three = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);
// Lines come in bursts of one day: the date part is computed once per day seen.
let cachedDay = Number.NaN;
let cachedDayText = '';

/**
 * `new Date(ms).toISOString()` for integer epoch ms, several times faster: every document carries
 * one or two of these, and the native call is a visible part of the indexer's time per line.
 */
export function formatIsoTime(ms: number): string {
  const day = Math.floor(ms / DAY);
  if (day !== cachedDay) {
    const iso = new Date(day * DAY).toISOString();
    cachedDayText = iso.slice(0, iso.indexOf('T') + 1);
    cachedDay = day;
  }
  let rest = ms - day * DAY;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  return `${cachedDayText}${two(hours)}:${two(minutes)}:${two(seconds)}.${three(rest - seconds * 1000)}Z`;
}
