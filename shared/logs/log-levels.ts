/** Level names as logging libraries write them, mapped onto the five normalised levels. Pure. */
import type { LogLevel } from './log-document';

// Lower-case spellings: syslog, log4j, java.util.logging, Python, .NET (incl. its console
// abbreviations trce/dbug/fail/crit), Go and Rust libraries.
const LEVEL_ALIASES: ReadonlyMap<string, LogLevel> = new Map<string, LogLevel>([
  ['trace', 'debug'],
  ['trce', 'debug'],
  ['debug', 'debug'],
  ['dbug', 'debug'],
  ['dbg', 'debug'],
  ['verbose', 'debug'],
  ['fine', 'debug'],
  ['finer', 'debug'],
  ['finest', 'debug'],
  ['info', 'info'],
  ['inf', 'info'],
  ['information', 'info'],
  ['informational', 'info'],
  ['notice', 'info'],
  ['config', 'info'],
  ['log', 'info'],
  ['warn', 'warn'],
  ['wrn', 'warn'],
  ['warning', 'warn'],
  ['error', 'error'],
  ['err', 'error'],
  ['erro', 'error'],
  ['eror', 'error'],
  ['fail', 'error'],
  ['severe', 'error'],
  ['fatal', 'fatal'],
  ['critical', 'fatal'],
  ['crit', 'fatal'],
  ['alert', 'fatal'],
  ['emerg', 'fatal'],
  ['emergency', 'fatal'],
  ['panic', 'fatal'],
]);

/**
 * Words that count as a level when they open a plain-text line with nothing around them
 * (`error disk full`); the other aliases need brackets, a colon or capitals (`[NOTICE]`, `Alert:`).
 */
const BARE_LEVEL_WORDS: ReadonlySet<string> = new Set(['debug', 'info', 'warn', 'warning', 'error', 'fatal']);

/** Syslog severities 0-7 (RFC 5424), most severe first. */
const SYSLOG_SEVERITY: readonly LogLevel[] = [
  'fatal',
  'fatal',
  'fatal',
  'error',
  'warn',
  'info',
  'info',
  'debug',
];

/** A level word (any case, surrounding spaces ignored); `undefined` when it is not one. */
export function levelFromWord(word: string): LogLevel | undefined {
  const exact = LEVEL_ALIASES.get(word);
  if (exact !== undefined) return exact;
  return word.length <= 13 ? LEVEL_ALIASES.get(word.trim().toLowerCase()) : undefined;
}

/** True when `word` may open a plain-text line as a level with no brackets or colon. */
export function isBareLevelWord(word: string): boolean {
  const lower = word.toLowerCase();
  if (BARE_LEVEL_WORDS.has(lower)) return true;
  // Capitals mark a level column (`NOTICE`, `CRIT`, `SEVERE`), not a sentence's first word.
  return word.length > 2 && word === word.toUpperCase() && LEVEL_ALIASES.has(lower);
}

/** A syslog severity (0 emergency ... 7 debug). */
export function levelFromSyslogSeverity(severity: number): LogLevel {
  return SYSLOG_SEVERITY[severity & 7] ?? 'info';
}

/**
 * A numeric level: 0-7 is a syslog severity; 10 and up is the pino/bunyan scale
 * (10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal). Anything else is `undefined`.
 */
export function levelFromNumber(value: number): LogLevel | undefined {
  if (!Number.isInteger(value) || value < 0) return undefined;
  if (value <= 7) return levelFromSyslogSeverity(value);
  if (value < 10) return undefined;
  if (value >= 60) return 'fatal';
  if (value >= 50) return 'error';
  if (value >= 40) return 'warn';
  if (value >= 30) return 'info';
  return 'debug';
}

/** Normalises a level name or number; `undefined` when unrecognised. */
export function normaliseLevel(value: unknown): LogLevel | undefined {
  if (typeof value === 'number') return levelFromNumber(value);
  if (typeof value !== 'string') return undefined;
  return levelFromWord(value);
}

/** The level an HTTP status implies: 5xx error, 4xx warn, anything else info. */
export function levelFromHttpStatus(status: number): LogLevel {
  if (status >= 500) return 'error';
  if (status >= 400) return 'warn';
  return 'info';
}
