/** Ports of the log pipeline: where documents go, and where rejected input goes. */
import type { BulkItem } from './bulk-chunks';

/** Per-item result of one bulk request, in request order. */
export interface BulkItemResult {
  readonly id: string;
  /** HTTP-like status of the item (201/200 ok, 429 throttled, 400 rejected, ...). */
  readonly status: number;
  /** e.g. `mapper_parsing_exception`, when the item failed. */
  readonly errorType?: string;
  readonly reason?: string;
}

/**
 * Accepts bulk requests. Throws `LogIndexUnavailableError` when the whole request may be retried,
 * `LogRequestTooLargeError` when the domain refuses its size.
 */
export interface LogIndex {
  bulk(items: readonly BulkItem[]): Promise<readonly BulkItemResult[]>;
}

/** Something the index would not take, kept with its reason for a person or a replay to look at. */
export interface DeadLetter {
  /** Stable reason code, e.g. `mapper_parsing_exception`, `NOT_GZIP`, `document_too_large`. */
  readonly code: string;
  readonly reason: string;
  /** The original log line, or the raw subscription payload when it could not be decoded. */
  readonly original: string;
  readonly logGroup?: string;
  readonly logStream?: string;
  readonly eventId?: string;
  readonly index?: string;
  /** ISO time the letter was written. */
  readonly at: string;
}

/** Receives dead letters. */
export interface DeadLetterSink {
  send(letters: readonly DeadLetter[]): Promise<void>;
}

/** A sink that keeps letters in memory (tests, local runs). */
export class InMemoryDeadLetterSink implements DeadLetterSink {
  public readonly letters: DeadLetter[] = [];
  public send(letters: readonly DeadLetter[]): Promise<void> {
    this.letters.push(...letters);
    return Promise.resolve();
  }
}
