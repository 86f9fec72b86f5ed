import type { Channel, Labels, Severity } from './alert';

/** Lifecycle of an incident. An acknowledged incident is still open. */
export type IncidentStatus = 'open' | 'resolved';

/** What happened, in the order it happened. */
export type TimelineKind =
  | 'opened'
  | 'alert-linked'
  | 'diagnostics'
  | 'notified'
  | 'evidence-sent'
  | 'acknowledged'
  | 'mitigation-started'
  | 'mitigation-finished'
  | 'resolved'
  | 'reopened';

/** One entry of an incident's timeline. */
export interface TimelineEntry {
  /** Epoch ms. */
  readonly at: number;
  readonly kind: TimelineKind;
  /** Who did it (operator name for acks, `vigil` for the pipeline). */
  readonly by?: string;
  /** Channel of a `notified` or `evidence-sent` entry. */
  readonly channel?: Channel;
  /** The page (notification id without the channel) a `notified` or `evidence-sent` entry is about. */
  readonly page?: string;
  /** Fingerprint of the alert the entry concerns. */
  readonly alert?: string;
  /** Outcome of a mitigation entry. */
  readonly outcome?: 'succeeded' | 'failed' | 'dry-run' | 'skipped';
  /** One line of human detail. */
  readonly detail?: string;
}

/** What one diagnostics source found, or why it found nothing. */
export interface DiagnosticsSource {
  readonly status: 'ok' | 'empty' | 'timeout' | 'error';
  /** Compact human summary (a few lines). */
  readonly summary: string;
  readonly links: readonly { readonly label: string; readonly url: string }[];
  /** Milliseconds the source took. */
  readonly tookMs: number;
}

/** Evidence collected after the incident opened. */
export interface Diagnostics {
  readonly collectedAt: number;
  /** Window the sources looked at (epoch ms). */
  readonly from: number;
  readonly until: number;
  readonly metrics: DiagnosticsSource;
  readonly logs: DiagnosticsSource;
  readonly traces: DiagnosticsSource;
}

/** An incident: a critical situation of one service, linking its alerts, with a timeline. */
export interface Incident {
  readonly id: string;
  readonly title: string;
  readonly service: string;
  readonly severity: Severity;
  readonly status: IncidentStatus;
  readonly labels: Labels;
  /** Rule of the alert that opened the incident. */
  readonly ruleId?: string;
  /** Fingerprints of the linked alerts, the opening alert first. */
  readonly alerts: readonly string[];
  readonly openedAt: number;
  readonly acknowledgedAt?: number;
  readonly acknowledgedBy?: string;
  readonly resolvedAt?: number;
  readonly diagnostics?: Diagnostics;
  readonly timeline: readonly TimelineEntry[];
  /** Optimistic-concurrency version; every write increments it. */
  readonly version: number;
}

/** Persistence of incidents (in the alert-state table). */
export interface IncidentStore {
  get(id: string): Promise<Incident | undefined>;
  /** Conditional on the version, like AlertStore.put. */
  put(incident: Incident, expectedVersion: number | undefined): Promise<Incident | undefined>;
  /** Incidents opened in [`since`, `until`], newest first, at most `limit` (index query, never a scan). */
  list(since: number, until: number, limit: number): Promise<Incident[]>;
}
