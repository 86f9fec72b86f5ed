import { createHash } from 'node:crypto';
import type { Channel, Labels, Severity } from './alert';
import { severityRank } from './alert';
import type { DiagnosticsSources } from './diagnostics';
import { collectDiagnostics, formatDiagnostics } from './diagnostics';
import { describeError } from './errors';
import type { Incident, IncidentStore, TimelineEntry } from './incident';
import type { MitigationBudget, MitigationRunner } from './mitigation';
import { actionFor, describeMitigation, hourStartOf } from './mitigation';
import type { AlertStore, Clock, Log } from './ports';
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

/** The service's current (or most recent) incident, with the pointer's own version. */
export interface IncidentPointer {
  readonly incidentId: string;
  readonly version: number;
}

/**
 * One pointer per service to its current incident. Moving it is a conditional write, so of two
 * handlers opening an incident for the same service at once exactly one wins; the other links.
 */
export interface IncidentPointers {
  getPointer(service: string): Promise<IncidentPointer | undefined>;
  /** Points the service at `incidentId` if the pointer's version is still `expectedVersion` (undefined: none yet). */
  putPointer(service: string, incidentId: string, expectedVersion: number | undefined): Promise<boolean>;
}

/** Incident numbers published as metrics. */
export interface IncidentMetrics {
  /** Once per resolution: seconds from opening to acknowledgement (when acknowledged) and to resolution. */
  incidentResolved(incident: Incident, times: { mttaSeconds?: number; mttrSeconds: number }): void;
  /** Notifications published, per channel. */
  notificationsSent(channel: Channel, count: number): void;
}

/** Everything the incident lifecycle needs, injected. */
export interface IncidentDeps {
  readonly settings: IncidentsRuntime;
  readonly incidents: IncidentStore;
  readonly pointers: IncidentPointers;
  /** Reads the linked alerts, to know when every one of them has resolved. */
  readonly alerts: Pick<AlertStore, 'get'>;
  readonly clock: Clock;
  readonly log: Log;
  readonly diagnostics?: DiagnosticsSources;
  readonly mitigation?: { readonly runner: MitigationRunner; readonly budget: MitigationBudget };
  readonly metrics?: IncidentMetrics;
  /** Measures how long a diagnostics source took (real time even when `clock` is virtual). @default Date.now */
  readonly elapsed?: () => number;
}

/** What linking a firing alert did. */
export type LinkChange = 'opened' | 'linked' | 'reopened' | 'unchanged';

/** Most timeline entries kept; the opening entry always stays, the oldest others go first. */
export const MAX_TIMELINE = 200;
/** Most alerts linked to one incident. */
export const MAX_LINKED_ALERTS = 100;
const MAX_DETAIL = 300;
const MAX_ATTEMPTS = 8;

/** The pipeline's own name on the timeline. */
export const PIPELINE_ACTOR = 'vigil';

/** Service an alert belongs to. */
export function serviceOf(alert: Pick<IncidentAlert, 'labels'>): string {
  return alert.labels['service'] ?? 'unknown';
}

/** True when the alert (or its escalation) is serious enough to open an incident. */
export function opensIncident(
  settings: IncidentsRuntime,
  alert: Pick<IncidentAlert, 'severity'>,
  cause: 'fired' | 'escalated',
): boolean {
  if (severityRank(alert.severity) >= severityRank(settings.minSeverity)) return true;
  return cause === 'escalated' && settings.openOnEscalation;
}

/**
 * False when the alert cannot be linked to any incident: neither it (at any severity of its
 * episode) nor an escalation of it opens one. Such alerts skip every incident lookup.
 */
export function mayBeInIncident(
  settings: IncidentsRuntime,
  alert: Pick<IncidentAlert, 'severity' | 'episodeSeverities'>,
): boolean {
  if (settings.openOnEscalation) return true;
  return [alert.severity, ...(alert.episodeSeverities ?? [])].some(
    (severity) => severityRank(severity) >= severityRank(settings.minSeverity),
  );
}

/** Deterministic, readable id: service, opening minute (UTC) and a short hash of the opening alert. */
export function incidentIdOf(service: string, fingerprint: string, openedAt: number): string {
  const minute = new Date(openedAt).toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  const hash = createHash('sha256').update(`${service}\u0000${fingerprint}\u0000${openedAt}`).digest('hex');
  return `${service}-${minute}-${hash.slice(0, 6)}`;
}

