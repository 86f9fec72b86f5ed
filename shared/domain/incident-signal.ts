/**
 * What the page path tells the incident responder: a page went out (or an alert that may belong to
 * an incident fired or resolved without one), with the facts the responder needs to open or link
 * the incident, record the page on its timeline and send the evidence after it. The page path
 * never waits for the responder: it only hands this message on, after the page.
 */
import { createHash } from 'node:crypto';
import type { Channel, Labels, Severity } from './alert';
import { severityRank } from './alert';
import type { NotificationReason } from './notification';
import type { IncidentsRuntime } from './runtime-config';

/** The alert facts incidents need; an AlertRecord and a NotifiedAlert both have them. */
export interface IncidentAlert {
  readonly fingerprint: string;
  readonly alarmName: string;
  readonly ruleId?: string;
  readonly severity: Severity;
  readonly labels: Labels;
  readonly annotations: { readonly summary: string };
  /** Severities of the alert's current episode (an alert record has them). */
  readonly episodeSeverities?: readonly Severity[];
}

/** Why a page was sent (the notification's reason). */
export type PageReason = 'alert' | 'group' | 'repeat' | 'escalation';

/** The page a signal follows: what people were told, where and when. */
export interface SignalPage {
  /** Notification id without the channel suffix; the evidence update names it. */
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly reason: PageReason;
  /** Group key of the page (PagerDuty dedup_key, SNS alert_id). */
  readonly groupKey: string;
  /** Channels the page reached. */
  readonly channels: readonly Channel[];
  /** Epoch ms the page was published. */
  readonly sentAt: number;
}

/** One message to the incident responder. */
export interface IncidentSignal {
  /** Stable for the same content: a re-sent signal is recognised (SQS FIFO deduplication). */
  readonly id: string;
  /** `fired`: open, link, record the page, collect and send evidence; `resolved`: maybe resolve. */
  readonly kind: 'fired' | 'resolved';
  /** An escalation opens an incident only with `openOnEscalation`. */
  readonly cause: 'fired' | 'escalated';
  /** Every alert of a signal belongs to this service (the FIFO message group: one at a time, in order). */
  readonly service: string;
  /** Epoch ms of the transition or the page: the incident's opening time when it opens one. */
  readonly at: number;
  readonly stage: string;
  readonly alerts: readonly IncidentAlert[];
  /** Absent when nobody was told (silenced, held back by a storm, or left to the tick's grouping). */
  readonly page?: SignalPage;
}

/** Hands signals to the responder (an SQS FIFO queue in AWS). Throws when it could not. */
export interface IncidentSignalSink {
  send(signal: IncidentSignal): Promise<void>;
}

/** Keeps signals that could not be sent, for the tick to send again. */
export interface SignalBacklog {
  /** Keeps one signal (idempotent by id). */
  keep(signal: IncidentSignal, now: number): Promise<void>;
  /** Oldest kept signals first, at most `limit`. */
  list(limit: number): Promise<IncidentSignal[]>;
  /** Forgets a signal once it has been sent. */
  forget(id: string): Promise<void>;
}

/** Neither the responder's queue nor the backlog took the signal: the caller must retry. */
export class SignalNotSentError extends Error {
  public readonly code = 'SIGNAL_NOT_SENT';

  public constructor(signalId: string, options?: { cause?: unknown }) {
    super(`incident signal ${signalId} could neither be sent nor kept for later`, options);
    this.name = 'SignalNotSentError';
  }
}

/** Service an alert belongs to. */
export function serviceOf(alert: Pick<IncidentAlert, 'labels'>): string {
  return alert.labels['service'] ?? 'unknown';
}

/** True when the alert (or its escalation) is serious enough to open an incident. */
export function opensIncident(
  settings: Pick<IncidentsRuntime, 'minSeverity' | 'openOnEscalation'>,
  alert: Pick<IncidentAlert, 'severity'>,
  cause: 'fired' | 'escalated',
): boolean {
  if (severityRank(alert.severity) >= severityRank(settings.minSeverity)) return true;
  return cause === 'escalated' && settings.openOnEscalation;
}

/**
 * False when the alert cannot be linked to any incident: neither it (at any severity of its
 * episode) nor an escalation of it opens one. Such alerts send no signal at all.
 */
