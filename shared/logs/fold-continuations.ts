/**
 * Folds a stack trace that arrived one line per event (a container's stdout without a multi-line
 * pattern) back into the event that opened it. Only events of one payload (one log stream, in
 * order) are folded; a trace split across payloads stays split. Pure.
 */
import type { LogDocument, LogFormat } from './log-document';
import type { ParsedLogEvent } from './parse-log-line';

/** One parsed event with what the dead-letter queue would need to replay it. */
export interface ParsedItem {
  readonly parsed: ParsedLogEvent;
  /** The event's message as CloudWatch delivered it. */
  readonly original: string;
  /** CloudWatch event time, epoch ms. */
  readonly arrivalMs: number;
}

/** A document ready for indexing, with the original line(s) it came from. */
export interface FoldedLog {
  readonly document: LogDocument;
  readonly timeMs: number;
  readonly original: string;
}

/** Limits of one fold. */
export interface FoldLimits {
  /** A continuation must arrive less than this many ms after the line before it. */
  readonly maxGapMs: number;
  /** Most events folded into one document. */
  readonly maxEvents: number;
  /** Longest message a fold may build, in characters. */
  readonly maxChars: number;
}

/**
 * Under a second apart (the lines of one trace are written together), 500 lines, 256 K characters.
 */
export const DEFAULT_FOLD_LIMITS: FoldLimits = { maxGapMs: 1000, maxEvents: 500, maxChars: 256 * 1024 };

// Lines of these shapes are complete records; nothing continues them.
const NEVER_CONTINUED: ReadonlySet<LogFormat> = new Set([
  'clf',
  'combined',
  'apigw',
  'apigw-execution',
  'alb',
  'lambda-platform',
]);

interface Group {
  document: LogDocument;
  timeMs: number;
  original: string;
  lastArrivalMs: number;
  ids: string[];
  hasFrames: boolean;
  /** The head is itself a bare exception line (no level column of its own). */
  headIsException: boolean;
}

function accepts(group: Group, item: ParsedItem, limits: FoldLimits): boolean {
  const { continuation } = item.parsed;
  if (continuation === undefined || NEVER_CONTINUED.has(group.document.format)) return false;
  const gap = item.arrivalMs - group.lastArrivalMs;
  if (gap < 0 || gap >= limits.maxGapMs) return false;
  if (group.ids.length >= limits.maxEvents) return false;
  if (group.document.message.length + item.parsed.document.message.length + 1 > limits.maxChars) return false;
  if (continuation === 'frame') return true;
  // An exception line joins a trace already under way, or the levelled error line that announced
  // it; two bare exception lines in a row are two errors.
  const { level, message } = group.document;
  if (group.hasFrames || message.startsWith('Traceback')) return true;
  return !group.headIsException && (level === 'error' || level === 'fatal');
}

function close(group: Group): FoldedLog {
  if (group.ids.length === 0)
    return { document: group.document, timeMs: group.timeMs, original: group.original };
  const notes = [...(group.document.notes ?? []), `merged:${group.ids.length}`];
  return {
    document: { ...group.document, notes, merged_event_ids: group.ids },
    timeMs: group.timeMs,
    original: group.original,
  };
}

/** Folds continuation events into the event before them; other events pass through unchanged. */
export function foldContinuations(
  items: readonly ParsedItem[],
  limits: FoldLimits = DEFAULT_FOLD_LIMITS,
): FoldedLog[] {
  const out: FoldedLog[] = [];
  let group: Group | undefined;
  for (const item of items) {
    const { document } = item.parsed;
    if (group !== undefined && accepts(group, item, limits)) {
      group.document = { ...group.document, message: `${group.document.message}\n${document.message}` };
      group.original = `${group.original}\n${item.original}`;
      group.lastArrivalMs = item.arrivalMs;
      group.ids.push(document.event_id);
      if (item.parsed.continuation === 'frame') group.hasFrames = true;
      continue;
    }
    if (group !== undefined) out.push(close(group));
    group = {
      document,
      timeMs: item.parsed.timeMs,
      original: item.original,
      lastArrivalMs: item.arrivalMs,
      ids: [],
      hasFrames: item.parsed.continuation === 'frame',
      headIsException: item.parsed.continuation === 'exception',
    };
  }
  if (group !== undefined) out.push(close(group));
  return out;
}
