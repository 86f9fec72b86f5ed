/**
 * Folding: the alerts that changed since the last run join, update or leave their groups' member
 * lists. The queue of changes is the cursor: an alert leaves it only once its members and group
 * heads are written, and only if it did not change again meanwhile, so no change is ever skipped
 * and a run that stops early leaves the rest for the next one.
 */
import type { Labels } from '../alert';
import type { AlertRecord } from '../alert-record';
import { toNotifiedAlert } from '../build-notification';
import { mapLimit } from '../concurrency';
import { describeError } from '../errors';
import type { GroupHead, GroupMember, GroupRecord } from '../group';
import { headOf, leaveGroup, MEMBER_SHARDS, MEMBER_SPREAD_AT, mergeMember, newGroup } from '../group';
import { matchesAll } from '../matchers';
import type { AlertStore, GroupStore, Log } from '../ports';
import type { MatchedRoute } from '../routing';
import { groupKeyOf, groupLabelsOf, routeAlert, stormScopeOf } from '../routing';
import type { RuntimeConfig } from '../runtime-config';
import type { Silence } from '../silence';
import { silencesFor } from '../silence';
import type { TickBudget } from './budget';

/** Dependencies of the fold. */
export interface FoldDeps {
  readonly config: RuntimeConfig;
  readonly store: AlertStore;
  readonly groups: GroupStore;
  readonly log: Log;
}

/** What one fold did. */
export interface FoldOutcome {
  /** Alert changes folded. */
  readonly folded: number;
  /** Alert changes that could not be folded (left queued, retried next run). */
  readonly failed: number;
  /** Changes were left for the next run because this run's budget ran out (failures are counted apart). */
  readonly backlog: boolean;
  /** New firing episodes per route. */
  readonly arrivals: ReadonlyMap<string, number>;
  /** Routes with any change folded. */
  readonly activeRoutes: ReadonlySet<string>;
  /** An alert that may have inhibited others stopped firing: muted alerts may be visible again. */
  readonly sourcesEnded: boolean;
  /** Labels of alerts that resolved in this fold (for silences that end on resolve). */
  readonly resolved: readonly Labels[];
}

/** Parallel DynamoDB calls a fold keeps in flight. */
const IO_PARALLELISM = 16;

/** The member an alert's current state makes in a group of `route`; undefined when it is inactive. */
export function memberOf(routeImmediate: boolean, alert: AlertRecord): GroupMember | undefined {
  if (alert.status === 'inactive') return undefined;
  const status = alert.status;
  // The handler told the channels only when it published (not when silenced or storming), and a
  // resolve it held back for a storm digest is still the tick's to tell.
  const firingTold = routeImmediate && alert.notified.length > 0;
  const told = firingTold && !(status === 'resolved' && alert.resolveHeld === true);
  return {
    alert: toNotifiedAlert(alert, status),
    changedAt: alert.lastChangeAt,
    acked: alert.ack !== undefined,
    sentImmediately: told,
    notifiedStatus: told ? status : firingTold ? 'firing' : undefined,
    firstToldAt: firingTold ? alert.dirtyAt : undefined,
    lastToldAt: firingTold ? alert.dirtyAt : undefined,
    mergedAt: alert.dirtyAt,
  };
}

/** When a group with a fresh change must be looked at: group_wait after creation, then group_interval. */
export function changeDueOf(head: GroupHead): number {
  return head.lastFlushAt === undefined
    ? head.createdAt + head.route.groupWaitSeconds * 1000
    : head.lastFlushAt + head.route.groupIntervalSeconds * 1000;
}

interface Target {
  readonly key: string;
  readonly route: MatchedRoute;
  readonly labels: Labels;
  readonly leave: boolean;
}

function targetsOf(config: RuntimeConfig, alert: AlertRecord): Target[] {
  const current = routeAlert(config.route, config.receivers, alert.labels).routes;
  const targets: Target[] = current.map((route) => ({
    key: groupKeyOf(route, alert.labels),
    route,
    labels: alert.labels,
    leave: false,
  }));
  // A severity change re-routes the alert: it leaves the groups of routes it no longer matches.
  const keys = new Set(targets.map((t) => t.key));
  for (const severity of alert.episodeSeverities ?? []) {
    if (severity === alert.severity) continue;
    const earlier = { ...alert.labels, severity };
    for (const route of routeAlert(config.route, config.receivers, earlier).routes) {
      const key = groupKeyOf(route, earlier);
      if (keys.has(key)) continue;
      keys.add(key);
      targets.push({ key, route, labels: earlier, leave: true });
    }
  }
  return targets;
}

function isSourceLabels(config: RuntimeConfig, labels: Labels): boolean {
  return config.inhibitRules.some((rule) => matchesAll(rule.sourceMatchers, labels));
}