/** Appends timeline entries, keeping the opening entry and the newest ones within {@link MAX_TIMELINE}. */
export function appendTimeline(incident: Incident, ...entries: TimelineEntry[]): Incident {
  const clipped = entries.map((e) =>
    e.detail !== undefined && e.detail.length > MAX_DETAIL
      ? { ...e, detail: `${e.detail.slice(0, MAX_DETAIL - 3)}...` }
      : e,
  );
  const all = [...incident.timeline, ...clipped];
  if (all.length <= MAX_TIMELINE) return { ...incident, timeline: all };
  const [first, ...rest] = all;
  const kept = rest.slice(rest.length - (MAX_TIMELINE - 1));
  return { ...incident, timeline: first ? [first, ...kept] : kept };
}

function newIncident(id: string, alert: IncidentAlert, now: number): Incident {
  const service = serviceOf(alert);
  return {
    id,
    title: `${service}: ${alert.annotations.summary}`,
    service,
    severity: alert.severity,
    status: 'open',
    labels: alert.labels,
    ruleId: alert.ruleId,
    alerts: [alert.fingerprint],
    openedAt: now,
    timeline: [
      { at: now, kind: 'opened', by: PIPELINE_ACTOR, alert: alert.fingerprint, detail: alert.alarmName },
    ],
    version: 0,
  };
}

/** Rewrites an incident with `change` applied to its newest stored version; undefined when `change` declines. */
async function updateIncident(
  deps: Pick<IncidentDeps, 'incidents'>,
  id: string,
  change: (current: Incident) => Incident | undefined,
): Promise<Incident | undefined> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = await deps.incidents.get(id);
    if (!current) return undefined;
    const next = change(current);
    if (!next) return undefined;
    const stored = await deps.incidents.put(next, current.version);
    if (stored) return stored;
  }
  throw new Error(`incident ${id}: too many concurrent updates`);
}

/**
 * Links a firing alert to its service's open incident, reopens the service's last incident when
 * this alert was part of it and it resolved within the reopen window, or opens a new one. One
 * incident per service is open at a time: the per-service pointer moves by conditional write.
 * Idempotent: an alert already linked changes nothing.
 */
export async function linkFiringAlert(
  deps: IncidentDeps,
  alert: IncidentAlert,
): Promise<{ readonly incident: Incident; readonly change: LinkChange }> {
  const service = serviceOf(alert);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const now = deps.clock();
    const pointer = await deps.pointers.getPointer(service);
    const current = pointer ? await deps.incidents.get(pointer.incidentId) : undefined;
    if (pointer && !current) {
      // The pointer moved but its incident was not written (a crash in between): write it now.
      const created = await deps.incidents.put(newIncident(pointer.incidentId, alert, now), undefined);
      if (created) return { incident: created, change: 'opened' };
      continue;
    }
    if (current?.status === 'open') {
      if (current.alerts.includes(alert.fingerprint)) return { incident: current, change: 'unchanged' };
      const linked = appendTimeline(
        current.alerts.length < MAX_LINKED_ALERTS
          ? { ...current, alerts: [...current.alerts, alert.fingerprint] }
          : current,
        {
          at: now,
          kind: 'alert-linked',
          by: PIPELINE_ACTOR,
          alert: alert.fingerprint,
          detail: alert.alarmName,
        },
      );
      const stored = await deps.incidents.put(linked, current.version);
      if (stored) return { incident: stored, change: 'linked' };
      continue;
    }
    const reopenUntil = (current?.resolvedAt ?? -Infinity) + deps.settings.reopenWindowSeconds * 1000;
    if (current && current.alerts.includes(alert.fingerprint) && now <= reopenUntil) {
      const reopened = appendTimeline(
        { ...current, status: 'open', resolvedAt: undefined },
        { at: now, kind: 'reopened', by: PIPELINE_ACTOR, alert: alert.fingerprint, detail: alert.alarmName },
      );
      const stored = await deps.incidents.put(reopened, current.version);
      if (stored) return { incident: stored, change: 'reopened' };
      continue;
    }
    const id = incidentIdOf(service, alert.fingerprint, now);
    if (!(await deps.pointers.putPointer(service, id, pointer?.version))) continue;
    const created = await deps.incidents.put(newIncident(id, alert, now), undefined);
    const incident = created ?? (await deps.incidents.get(id));
    if (incident) return { incident, change: created ? 'opened' : 'unchanged' };
  }
  throw new Error(`incident of ${service}: too many concurrent updates`);
}