export function mayBeInIncident(
  settings: Pick<IncidentsRuntime, 'minSeverity' | 'openOnEscalation'>,
  alert: Pick<IncidentAlert, 'severity' | 'episodeSeverities'>,
): boolean {
  if (settings.openOnEscalation) return true;
  return [alert.severity, ...(alert.episodeSeverities ?? [])].some(
    (severity) => severityRank(severity) >= severityRank(settings.minSeverity),
  );
}

/** Only what incidents read of an alert (a signal carries no annotations beyond the summary). */
export function incidentAlertOf(alert: IncidentAlert): IncidentAlert {
  return {
    fingerprint: alert.fingerprint,
    alarmName: alert.alarmName,
    ...(alert.ruleId !== undefined ? { ruleId: alert.ruleId } : {}),
    severity: alert.severity,
    labels: alert.labels,
    annotations: { summary: alert.annotations.summary },
    ...(alert.episodeSeverities !== undefined ? { episodeSeverities: alert.episodeSeverities } : {}),
  };
}

/** The id of a signal: a hash of what makes it different from another (128 characters at most). */
export function signalIdOf(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 40);
}

// A digest is told by its own round; evidence follows a page; an acknowledgement (PagerDuty's
// acknowledge event) is told to the incident by whoever made it, and is neither page nor resolve.
const NOT_TOLD_TO_INCIDENTS = ['digest', 'evidence', 'acknowledged'] as const;

/** Whether a notification sent for this reason is a page (or resolve) the incident responder hears of. */
export function tellsIncidents(
  reason: NotificationReason | undefined,
): reason is Exclude<NotificationReason, (typeof NOT_TOLD_TO_INCIDENTS)[number]> | undefined {
  return reason === undefined || !(NOT_TOLD_TO_INCIDENTS as readonly string[]).includes(reason);
}

/**
 * The signals a page (or a transition without one) gives: one per service among `alerts` that may
 * be in an incident; none when incidents are off or no alert qualifies.
 */
export function signalsFor(input: {
  readonly settings: IncidentsRuntime | undefined;
  readonly stage: string;
  readonly kind: IncidentSignal['kind'];
  readonly cause: IncidentSignal['cause'];
  readonly at: number;
  readonly alerts: readonly IncidentAlert[];
  /** Key of what was sent (the notification id base), so a re-send is recognised. */
  readonly key: string;
  readonly page?: SignalPage;
}): IncidentSignal[] {
  const { settings } = input;
  if (!settings) return [];
  const byService = new Map<string, IncidentAlert[]>();
  for (const alert of input.alerts) {
    if (!mayBeInIncident(settings, alert)) continue;
    const service = serviceOf(alert);
    byService.set(service, [...(byService.get(service) ?? []), incidentAlertOf(alert)]);
  }
  return [...byService].map(([service, alerts]) => ({
    id: signalIdOf([
      input.key,
      input.kind,
      service,
      [...(input.page?.channels ?? [])].sort().join(','),
      alerts.map((a) => a.fingerprint).join(','),
    ]),
    kind: input.kind,
    cause: input.cause,
    service,
    at: input.at,
    stage: input.stage,
    alerts,
    ...(input.page ? { page: input.page } : {}),
  }));
}

/**
 * Sends a signal; when the responder's queue does not take it, keeps it in the backlog for the
 * tick to send again. Throws {@link SignalNotSentError} only when neither worked.
 */
export async function sendDurably(
  deps: {
    readonly sink: IncidentSignalSink;
    readonly backlog?: SignalBacklog;
    readonly clock: () => number;
    readonly log: {
      warn(message: string, extra?: Record<string, unknown>): void;
      error(message: string, extra?: Record<string, unknown>): void;
    };
  },
  signal: IncidentSignal,
): Promise<void> {
  try {
    await deps.sink.send(signal);
    return;
  } catch (sendError) {
    const reason = sendError instanceof Error ? sendError.message : String(sendError);
    if (!deps.backlog) throw new SignalNotSentError(signal.id, { cause: sendError });
    try {
      await deps.backlog.keep(signal, deps.clock());
      deps.log.warn('incident signal kept for the tick to send again', { signal: signal.id, reason });
    } catch (keepError) {
      deps.log.error('incident signal could neither be sent nor kept', {
        signal: signal.id,
        service: signal.service,
        reason,
      });
      throw new SignalNotSentError(signal.id, { cause: keepError });
    }
  }
}
