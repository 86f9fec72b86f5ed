/** Text helpers shared by the channel renderers: truncation, ASCII folding, numbers, times. */

/** Cuts `text` to at most `max` UTF-16 units, never splitting a surrogate pair; appends `ellipsis` when cut. */
export function truncate(text: string, max: number, ellipsis = '…'): string {
  if (text.length <= max) return text;
  if (max <= ellipsis.length) return ellipsis.slice(0, Math.max(0, max));
  let end = max - ellipsis.length;
  const last = text.charCodeAt(end - 1);
  // A high surrogate at the cut would leave half a character behind.
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end) + ellipsis;
}

/** Replaces control characters (including CR, LF, TAB) with spaces and collapses runs of whitespace. */
export function toSingleLine(text: string): string {
  return text
    .replace(/[\p{Cc}\p{Zl}\p{Zp}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Keeps newlines but drops other control characters, so multi-line text stays readable and inert. */
export function stripControl(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/[^\P{Cc}\n]/gu, ' ');
}

/** Folds text to printable ASCII on one line: accents dropped, other characters become `?`. */
export function toAscii(text: string): string {
  const folded = toSingleLine(text)
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2013\u2014]/g, '-')
    .replace(/\u2026/g, '...');
  // Astral characters (emoji) are one `?`, not two.
  return Array.from(folded, (ch) => (/^[\x20-\x7e]$/.test(ch) ? ch : '?')).join('');
}

const UNIT_SUFFIX: Readonly<Record<string, string>> = {
  Percent: '%',
  Milliseconds: ' ms',
  Seconds: ' s',
  Microseconds: ' µs',
  Count: '',
  None: '',
  Bytes: ' B',
  Kilobytes: ' KB',
  Megabytes: ' MB',
  Gigabytes: ' GB',
  'Count/Second': '/s',
  'Bytes/Second': ' B/s',
};

/** Formats a metric value with its unit, e.g. `7.2%`, `350 ms`. */
export function formatValue(value: number, unit?: string): string {
  const rounded = Number.isInteger(value) ? String(value) : String(Number(value.toFixed(2)));
  if (unit === undefined) return rounded;
  const suffix = UNIT_SUFFIX[unit];
  return rounded + (suffix ?? ` ${unit}`);
}

const COMPARISONS: Readonly<Record<string, string>> = {
  GreaterThanThreshold: '>',
  GreaterThanOrEqualToThreshold: '>=',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '<=',
  LessThanLowerOrGreaterThanUpperThreshold: 'outside',
  LessThanLowerThreshold: '<',
  GreaterThanUpperThreshold: '>',
};

/** Short operator for a CloudWatch comparison name or an operator already short. */
export function formatComparison(comparison?: string): string {
  if (comparison === undefined) return '>';
  return COMPARISONS[comparison] ?? truncate(toSingleLine(comparison), 12);
}

/** `7.2% > 5%` when both value and threshold are known, else what is known, else undefined. */
export function formatValueVsThreshold(a: {
  readonly value?: number;
  readonly threshold?: number;
  readonly unit?: string;
  readonly comparison?: string;
}): string | undefined {
  if (a.value !== undefined && a.threshold !== undefined) {
    return `${formatValue(a.value, a.unit)} ${formatComparison(a.comparison)} ${formatValue(a.threshold, a.unit)}`;
  }
  if (a.value !== undefined) return formatValue(a.value, a.unit);
  if (a.threshold !== undefined)
    return `threshold ${formatComparison(a.comparison)} ${formatValue(a.threshold, a.unit)}`;
  return undefined;
}

/** Formats an ISO-8601 time as `2026-11-26 14:02 UTC`; unparseable input is returned folded to one line. */
export function formatTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return truncate(toSingleLine(iso), 40);
  const d = new Date(ms).toISOString();
  return `${d.slice(0, 10)} ${d.slice(11, 16)} UTC`;
}

/** Human duration such as `2d 3h`, `1h 5m`, `3m 20s`, `45s`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${sec}s`;
  return `${sec}s`;
}

/** Duration between `startsAt` and `endsAt` (or `now`), undefined when a time is unparseable. */
export function durationBetween(startsAt: string, until: string): string | undefined {
  const start = Date.parse(startsAt);
  const end = Date.parse(until);
  if (Number.isNaN(start) || Number.isNaN(end)) return undefined;
  return formatDuration(end - start);
}