/** A group head changed under the fold: another writer holds the tick's state. */
class FoldConflictError extends Error {
  public constructor(key: string) {
    super(`group ${key} changed under the fold`);
    this.name = 'FoldConflictError';
  }
}

/**
 * Folds queued alert changes into their groups, page by page, until the queue is empty or the
 * budget runs out. `silences` are the active ones: a firing alert they mute is marked muted at once.
 */
export async function foldChanges(
  deps: FoldDeps,
  budget: TickBudget,
  silences: readonly Silence[],
  now: number,
): Promise<FoldOutcome> {
  const heads = new Map<string, GroupHead>();
  const arrivals = new Map<string, number>();
  const activeRoutes = new Set<string>();
  const resolved: Labels[] = [];
  let folded = 0;
  let failed = 0;
  let backlog = false;
  let sourcesEnded = false;
  const pages = deps.store.unfolded()[Symbol.asyncIterator]();
  try {
    for (;;) {
      if (!budget.mayFold(folded)) {
        backlog = !(await pages.next()).done;
        break;
      }
      const next = await pages.next();
      if (next.done === true) break;
      try {
        const page = await foldPage(deps, heads, next.value, silences, now);
        folded += page.folded;
        for (const [route, n] of page.arrivals) arrivals.set(route, (arrivals.get(route) ?? 0) + n);
        for (const route of page.activeRoutes) activeRoutes.add(route);
        resolved.push(...page.resolved);
        sourcesEnded ||= page.sourcesEnded;
      } catch (error) {
        // The page stays queued: every alert of it is folded again by the next run. A head written
        // behind an error may have a newer version than the one cached: read it again when needed.
        failed += next.value.length;
        heads.clear();
        deps.log.error('tick could not fold a page of alert changes; the next run retries', {
          alerts: next.value.length,
          error: describeError(error),
        });
        if (error instanceof FoldConflictError) break;
      }
    }
  } finally {
    await pages.return?.();
  }
  return { folded, failed, backlog, arrivals, activeRoutes, sourcesEnded, resolved };
}

interface PageOutcome {
  readonly folded: number;
  readonly arrivals: Map<string, number>;
  readonly activeRoutes: Set<string>;
  readonly resolved: Labels[];
  readonly sourcesEnded: boolean;
}

