import type { Channel } from './alert';
import type { AlertRecord } from './alert-record';
import type { GroupRecord } from './group';
import type { Silence } from './silence';
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
  /** Alerts changed in (`since`, `until`] whose groups need updating (index query, never a scan). */
  listChanged(since: number, until: number, limit: number): Promise<AlertRecord[]>;
  /** How many alerts changed since `since`, counting at most `limit` (a bounded index read). */
  countChangedSince(since: number, limit: number): Promise<number>;
}

/** Persistence of groups, silences and the tick's own state. */
export interface GroupStore {
  getGroup(key: string): Promise<GroupRecord | undefined>;
  /** Conditional on the version, like AlertStore.put; `undefined` record deletes the group. */
  putGroup(group: GroupRecord, expectedVersion: number | undefined): Promise<GroupRecord | undefined>;
  deleteGroup(key: string, expectedVersion: number): Promise<boolean>;
  /** Groups due at or before `until` (index query). */
  listDueGroups(until: number, limit: number): Promise<GroupRecord[]>;
  /** Every group that still has something to track (index query on the group shard). */
  listActiveGroups(limit: number): Promise<GroupRecord[]>;
  putSilence(silence: Silence): Promise<void>;
  getSilence(id: string): Promise<Silence | undefined>;
  /** Silences not yet ended, plus those ended within `recentMs` (index query). */
  listSilences(now: number, recentMs: number): Promise<Silence[]>;
  /** The tick's cursor: changes up to this time were folded into groups. */
  getTickState(): Promise<(TickState & { version: number }) | undefined>;
  putTickState(state: TickState, expectedVersion: number | undefined): Promise<boolean>;
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

/** What the tick remembers between runs. */
export interface TickState {
  /** Alert changes up to this time were folded into groups. */
  readonly cursor: number;
  /** Silence changes up to this time were seen. */
  readonly silencesSeenAt: number;
  /** Last time stale firing alerts were checked against CloudWatch. */
  readonly reconciledAt?: number;
  /** SMS is paused for the month: the spend cap is near; SMS messages go to email instead. */
  readonly smsPaused?: boolean;
}
