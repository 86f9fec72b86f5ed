import type { AlarmState, Annotations, Channel, Labels, NotificationStatus, Severity } from './alert';

/** Lifecycle of an alert: never fired yet (or only no-data), firing, resolved. */
export type AlertStatus = 'inactive' | 'firing' | 'resolved';

/**
 * What an outbox publishes: the firing or the resolve of an episode, or (to PagerDuty only) the
 * acknowledgement of a page PagerDuty received under the alert's fingerprint.
 */
export type OutboxStatus = NotificationStatus | 'acknowledged';

/** Notifications still to be published for an alert, with the claim of the invocation sending them. */
export interface Outbox {
  /** Notification id (without the channel suffix): `<fingerprint>:<status>:<transition ms>`. */
  readonly id: string;
  readonly status: OutboxStatus;
  /** Channels not yet published. */
  readonly channels: readonly Channel[];
  readonly createdAt: number;
  /** Invocation that holds the right to publish, until `claimUntil` (epoch ms). */
  readonly claimedBy?: string;
  readonly claimUntil?: number;
  /** Publish attempts made so far. */
  readonly attempts: number;
}

/** The stored state of one alert (one DynamoDB item). */
export interface AlertRecord {
  readonly fingerprint: string;
  readonly alarmName: string;
  readonly ruleId?: string;
  readonly status: AlertStatus;
  readonly severity: Severity;
  readonly labels: Labels;
  readonly annotations: Annotations;
  /** Last CloudWatch state seen. */
  readonly alarmState: AlarmState;
  /** Epoch ms of the newest transition applied: the ordering guard against late events. */
  readonly lastChangeAt: number;
  readonly startsAt?: number;
  readonly endsAt?: number;
  readonly value?: number;
  readonly threshold?: number;
  readonly comparison?: string;
  readonly unit?: string;
  readonly region?: string;
  readonly alarmArn?: string;
  /** Channels that received this episode's firing notification (a resolve goes to the same ones). */
  readonly notified: readonly Channel[];
  readonly outbox?: Outbox;
  /** Acknowledgement of the current firing episode; cleared when the alert resolves or fires anew. */
  readonly ack?: { readonly by: string; readonly at: number };
  /** Severities this firing episode has had, so the tick can leave the groups of earlier routes. */
  readonly episodeSeverities?: readonly Severity[];
  /**
   * The resolve was held back from the channels that heard the firing (their route was in a storm):
   * the tick tells it in the storm digest.
   */
  readonly resolveHeld?: boolean;
  /** Epoch ms of the last change the tick has to fold into the alert's groups. */
  readonly dirtyAt?: number;
  /** Optimistic-concurrency version; every write increments it. */
  readonly version: number;
}

/** True when nobody holds the outbox or the holder's claim ran out. */
export function isOutboxClaimable(outbox: Outbox, now: number): boolean {
  return outbox.claimedBy === undefined || (outbox.claimUntil ?? 0) <= now;
}
