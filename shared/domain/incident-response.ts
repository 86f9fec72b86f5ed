/**
 * The incident responder's work for one signal, after the page: open or link the incident, record
 * the page on its timeline, collect the evidence (each source within its budget), send it to the
 * channels the page reached, run the guarded mitigation, resolve when every linked alert has.
 * Every step is safe to repeat, so a signal handled again (a retry) adds nothing twice.
 */
import type { Channel } from './alert';
import { describeError } from './errors';
import type { Incident } from './incident';
import type { IncidentAlert, IncidentSignal, SignalPage } from './incident-signal';
import { mayBeInIncident, opensIncident } from './incident-signal';
import type { IncidentDeps } from './incidents';
import {
  acknowledgeIncident,
  attachDiagnostics,
  findOpenIncidentOf,
  linkFiringAlert,
  mitigateIncident,
  recordChannels,
  resolveIfAllResolved,
} from './incidents';
import type { Notification, NotifiedAlert } from './notification';
import type { Publisher } from './ports';

/** Channels that receive the evidence after a page; SMS and PagerDuty carry the page alone. */
export const EVIDENCE_CHANNELS: readonly Channel[] = ['slack', 'email'];

/** What the responder needs besides the incident lifecycle's ports. */
export interface ResponderDeps extends IncidentDeps {
  /** Publishes the evidence update to the channel topics. */
  readonly publisher: Publisher;
}

/** What handling one signal did. */
export interface SignalOutcome {
  /** Incidents the signal concerned. */
  readonly incidents: readonly string[];
  /** Channels the evidence update reached in this call. */
  readonly evidenceSent: readonly Channel[];
  /** Incidents this call resolved. */
  readonly resolved: readonly string[];
}

/** Evidence could not be published on some channels; the signal is retried for those only. */
export class EvidenceDeliveryError extends Error {
  public readonly code = 'EVIDENCE_NOT_DELIVERED';

  public constructor(
    public readonly channels: readonly Channel[],
    options?: { cause?: unknown },
  ) {
    super(`evidence update not published on ${channels.join(', ')}`, options);
    this.name = 'EvidenceDeliveryError';
  }
}

function toNotifiedAlert(alert: IncidentAlert, startsAt: number): NotifiedAlert {
  return {
    fingerprint: alert.fingerprint,
    alarmName: alert.alarmName,
    ...(alert.ruleId !== undefined ? { ruleId: alert.ruleId } : {}),
    status: 'firing',
    severity: alert.severity,
    labels: alert.labels,
    annotations: { summary: alert.annotations.summary },
    startsAt: new Date(startsAt).toISOString(),
  };
}

/**
 * The evidence update one channel receives after `page`: the incident's diagnostics with their
 * links, saying which page it follows. Its id is derived from the page, so a forwarder delivers a
 * re-sent update once.
 */
export function buildEvidenceNotification(input: {
  readonly incident: Incident;
  readonly page: SignalPage;
  readonly alerts: readonly IncidentAlert[];
  readonly channel: Channel;
  readonly stage: string;
  readonly now: number;
}): Notification {
  const { incident, page, channel } = input;
  const d = incident.diagnostics;
  const iso = (ms: number): string => new Date(ms).toISOString();
  return {
    id: `${page.id}:evidence:${channel}`,
    channel,
    status: 'firing',
    severity: page.severity,
    groupKey: page.groupKey,
    title: page.title,
    alerts: input.alerts.map((a) => toNotifiedAlert(a, input.incident.openedAt)),
    totalAlerts: input.alerts.length,
    links: {},
    reason: 'evidence',
    evidence: {
      incidentId: incident.id,
      incidentTitle: incident.title,
      page: { id: page.id, title: page.title, sentAt: iso(page.sentAt) },
      from: iso(d?.from ?? input.now),
      until: iso(d?.until ?? input.now),
      sources: d
        ? (['metrics', 'logs', 'traces'] as const).map((name) => ({
            name,
            status: d[name].status,
            summary: d[name].summary,
            links: d[name].links,
          }))
        : [],
    },
    createdAt: iso(input.now),
    stage: input.stage,
  };
}

/** The alert was acknowledged before its incident existed (a slow responder): the incident inherits it. */
async function inheritAcknowledgement(
  deps: ResponderDeps,
  incident: Incident,
  alert: IncidentAlert,
): Promise<Incident> {
  if (incident.acknowledgedAt !== undefined) return incident;
  const record = await deps.alerts.get(alert.fingerprint);
  if (record?.ack === undefined || record.status !== 'firing') return incident;
  const acked = await acknowledgeIncident(
    deps,
    incident.id,
    record.ack.by,
    `alert ${alert.alarmName}`,
    Math.max(record.ack.at, incident.openedAt),
  );
  return acked ?? incident;
}