async function foldPage(
  deps: FoldDeps,
  heads: Map<string, GroupHead>,
  alerts: readonly AlertRecord[],
  silences: readonly Silence[],
  now: number,
): Promise<PageOutcome> {
  const plans = alerts.map((alert) => ({ alert, targets: targetsOf(deps.config, alert) }));

  // Load the heads and the members this page touches.
  const keys = [...new Set(plans.flatMap((p) => p.targets.map((t) => t.key)))];
  const missing = keys.filter((k) => !heads.has(k));
  const loaded = await mapLimit(missing, IO_PARALLELISM, (k) => deps.groups.getGroup(k));
  missing.forEach((k, i) => {
    const head = loaded[i];
    if (head) heads.set(k, head);
  });
  const wanted = new Map<string, string[]>();
  for (const p of plans) {
    for (const t of p.targets) wanted.set(t.key, [...(wanted.get(t.key) ?? []), p.alert.fingerprint]);
  }
  const working = new Map<string, GroupRecord>();
  const storedVersion = new Map<string, number | undefined>();
  await mapLimit([...wanted], IO_PARALLELISM, async ([key, fingerprints]) => {
    const head = heads.get(key);
    if (!head) return;
    const members = await deps.groups.getMembers(head, [...new Set(fingerprints)]);
    working.set(key, { ...head, members: Object.fromEntries(members) });
    storedVersion.set(key, head.version);
  });

  // Merge in page order (oldest change first).
  const changedMembers = new Map<string, Set<string>>();
  const removedMembers = new Map<string, Set<string>>();
  const touch = (map: Map<string, Set<string>>, key: string, fp: string): void => {
    map.set(key, (map.get(key) ?? new Set()).add(fp));
  };
  const sizeDelta = new Map<string, number>();
  const grow = (key: string, by: number): void => void sizeDelta.set(key, (sizeDelta.get(key) ?? 0) + by);
  const arrivals = new Map<string, number>();
  const activeRoutes = new Set<string>();
  const resolved: Labels[] = [];
  for (const { alert, targets } of plans) {
    const fp = alert.fingerprint;
    if (alert.status === 'resolved') resolved.push(alert.labels);
    for (const target of targets) {
      const immediate = target.route.groupWaitSeconds === 0;
      if (!target.leave && immediate && alert.outbox) continue; // the handler is still sending it
      const member = memberOf(immediate, alert);
      let group = working.get(target.key);
      if (target.leave) {
        if (!group || !member) continue;
        const next = leaveGroup(group, member);
        if (next === group) continue;
        if (next.members[fp] === undefined) {
          touch(removedMembers, target.key, fp);
          grow(target.key, -1);
        } else touch(changedMembers, target.key, fp);
        working.set(target.key, next);
        activeRoutes.add(stormScopeOf(target.route.routeId));
        continue;
      }
      if (!member) continue;
      if (!group) {
        // group_wait runs from the first change, not from when the tick noticed it.
        const since = Math.min(alert.dirtyAt ?? now, now);
        group = newGroup(target.key, target.route, groupLabelsOf(target.route, target.labels), since);
        storedVersion.set(target.key, undefined);
      }
      const before = group.members[fp];
      let merged = mergeMember(group, member);
      if (merged === group) {
        working.set(target.key, group);
        continue;
      }
      const after = merged.members[fp];
      if (after && after.alert.status === 'firing' && after.notifiedStatus === undefined) {
        // Silenced from the start: its resolve stays quiet too, even if the silence ends first.
        if (silencesFor(after.alert.labels, silences, now).length > 0) {
          merged = { ...merged, members: { ...merged.members, [fp]: { ...after, mutedWhileFiring: true } } };
        }
      }
      if (immediate && alert.status === 'firing') {
        merged = {
          ...merged,
          notifiedChannels: [...new Set([...merged.notifiedChannels, ...alert.notified])],
        };
      }
      if (member.alert.status === 'firing' && before?.alert.startsAt !== member.alert.startsAt) {
        const scope = stormScopeOf(target.route.routeId);
        arrivals.set(scope, (arrivals.get(scope) ?? 0) + 1);
      }
      activeRoutes.add(stormScopeOf(target.route.routeId));
      touch(changedMembers, target.key, fp);
      if (before === undefined) grow(target.key, 1);
      working.set(target.key, merged);
    }
  }

  // Members first, then heads, then the queue: a crash in between re-folds the same changes. A
  // group growing past MEMBER_SPREAD_AT members is spread over more keys: its members are copied
  // first, the head then records the width, and only then are the old copies dropped.
  const touchedKeys = [...new Set([...changedMembers.keys(), ...removedMembers.keys()])];
  const spread = new Map<string, string[]>();
  const layouts = new Map<string, GroupHead>();
  await mapLimit(touchedKeys, IO_PARALLELISM, async (key) => {
    const group = working.get(key);
    if (!group) return;
    const size = Math.max(0, (group.size ?? 0) + (sizeDelta.get(key) ?? 0));
    let layout: GroupHead = { ...headOf(group), size };
    if (group.memberWidth === 1 && size > MEMBER_SPREAD_AT) {
      if (storedVersion.get(key) !== undefined)
        spread.set(key, await deps.groups.copyMembersTo(layout, MEMBER_SHARDS));
      layout = { ...layout, memberWidth: MEMBER_SHARDS };
    }
    layouts.set(key, layout);
    const put = [...(changedMembers.get(key) ?? [])].flatMap((fp) => group.members[fp] ?? []);
    await deps.groups.writeMembers(layout, put, [...(removedMembers.get(key) ?? [])]);
  });
  await mapLimit(touchedKeys, IO_PARALLELISM, async (key) => {
    const layout = layouts.get(key);
    if (!layout) return;
    const head: GroupHead = {
      ...layout,
      dueAt: Math.min(layout.dueAt ?? Number.POSITIVE_INFINITY, Math.max(changeDueOf(layout), now)),
    };
    const stored = await deps.groups.putGroup(head, storedVersion.get(key));
    if (!stored) throw new FoldConflictError(key);
    heads.set(key, stored);
    const moved = spread.get(key);
    if (moved) await deps.groups.dropStrayMembers(stored, moved);
  });

  // Inhibition sources: firing alerts that match a source matcher, kept in their own index.
  let sourcesEnded = false;
  if (deps.config.inhibitRules.length > 0) {
    await mapLimit(alerts, IO_PARALLELISM, async (alert) => {
      if (alert.status === 'firing' && isSourceLabels(deps.config, alert.labels)) {
        await deps.groups.putSource({ fingerprint: alert.fingerprint, labels: alert.labels });
        return;
      }
      const wasSource = [alert.severity, ...(alert.episodeSeverities ?? [])].some((severity) =>
        isSourceLabels(deps.config, { ...alert.labels, severity }),
      );
      if (wasSource) {
        await deps.groups.removeSource(alert.fingerprint);
        sourcesEnded = true;
      }
    });
  }

  const staleMs = deps.config.reconcile.staleAfterSeconds * 1000;
  await mapLimit(alerts, IO_PARALLELISM, (alert) => {
    // Scheduled rules have no CloudWatch alarm to ask: the evaluator itself ends them.
    const scheduled = deps.config.alarms[alert.alarmName]?.engine === 'scheduled';
    const checkAt = alert.status === 'firing' && !scheduled ? alert.lastChangeAt + staleMs : undefined;
    return deps.store.markFolded(alert, checkAt);
  });
  return { folded: alerts.length, arrivals, activeRoutes, resolved, sourcesEnded };
}
