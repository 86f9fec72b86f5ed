import type { Channel } from './alert';
import type { AlertRecord } from './alert-record';
import type { Notification } from './notification';

/** Persistence of alert state with optimistic concurrency. */
export interface AlertStore {
  /** Strongly consistent read of one alert. */
  get(fingerprint: string): Promise<AlertRecord | undefined>;
  /**
   * Writes the record if the stored version still equals `expectedVersion` (undefined: must not exist).
   * Returns the stored record (version = expected + 1) or undefined when another writer got there first.
   */
  put(record: AlertRecord, expectedVersion: number | undefined): Promise<AlertRecord | undefined>;
  /** Fingerprints of alerts with a pending outbox due at or before `until` (index query, never a scan). */
  listDueOutboxes(until: number, limit: number): Promise<string[]>;
}

/** Publishes a notification to a channel's topic. */
export interface Publisher {
  publish(channel: Channel, notification: Notification): Promise<void>;
}

/** Where inputs that cannot be processed are kept, with the reason. */
export interface DeadLetterSink {
  send(record: DeadLetterRecord): Promise<void>;
}

/** A preserved failed input. */
export interface DeadLetterRecord {
  readonly reason: string;
  readonly code: string;
  readonly source: string;
  readonly receivedAt: string;
  readonly payload: unknown;
}

/** Structured logging port. */
export interface Log {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** The clock, injected so tests and the replay run on virtual time. */
export type Clock = () => number;
