/** A storm digest's full alert list, kept so people can read every alarm its message could not name. */
import type { Channel, NotificationStatus, Severity } from './alert';

/** One alert a digest told about, and on which channels. */
export interface DigestEntry {
  readonly fingerprint: string;
  readonly alarmName: string;
  readonly status: NotificationStatus;
  readonly severity: Severity;
  readonly service: string;
  readonly channels: readonly Channel[];
}

/** A digest round: the alerts it covered, each with the channels that heard of it. */
export interface DigestRecord {
  /** `<storm id>.<round>`, e.g. `s0301-0300.2`. */
  readonly id: string;
  readonly stormId: string;
  /** Epoch ms the round was sent. */
  readonly sentAt: number;
  readonly entries: readonly DigestEntry[];
}

/** Entries of a digest that one channel received. */
export function entriesFor(digest: DigestRecord, channel: Channel): DigestEntry[] {
  return digest.entries.filter((e) => e.channels.includes(channel));
}
