import type { Channel, Labels } from './alert';
import type { AlertRecord } from './alert-record';
import type { DigestRecord } from './digest-record';
import type { GroupHead, GroupMember, MemberWidth } from './group';
import type { Silence } from './silence';
import type { Notification } from './notification';

/** Persistence of alert state with optimistic concurrency. */
export interface AlertStore {
  /** Strongly consistent read of one alert. */
  get(fingerprint: string): Promise<AlertRecord | undefined>;
  /**
   * Writes the record if the stored version still equals `expectedVersion` (undefined: must not exist).
   * Returns the stored record (version = expected + 1) or undefined when another writer got there first.
   * Every write queues the alert for the tick's fold (or, with an outbox, for the outbox sweep).
   */
  put(record: AlertRecord, expectedVersion: number | undefined): Promise<AlertRecord | undefined>;
  /** Fingerprints of alerts whose pending outbox is due at or before `until`: pages across the index shards. */
  dueOutboxes(until: number): AsyncIterable<readonly string[]>;
  /** Alert changes not folded into groups yet: pages across the shards, oldest first within each. */
  unfolded(): AsyncIterable<readonly AlertRecord[]>;
  /**
   * Takes the alert off the fold queue if it is still at `record.version` (the version is not bumped,
   * so a writer that read it before still succeeds and queues it again). A firing alert is parked
   * until its reconcile check at `checkAt` (undefined: never checked). False when the alert changed
   * again since it was read: it stays queued for the next fold.
   */
  markFolded(record: AlertRecord, checkAt: number | undefined): Promise<boolean>;
  /** How many unfolded changes were made at or after `since`, counting at most about `limit`. */
  countUnfoldedSince(since: number, limit: number): Promise<number>;
  /** Folded firing alerts whose reconcile check is due at or before `until`: pages across the shards. */
  dueForCheck(until: number): AsyncIterable<readonly AlertRecord[]>;
  /** Alerts that may be firing (folded firing ones and those with a pending outbox): pages across the shards. */
  firing(): AsyncIterable<readonly AlertRecord[]>;
}

/** A firing alert whose labels can inhibit others. */
export interface InhibitionSource {
  readonly fingerprint: string;
  readonly labels: Labels;
}

/**
 * Persistence of the tick's state: group heads and their sharded member lists, the registry of
 * groups holding muted alerts, inhibition sources, silences, storm digests and the tick's own item.
 */
export interface GroupStore {
  /** A group's head (no members). */
  getGroup(key: string): Promise<GroupHead | undefined>;
  /** Conditional on the version, like AlertStore.put; members are written with {@link writeMembers}. */
  putGroup(group: GroupHead, expectedVersion: number | undefined): Promise<GroupHead | undefined>;
  /** Deletes a group's head (its members must be removed with {@link writeMembers}). */
  deleteGroup(key: string, expectedVersion: number): Promise<boolean>;
  /** Heads of the groups due at or before `until`: pages across the shards. */
  dueGroups(until: number): AsyncIterable<readonly GroupHead[]>;
  /** The named members of a group (missing ones are absent from the map). */
  getMembers(group: GroupHead, fingerprints: readonly string[]): Promise<Map<string, GroupMember>>;
  /** Every member of a group. */
  listMembers(group: GroupHead): Promise<GroupMember[]>;
  /** Writes members and removes others, by fingerprint, where the group's member width puts them. */
  writeMembers(group: GroupHead, put: readonly GroupMember[], remove: readonly string[]): Promise<void>;
  /**
   * Copies a one-key group's members to the spread layout of `width`, returning their fingerprints.
   * The caller then records the width on the head and drops the old copies with {@link dropStrayMembers};
   * until then listings ignore copies that are not where the head's width puts them.
   */
  copyMembersTo(group: GroupHead, width: MemberWidth): Promise<string[]>;
  /** Deletes the copies a spread left behind in the first key. */
  dropStrayMembers(group: GroupHead, fingerprints: readonly string[]): Promise<void>;
  /** Registers (or unregisters) a group as holding firing alerts that silences or inhibition mute. */
  setMuted(key: string, muted: boolean): Promise<void>;
  /** Keys of the groups holding muted firing alerts: pages across the shards. */
  mutedGroups(): AsyncIterable<readonly string[]>;
  /** Records a firing alert whose labels match an inhibition rule's source matchers. */
  putSource(source: InhibitionSource): Promise<void>;
  /** Forgets an inhibition source (no-op when unknown). */
  removeSource(fingerprint: string): Promise<void>;
  /** Every recorded inhibition source. */
  listSources(): Promise<InhibitionSource[]>;
  putSilence(silence: Silence): Promise<void>;
  getSilence(id: string): Promise<Silence | undefined>;
  /** Silences not yet ended, plus those ended within `recentMs` (index query). */
  listSilences(now: number, recentMs: number): Promise<Silence[]>;
  /** Keeps a storm digest's full alert list (its message names only the first ones). */
  putDigest(digest: DigestRecord): Promise<void>;
  getDigest(id: string): Promise<DigestRecord | undefined>;
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

/** A route in storm mode. */
export interface StormRoute {
  /** Epoch ms the route entered storm mode. */
  readonly since: number;
  /** Epoch ms something last fired, resolved or waited to be told on the route. */
  readonly lastActivityAt: number;
  /** The route's group_interval: digest rounds come no faster than the shortest of the storming routes'. */
  readonly intervalSeconds: number;
}

/** Storm mode: which routes speak only through digests, and the pace of the digests. */
export interface StormState {
  /** Id of the storm, stable while it lasts (PagerDuty dedup key of its digests). */
  readonly id: string;
  readonly since: number;
  readonly routes: Readonly<Record<string, StormRoute>>;
  /** Digest rounds sent so far. */
  readonly rounds: number;
  /** Epoch ms of the last digest round. */
  readonly lastRoundAt?: number;
  /** Epoch ms since when something has been waiting for the next round. */
  readonly waitingSince?: number;
  /** Alerts named firing and resolved by this storm's digests, per channel. */
  readonly told: Readonly<Partial<Record<Channel, { readonly firing: number; readonly resolved: number }>>>;
}

/** What the tick remembers between runs. */
export interface TickState {
  /** Silence changes up to this time were seen. */
  readonly silencesSeenAt: number;
  /** Last time stale firing alerts were checked against CloudWatch. */
  readonly reconciledAt?: number;
  /** SMS is paused for the month: the spend cap is near; SMS messages go to email instead. */
  readonly smsPaused?: boolean;
  /** The running tick holds the state until this time (epoch ms); an overlapping tick stands down. */
  readonly leaseUntil?: number;
  /** Since when changes have been left unfolded at the end of a run (undefined: no backlog). */
  readonly backlogSince?: number;
  /** New firing alerts per route per minute (minute start epoch ms), within the storm window. */
  readonly arrivals?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** The storm in progress, if any. */
  readonly storm?: StormState;
}
