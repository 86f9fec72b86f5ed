import type { Annotations, Channel, Labels, NotificationStatus, Severity } from './alert';

/** One alert as it appears inside a notification. */
export interface NotifiedAlert {
  /** Stable hash of rule + labels; the alert's identity. */
  readonly fingerprint: string;
  /** CloudWatch alarm name (or rule name for scheduled rules). */
  readonly alarmName: string;
  /** Rule id from the config, absent for alarms that matched no rule. */
  readonly ruleId?: string;
  readonly status: NotificationStatus;
  readonly severity: Severity;
  readonly labels: Labels;
  readonly annotations: Annotations;
  /** ISO-8601 time the alert started firing. */
  readonly startsAt: string;
  /** ISO-8601 time the alert resolved. */
  readonly endsAt?: string;
  /** Observed value that breached, when CloudWatch reported it. */
  readonly value?: number;
  /** Threshold of the rule. */
  readonly threshold?: number;
  /** Unit of value and threshold, e.g. "Percent", "Milliseconds". */
  readonly unit?: string;
  /** Comparison of the rule, e.g. ">". */
  readonly comparison?: string;
  /** AWS region of the alarm. */
  readonly region?: string;
  /** Alarm ARN. */
  readonly alarmArn?: string;
}

/** Why a notification was sent; forwarders show it as context. */
export const NOTIFICATION_REASONS = [
  'alert',
  'group',
  'repeat',
  'escalation',
  'digest',
  'evidence',
  'acknowledged',
] as const;

/** One of {@link NOTIFICATION_REASONS}. */
export type NotificationReason = (typeof NOTIFICATION_REASONS)[number];

/**
 * A message for one channel: the unit the pipeline publishes and the forwarders deliver.
 * Travels as the `lambda` body of the SNS message, so forwarders re-render it for their API.
 */
export interface Notification {
  /** Idempotency key: the same id is never delivered twice by a forwarder. */
  readonly id: string;
  readonly channel: Channel;
  readonly status: NotificationStatus;
  /** Highest severity among the alerts. */
  readonly severity: Severity;
  /** Group key (for a single alert: its fingerprint); PagerDuty uses it as dedup_key. */
  readonly groupKey: string;
  /** Short title, e.g. "checkout: error rate above 5%". */
  readonly title: string;
  /** Alerts in the notification, firing first. */
  readonly alerts: readonly NotifiedAlert[];
  /** Total alerts in the group (may exceed alerts.length when the list is truncated). */
  readonly totalAlerts: number;
  /** Diagnostics summary (incident evidence), when collected. */
  readonly diagnostics?: string;
  /** Links for the whole notification. */
  readonly links: { readonly dashboard?: string; readonly runbook?: string; readonly alarm?: string };
  /** Present on storm digests: what the digest folds together. */
  readonly digest?: NotificationDigest;
  /** Present on an incident's evidence update: the page it follows and what the sources found. */
  readonly evidence?: NotificationEvidence;
  /**
   * Why this notification was sent: first/changed group, repeat, escalation, storm digest, the
   * evidence that follows a page, or `acknowledged`: someone acknowledged the alert (sent to
   * PagerDuty only, as an `acknowledge` event).
   */
  readonly reason?: NotificationReason;
  /** ISO-8601 time the notification was created. */
  readonly createdAt: string;
  /** Stage name of the deployment (dev, prod, ...). */
  readonly stage: string;
}

/** Counts that summarise a storm digest. */
export interface NotificationDigest {
  /** Id of the digest round; its full alert list is kept under it. */
  readonly id: string;
  readonly firing: number;
  readonly resolved: number;
  readonly newInWindow: number;
  readonly byService: Readonly<Record<string, number>>;
  readonly bySeverity: Readonly<Record<string, number>>;
  /** Alert names with the most firing alerts, most first. */
  readonly topOffenders: readonly { readonly name: string; readonly count: number }[];
  /** The first alarms the digest covers, firing first (all of them when `total` is small). */
  readonly alertNames: readonly string[];
  /** Alarms the digest covers on this channel. */
  readonly total: number;
  /** The command that prints every alarm the digest covers. */
  readonly listCommand: string;
  /** The CloudWatch console's list of alarms in ALARM, when the alarms' region is known. */
  readonly consoleUrl?: string;
  /** A configured link to the full alert list. */
  readonly listUrl?: string;
  /** Alarms this channel hears of because nobody acknowledged them in time (escalation steps). */
  readonly escalated?: number;
  /** Since the storm began, on this channel: alarms named firing and resolves told. */
  readonly sinceStart?: { readonly since: string; readonly firing: number; readonly resolved: number };
}

/** What one diagnostics source found, as an evidence update shows it. */
export interface EvidenceSource {
  readonly name: 'metrics' | 'logs' | 'traces';
  readonly status: 'ok' | 'empty' | 'timeout' | 'error';
  readonly summary: string;
  readonly links: readonly { readonly label: string; readonly url: string }[];
}

/** The incident evidence that follows a page on the channels the page reached. */
export interface NotificationEvidence {
  readonly incidentId: string;
  readonly incidentTitle: string;
  /** The page this update belongs to: its notification id (without the channel), title and time. */
  readonly page: { readonly id: string; readonly title: string; readonly sentAt: string };
  /** The window the sources looked at (ISO-8601). */
  readonly from: string;
  readonly until: string;
  readonly sources: readonly EvidenceSource[];
}
