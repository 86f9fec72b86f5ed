/** The audit trail of actions taken on alerts: who did what, from where, with what outcome. */
import type { ActionSource } from './actor';

/** What was done. */
export type AuditedAction = 'acknowledge' | 'silence' | 'resolve';

/** One action on one alert. */
export interface AuditEntry {
  /** Epoch ms. */
  readonly at: number;
  readonly action: AuditedAction;
  readonly fingerprint: string;
  readonly alarmName: string;
  /** The actor's label (`slack:U123 (ana)`, `link:email`, `ana`). */
  readonly by: string;
  readonly via: ActionSource;
  /** What it came to: `acknowledged`, `already acknowledged`, `silenced 1h (<id>)`, `resolved`. */
  readonly outcome: string;
  /** The incident it touched, if any. */
  readonly incidentId?: string;
}

/** Where the audit trail is kept. */
export interface AuditLog {
  /** Appends an entry. */
  record(entry: AuditEntry): Promise<void>;
  /** The newest entries of an alert, newest first, at most `limit`. */
  list(fingerprint: string, limit: number): Promise<AuditEntry[]>;
}