/**
 * A linked alert resolved: when every linked alert has resolved, the incident resolves and its
 * MTTA/MTTR are published. Returns the incident when this call resolved it.
 */
export async function resolveIfAllResolved(
  deps: IncidentDeps,
  alert: Pick<IncidentAlert, 'fingerprint' | 'labels'>,
  by: string = PIPELINE_ACTOR,
): Promise<Incident | undefined> {
  const pointer = await deps.pointers.getPointer(serviceOf(alert));
  if (!pointer) return undefined;
  const found = await deps.incidents.get(pointer.incidentId);
  if (!found || found.status !== 'open' || !found.alerts.includes(alert.fingerprint)) return undefined;
  for (const fingerprint of found.alerts) {
    if (fingerprint === alert.fingerprint) continue;
    const other = await deps.alerts.get(fingerprint);
    if (other?.status === 'firing') return undefined;
  }
  const now = deps.clock();
  const resolved = await updateIncident(deps, found.id, (current) =>
    current.status !== 'open'
      ? undefined
      : appendTimeline(
          { ...current, status: 'resolved', resolvedAt: now },
          { at: now, kind: 'resolved', by, alert: alert.fingerprint },
        ),
  );
  if (resolved) {
    deps.metrics?.incidentResolved(resolved, {
      mttaSeconds:
        resolved.acknowledgedAt === undefined
          ? undefined
          : Math.round((resolved.acknowledgedAt - resolved.openedAt) / 1000),
      mttrSeconds: Math.round((now - resolved.openedAt) / 1000),
    });
  }
  return resolved;
}

/** Acknowledges an incident; the first acknowledgement sets MTTA, later ones only land on the timeline. */
export async function acknowledgeIncident(
  deps: { readonly incidents: IncidentStore; readonly clock: Clock },
  id: string,
  by: string,
  detail?: string,
): Promise<Incident | undefined> {
  const now = deps.clock();
  return updateIncident(deps, id, (current) =>
    appendTimeline(
      current.acknowledgedAt === undefined
        ? { ...current, acknowledgedAt: now, acknowledgedBy: by }
        : current,
      { at: now, kind: 'acknowledged', by, ...(detail ? { detail } : {}) },
    ),
  );
}

/** Finds the open incident a given alert is linked to. */
export async function findOpenIncidentOf(
  deps: { readonly incidents: IncidentStore; readonly pointers: IncidentPointers },
  alert: Pick<IncidentAlert, 'fingerprint' | 'labels'>,
): Promise<Incident | undefined> {
  const pointer = await deps.pointers.getPointer(serviceOf(alert));
  const incident = pointer ? await deps.incidents.get(pointer.incidentId) : undefined;
  return incident?.status === 'open' && incident.alerts.includes(alert.fingerprint) ? incident : undefined;
}

/** Collects diagnostics for an incident that has none yet and stores them with a timeline entry. */
export async function attachDiagnostics(deps: IncidentDeps, incident: Incident): Promise<Incident> {
  if (incident.diagnostics) return incident;
  const until = deps.clock();
  const opener = incident.timeline[0];
  const diagnostics = await collectDiagnostics(
    deps.diagnostics ?? {},
    {
      incidentId: incident.id,
      service: incident.service,
      alarmName: opener?.detail ?? incident.title,
      ruleId: incident.ruleId,
      from: until - deps.settings.diagnostics.windowSeconds * 1000,
      until,
    },
    deps.settings.diagnostics.budgetMs,
    until,
    deps.elapsed,
  );
  const statuses = (['metrics', 'logs', 'traces'] as const).map((k) => `${k} ${diagnostics[k].status}`);
  const stored = await updateIncident(deps, incident.id, (current) =>
    current.diagnostics
      ? undefined
      : appendTimeline(
          { ...current, diagnostics },
          { at: deps.clock(), kind: 'diagnostics', by: PIPELINE_ACTOR, detail: statuses.join(', ') },
        ),
  );
  return stored ?? (await deps.incidents.get(incident.id)) ?? { ...incident, diagnostics };
}

