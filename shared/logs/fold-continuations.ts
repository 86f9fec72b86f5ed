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

/**
 * Folds events as they come: `push` each parsed event in order, `finish` at the end; every
 * finished document goes to `emit`. Events that continue nothing pass through as they are.
 */
export class ContinuationFolder {
  private head: ParsedLogEvent | undefined;
  private original = '';
  private message = '';
  private lastArrivalMs = 0;
  private ids: string[] | undefined;
  private hasFrames = false;
  private headIsException = false;

  public constructor(
    private readonly emit: (document: LogDocument, timeMs: number, original: string) => void,
    private readonly limits: FoldLimits = DEFAULT_FOLD_LIMITS,
  ) {}

  /** Takes the next event of the payload. */
  public push(parsed: ParsedLogEvent, original: string, arrivalMs: number): void {
    if (this.head !== undefined && this.accepts(parsed, arrivalMs)) {
      this.message = `${this.message}\n${parsed.document.message}`;
      this.original = `${this.original}\n${original}`;
      this.lastArrivalMs = arrivalMs;
      (this.ids ??= []).push(parsed.document.event_id);
      if (parsed.continuation === 'frame') this.hasFrames = true;
      return;
    }
    this.flush();
    this.head = parsed;
    this.original = original;
    this.message = parsed.document.message;
    this.lastArrivalMs = arrivalMs;
    this.ids = undefined;
    this.hasFrames = parsed.continuation === 'frame';
    this.headIsException = parsed.continuation === 'exception';
  }

  /** Emits the last document. */
  public finish(): void {
    this.flush();
    this.head = undefined;
  }

  private accepts(parsed: ParsedLogEvent, arrivalMs: number): boolean {
    const head = this.head;
    const { continuation } = parsed;
    if (head === undefined || continuation === undefined || NEVER_CONTINUED.has(head.document.format))
      return false;
    const gap = arrivalMs - this.lastArrivalMs;
    if (gap < 0 || gap >= this.limits.maxGapMs) return false;
    if ((this.ids?.length ?? 0) >= this.limits.maxEvents) return false;
    if (this.message.length + parsed.document.message.length + 1 > this.limits.maxChars) return false;
    if (continuation === 'frame') return true;
    // An exception line joins a trace already under way, or the levelled error line that announced
    // it; two bare exception lines in a row are two errors.
    const { level } = head.document;
    if (this.hasFrames || this.message.startsWith('Traceback')) return true;
    return !this.headIsException && (level === 'error' || level === 'fatal');
  }

  private flush(): void {
    const head = this.head;
    if (head === undefined) return;
    const ids = this.ids;
    if (ids === undefined) {
      this.emit(head.document, head.timeMs, this.original);
      return;
    }
    const notes = [...(head.document.notes ?? []), `merged:${ids.length}`];
    this.emit(
      { ...head.document, message: this.message, notes, merged_event_ids: ids },
      head.timeMs,
      this.original,
    );
  }
}

/** Folds continuation events into the event before them; other events pass through unchanged. */
export function foldContinuations(
  items: readonly ParsedItem[],
  limits: FoldLimits = DEFAULT_FOLD_LIMITS,
): FoldedLog[] {
  const out: FoldedLog[] = [];
  const folder = new ContinuationFolder(
    (document, timeMs, original) => out.push({ document, timeMs, original }),
    limits,
  );
  for (const item of items) folder.push(item.parsed, item.original, item.arrivalMs);
  folder.finish();
  return out;
}
