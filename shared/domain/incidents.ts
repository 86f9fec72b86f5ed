/**
 * The incident lifecycle the incident responder runs: open, link, reopen, evidence, guarded
 * mitigation, resolve. Nothing here runs on the page path.
 */
import { createHash } from 'node:crypto';
import type { Channel } from './alert';
import { PIPELINE_ACTOR } from './alert';
import type { DiagnosticsSources } from './diagnostics';
import { collectDiagnostics } from './diagnostics';
import { describeError } from './errors';
import type { Incident, IncidentStore, TimelineEntry } from './incident';
import type { IncidentAlert } from './incident-signal';
import { mayBeInIncident, serviceOf } from './incident-signal';
import type { MitigationBudget, MitigationRunner } from './mitigation';
import { actionFor, describeMitigation, hourStartOf } from './mitigation';
import type { AlertStore, Clock, Log } from './ports';
import type { IncidentsRuntime } from './runtime-config';

export type { IncidentAlert } from './incident-signal';
export { mayBeInIncident, opensIncident, serviceOf } from './incident-signal';
export { PIPELINE_ACTOR } from './alert';

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
  /** Seconds from a page to the evidence update that followed it on `channel`. */
  evidenceSent(incident: Incident, channel: Channel, seconds: number): void;
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
 * `at` (the page's time) is the opening time, so a signal handled late or again opens the same
 * incident with the same id. Idempotent: an alert already linked changes nothing.
 */
export async function linkFiringAlert(
  deps: IncidentDeps,
  alert: IncidentAlert,
  at: number = deps.clock(),
): Promise<{ readonly incident: Incident; readonly change: LinkChange }> {
  const service = serviceOf(alert);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const now = at;
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
 * A linked alert resolved (at `at`): when every linked alert has resolved, the incident resolves
 * and its MTTA/MTTR are published. Returns the incident when this call resolved it.
 */
export async function resolveIfAllResolved(
  deps: IncidentDeps,
  alert: Pick<IncidentAlert, 'fingerprint' | 'labels'>,
  at: number = deps.clock(),
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
  const now = at;
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
  at: number = deps.clock(),
): Promise<Incident | undefined> {
  const now = at;
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

/** One channel a page or an evidence update reached. */
export interface ChannelNote {
  readonly channel: Channel;
  /** The page's notification id (without the channel). */
  readonly page: string;
  readonly at: number;
  readonly detail?: string;
}

/**
 * Records that a page (`notified`) or the evidence after it (`evidence-sent`) reached channels,
 * one entry per channel; a channel already recorded for the same page is not recorded again.
 */
export async function recordChannels(
  deps: Pick<IncidentDeps, 'incidents'>,
  id: string,
  kind: 'notified' | 'evidence-sent',
  notes: readonly ChannelNote[],
): Promise<Incident | undefined> {
  if (notes.length === 0) return undefined;
  return updateIncident(deps, id, (current) => {
    const fresh = notes.filter(
      (n) => !current.timeline.some((e) => e.kind === kind && e.channel === n.channel && e.page === n.page),
    );
    if (fresh.length === 0) return undefined;
    return appendTimeline(
      current,
      ...fresh.map((n): TimelineEntry => ({
        at: n.at,
        kind,
        by: PIPELINE_ACTOR,
        channel: n.channel,
        page: n.page,
        ...(n.detail ? { detail: n.detail } : {}),
      })),
    );
  });
}

/**
 * What a hand resolve (the CLI, the action endpoint) needs of incidents: the incident of an alert
 * resolved by a person resolves with it when it was its last firing alert, and the timeline names
 * who. Never throws: an incident problem is logged and the alert's resolve stands.
 */
export interface IncidentHooks {
  /** A linked alert resolved (`by`: who resolved it by hand; @default the pipeline). */
  resolved(alert: IncidentAlert, by?: string): Promise<void>;
}

/** Builds the hand-resolve hooks around the incident dependencies. */
export function createIncidentHooks(deps: IncidentDeps): IncidentHooks {
  return {
    resolved: async (alert, by) => {
      if (!mayBeInIncident(deps.settings, alert)) return;
      try {
        const resolved = await resolveIfAllResolved(deps, alert, deps.clock(), by);
        if (resolved) deps.log.info('incident resolved', { incidentId: resolved.id, by });
      } catch (error) {
        deps.log.error('incident step failed: resolve', {
          fingerprint: alert.fingerprint,
          service: serviceOf(alert),
          error: describeError(error),
        });
      }
    },
  };
}