/**
 * Runs the rule's mitigation action for a newly opened incident, guarded: only when enabled, at
 * most once per incident (the `mitigation-started` entry is written first, conditionally) and at
 * most `maxPerHour` across the deployment; in dry-run mode it records what would have run.
 */
export async function mitigateIncident(
  deps: IncidentDeps,
  incident: Incident,
): Promise<Incident | undefined> {
  const action = incident.ruleId === undefined ? undefined : deps.settings.actions[incident.ruleId];
  const guard = deps.settings.mitigation;
  if (!action || !guard.enabled) return undefined;
  if (incident.timeline.some((e) => e.kind === 'mitigation-started')) return undefined;
  const context = {
    incidentId: incident.id,
    service: incident.service,
    ruleId: incident.ruleId,
    alarmName: incident.timeline[0]?.detail ?? incident.title,
  };
  const what = describeMitigation(actionFor(action, context));
  const started = await updateIncident(deps, incident.id, (current) =>
    current.timeline.some((e) => e.kind === 'mitigation-started')
      ? undefined
      : appendTimeline(current, {
          at: deps.clock(),
          kind: 'mitigation-started',
          by: PIPELINE_ACTOR,
          detail: guard.dryRun ? `dry run: ${what}` : what,
        }),
  );
  if (!started) return undefined;
  let outcome: 'succeeded' | 'failed' | 'dry-run' | 'skipped';
  let detail: string;
  if (guard.dryRun) {
    outcome = 'dry-run';
    detail = `would run ${what}`;
  } else if (!deps.mitigation) {
    outcome = 'skipped';
    detail = 'no mitigation runner in this deployment';
  } else if (!(await deps.mitigation.budget.tryTake(hourStartOf(deps.clock()), guard.maxPerHour))) {
    outcome = 'skipped';
    detail = `limit of ${guard.maxPerHour} mitigations per hour reached`;
  } else {
    try {
      detail = await deps.mitigation.runner.run(action, context);
      outcome = 'succeeded';
    } catch (error) {
      outcome = 'failed';
      detail = `${what}: ${describeError(error).message}`;
      deps.log.error('mitigation failed', { incidentId: incident.id, error: describeError(error) });
    }
  }
  return updateIncident(deps, incident.id, (current) =>
    appendTimeline(current, {
      at: deps.clock(),
      kind: 'mitigation-finished',
      by: PIPELINE_ACTOR,
      outcome,
      detail,
    }),
  );
}

/** Records that notifications about the incident went out, one entry per channel. */
export async function recordNotified(
  deps: Pick<IncidentDeps, 'incidents' | 'clock'>,
  id: string,
  channels: readonly Channel[],
  detail?: string,
): Promise<Incident | undefined> {
  if (channels.length === 0) return undefined;
  const at = deps.clock();
  return updateIncident(deps, id, (current) =>
    appendTimeline(
      current,
      ...channels.map((channel): TimelineEntry => ({
        at,
        kind: 'notified',
        by: PIPELINE_ACTOR,
        channel,
        ...(detail ? { detail } : {}),
      })),
    ),
  );
}

/** What a notification about an incident alert carries. */
export interface IncidentExtras {
  readonly incidentId: string;
  /** Compact evidence summary with links. */
  readonly diagnostics?: string;
}

/**
 * The incident steps the alert service and the tick call. None of them throws: an incident problem
 * is logged and never stops or delays a page beyond the diagnostics budgets.
 */
