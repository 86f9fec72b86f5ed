/** Core alert vocabulary shared by every part of the pipeline. */

/** The pipeline's own name where a person's name would stand (timelines, expired silences). */
export const PIPELINE_ACTOR = 'vigil';

/** Severities, ordered from least to most urgent. */
export const SEVERITIES = ['info', 'warning', 'critical'] as const;
/** Alert severity. */
export type Severity = (typeof SEVERITIES)[number];

/** Notification channels; each is one SNS topic. */
export const CHANNELS = ['slack', 'email', 'sms', 'pagerduty'] as const;
/** A notification channel. */
export type Channel = (typeof CHANNELS)[number];

/** CloudWatch alarm states. */
export const ALARM_STATES = ['ALARM', 'OK', 'INSUFFICIENT_DATA'] as const;
/** A CloudWatch alarm state. */
export type AlarmState = (typeof ALARM_STATES)[number];

/** What a notification says about its alerts. */
export type NotificationStatus = 'firing' | 'resolved';

/** Label set of an alert: `service`, `team`, `severity`, `rule`, `alarm` and free-form extras. */
export type Labels = Readonly<Record<string, string>>;

/** Human-facing text attached to an alert. */
export interface Annotations {
  /** One-line summary, e.g. "CPU above 80% for 5 minutes". */
  readonly summary: string;
  /** Longer description (alarm description or rule text). */
  readonly description?: string;
  /** Runbook URL. */
  readonly runbookUrl?: string;
  /** CloudWatch console URL of the alarm. */
  readonly alarmUrl?: string;
  /** Dashboard URL. */
  readonly dashboardUrl?: string;
  /** The state reason CloudWatch gave. */
  readonly reason?: string;
  /** X-Ray trace id related to the alert, when known. */
  readonly traceId?: string;
  /** Why the alert has its severity, when a severity ladder chose it (e.g. `critical: memory_usage = 95 > 90`). */
  readonly severityReason?: string;
}

/** Ranks severities so they can be compared. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** True when `value` is a known severity. */
export function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value);
}

/** True when `value` is a known channel. */
export function isChannel(value: string): value is Channel {
  return (CHANNELS as readonly string[]).includes(value);
}

/** True when `value` is a CloudWatch alarm state. */
export function isAlarmState(value: string): value is AlarmState {
  return (ALARM_STATES as readonly string[]).includes(value);
}