/** Sends the evidence to the page's channels that have not had it for this incident yet. */
async function sendEvidence(
  deps: ResponderDeps,
  incident: Incident,
  page: SignalPage,
  alerts: readonly IncidentAlert[],
  stage: string,
): Promise<{ incident: Incident; sent: Channel[] }> {
  const told = new Set(incident.timeline.filter((e) => e.kind === 'evidence-sent').map((e) => e.channel));
  const channels = page.channels.filter((c) => EVIDENCE_CHANNELS.includes(c) && !told.has(c));
  if (channels.length === 0) return { incident, sent: [] };
  const now = deps.clock();
  const results = await Promise.allSettled(
    channels.map((channel) =>
      deps.publisher.publish(
        channel,
        buildEvidenceNotification({ incident, page, alerts, channel, stage, now }),
      ),
    ),
  );
  const sent = channels.filter((_, i) => results[i]?.status === 'fulfilled');
  const failed = channels.filter((_, i) => results[i]?.status === 'rejected');
  const noted =
    (await recordChannels(
      deps,
      incident.id,
      'evidence-sent',
      sent.map((channel) => ({ channel, page: page.id, at: deps.clock() })),
    )) ?? incident;
  for (const channel of sent) {
    deps.metrics?.evidenceSent(noted, channel, Math.max(0, (now - page.sentAt) / 1000));
  }
  if (failed.length > 0) {
    const first = results.find((r) => r.status === 'rejected');
    throw new EvidenceDeliveryError(failed, {
      cause: first?.status === 'rejected' ? first.reason : undefined,
    });
  }
  return { incident: noted, sent };
}

/** Handles a `fired` signal: link, record the page, evidence, mitigation. */
async function respondToFiring(deps: ResponderDeps, signal: IncidentSignal): Promise<SignalOutcome> {
  const touched = new Map<string, { incident: Incident; opened: boolean; alerts: IncidentAlert[] }>();
  for (const alert of signal.alerts) {
    let incident: Incident | undefined;
    if (opensIncident(deps.settings, alert, signal.cause)) {
      const linked = await linkFiringAlert(deps, alert, signal.at);
      if (linked.change !== 'unchanged') {
        deps.log.info('incident', {
          incidentId: linked.incident.id,
          change: linked.change,
          alert: alert.alarmName,
        });
      }
      incident = linked.incident;
    } else if (mayBeInIncident(deps.settings, alert)) {
      incident = await findOpenIncidentOf(deps, alert);
    }
    if (!incident) continue;
    incident = await inheritAcknowledgement(deps, incident, alert);
    const entry = touched.get(incident.id) ?? { incident, opened: false, alerts: [] };
    entry.incident = incident;
    entry.alerts.push(alert);
    if (incident.alerts[0] === alert.fingerprint) entry.opened = true;
    touched.set(incident.id, entry);
  }
  const evidenceSent: Channel[] = [];
  for (const entry of touched.values()) {
    let incident = entry.incident;
    const page = signal.page;
    if (page) {
      incident =
        (await recordChannels(
          deps,
          incident.id,
          'notified',
          page.channels.map((channel) => ({ channel, page: page.id, at: page.sentAt, detail: page.reason })),
        )) ?? incident;
    }
    // The evidence is collected once per incident, for the alert that opened it.
    if (entry.opened && !incident.diagnostics) incident = await attachDiagnostics(deps, incident);
    if (page && incident.diagnostics) {
      const result = await sendEvidence(deps, incident, page, entry.alerts, signal.stage);
      incident = result.incident;
      evidenceSent.push(...result.sent);
    }
    if (entry.opened) await mitigateIncident(deps, incident);
  }
  return { incidents: [...touched.keys()], evidenceSent, resolved: [] };
}

/** Handles a `resolved` signal: each alert's incident resolves once every linked alert has. */
async function respondToResolve(deps: ResponderDeps, signal: IncidentSignal): Promise<SignalOutcome> {
  const resolved: string[] = [];
  for (const alert of signal.alerts) {
    if (!mayBeInIncident(deps.settings, alert)) continue;
    const incident = await resolveIfAllResolved(deps, alert, signal.at);
    if (incident) {
      deps.log.info('incident resolved', { incidentId: incident.id });
      resolved.push(incident.id);
    }
  }
  return { incidents: resolved, evidenceSent: [], resolved };
}

/**
 * Handles one signal. Throws when a step failed (the queue redelivers the signal, and the steps
 * already done are not repeated); a diagnostics source that fails or hangs only becomes a note.
 */
export async function respondToSignal(deps: ResponderDeps, signal: IncidentSignal): Promise<SignalOutcome> {
  try {
    return signal.kind === 'fired'
      ? await respondToFiring(deps, signal)
      : await respondToResolve(deps, signal);
  } catch (error) {
    deps.log.error('incident signal not handled; it will be delivered again', {
      signal: signal.id,
      service: signal.service,
      kind: signal.kind,
      error: describeError(error),
    });
    throw error;
  }
}