export interface IncidentHooks {
  /** Before a firing alert's notification: opens or links its incident, collects diagnostics on opening. */
  prepare(alert: IncidentAlert, cause: 'fired' | 'escalated'): Promise<IncidentExtras | undefined>;
  /** After a firing alert's notification: timeline entries for the channels, then a pending mitigation. */
  afterPublish(alert: IncidentAlert, channels: readonly Channel[], reason?: string): Promise<void>;
  /** A linked alert resolved (`by`: who resolved it by hand; @default the pipeline). */
  resolved(alert: IncidentAlert, by?: string): Promise<void>;
  /** Counts published notifications per channel (every notification, incident or not). */
  countSent(channels: readonly Channel[]): void;
  /**
   * Before a tick's group notification: firing alerts that qualify open or join their incident
   * (an escalation counts as `escalated`); returns the evidence of the first incident.
   */
  prepareGroup(
    alerts: readonly IncidentAlert[],
    reason: string | undefined,
  ): Promise<IncidentExtras | undefined>;
  /** After a tick's group notification: one `notified` entry per channel on each incident it concerned. */
  afterGroupPublish(
    alerts: readonly IncidentAlert[],
    channels: readonly Channel[],
    reason: string | undefined,
  ): Promise<void>;
}

/** Builds the hooks around the incident dependencies. */
export function createIncidentHooks(deps: IncidentDeps): IncidentHooks {
  const guard = async <T>(
    what: string,
    alert: IncidentAlert,
    run: () => Promise<T>,
  ): Promise<T | undefined> => {
    try {
      return await run();
    } catch (error) {
      deps.log.error(`incident step failed: ${what}`, {
        fingerprint: alert.fingerprint,
        service: serviceOf(alert),
        error: describeError(error),
      });
      return undefined;
    }
  };
  const hooks: IncidentHooks = {
    prepare: (alert, cause) =>
      guard('prepare', alert, async () => {
        if (!opensIncident(deps.settings, alert, cause)) {
          if (!mayBeInIncident(deps.settings, alert)) return undefined;
          const open = await findOpenIncidentOf(deps, alert);
          return open ? { incidentId: open.id } : undefined;
        }
        const { incident, change } = await linkFiringAlert(deps, alert);
        if (change !== 'unchanged' || incident.alerts[0] === alert.fingerprint) {
          deps.log.info('incident', { incidentId: incident.id, change, fingerprint: alert.fingerprint });
        }
        const withEvidence =
          incident.alerts[0] === alert.fingerprint && !incident.diagnostics
            ? await attachDiagnostics(deps, incident)
            : incident;
        return {
          incidentId: withEvidence.id,
          diagnostics: withEvidence.diagnostics
            ? formatDiagnostics(withEvidence.diagnostics, withEvidence.id)
            : undefined,
        };
      }),
    afterPublish: async (alert, channels, reason) => {
      await guard('afterPublish', alert, async () => {
        const incident = await findOpenIncidentOf(deps, alert);
        if (!incident) return;
        const noted = (await recordNotified(deps, incident.id, channels, reason)) ?? incident;
        if (noted.alerts[0] === alert.fingerprint) await mitigateIncident(deps, noted);
      });
    },
    resolved: async (alert, by) => {
      if (!mayBeInIncident(deps.settings, alert)) return;
      await guard('resolve', alert, async () => {
        const resolved = await resolveIfAllResolved(deps, alert, by);
        if (resolved) deps.log.info('incident resolved', { incidentId: resolved.id });
      });
    },
    prepareGroup: async (alerts, reason) => {
      const cause = reason === 'escalation' ? 'escalated' : 'fired';
      let first: IncidentExtras | undefined;
      for (const alert of alerts) {
        if (!opensIncident(deps.settings, alert, cause)) continue;
        const extras = await hooks.prepare(alert, cause);
        first ??= extras;
      }
      return first;
    },
    afterGroupPublish: async (alerts, channels, reason) => {
      const seen = new Set<string>();
      for (const alert of alerts) {
        if (seen.has(serviceOf(alert))) continue;
        seen.add(serviceOf(alert));
        await guard('afterGroupPublish', alert, async () => {
          const incident = await findOpenIncidentOf(deps, alert);
          if (!incident) return;
          const noted = (await recordNotified(deps, incident.id, channels, reason)) ?? incident;
          if (noted.alerts[0] === alert.fingerprint) await mitigateIncident(deps, noted);
        });
      }
    },
    countSent: (channels) => {
      if (!deps.metrics) return;
      const counts = new Map<Channel, number>();
      for (const c of channels) counts.set(c, (counts.get(c) ?? 0) + 1);
      for (const [c, n] of counts) deps.metrics.notificationsSent(c, n);
    },
  };
  return hooks;
}
