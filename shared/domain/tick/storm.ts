/**
 * Storm mode. A route whose new alerts in the storm window (or whose alerts to tell in one run)
 * exceed the threshold, or that would send more than {@link burstGroupsOf} group messages in one
 * run, or whose pages the alarm handler held back for a storm, enters storm mode; from then on every notification of its groups (firing,
 * resolve, repeat, escalation) goes into one digest per channel per round, and none goes out on
 * its own. A route leaves storm mode after a whole storm window in which nothing on it fired,
 * resolved or waited to be told. Rounds come at most once per group_interval, and wait for the
 * wave to settle (a run with no new change on the storming routes) for at most two minutes.
 */
import { createHash } from 'node:crypto';
import type { Channel, Severity } from '../alert';
import { CHANNELS, severityRank } from '../alert';
import type { DigestEntry, DigestRecord } from '../digest-record';
import type { FlushPlan, GroupRecord } from '../group';
import type { Notification, NotificationDigest, NotifiedAlert } from '../notification';
import type { StormRoute, StormState, TickState } from '../ports';
import type { RuntimeConfig } from '../runtime-config';
import { stormScopeOf } from '../routing';
import { alarmListConsoleUrl } from '../format/links';

/**
 * Group messages one route may send in one run before it counts as a storm: a fifth of the
 * alert threshold, at least 5 (5 with the default threshold of 25).
 */
export function burstGroupsOf(threshold: number): number {
  return Math.max(5, Math.ceil(threshold / 5));
}

/** Longest a round waits for a wave of changes to settle. */
export const SETTLE_MAX_MS = 120_000;
/** Alerts a digest message lists one by one (renderers show fewer where their channel is tighter). */
export const DIGEST_LISTED_ALERTS = 50;
/** Alarm names a digest message carries (the stored list has them all). */
export const DIGEST_NAMED_ALARMS = 200;

type Arrivals = NonNullable<TickState['arrivals']>;

/** Adds this run's new firing alerts per route to the per-minute counts, dropping minutes outside the window. */
export function recordArrivals(
  previous: Arrivals | undefined,
  fresh: ReadonlyMap<string, number>,
  now: number,
  windowMs: number,
): Arrivals {
  const minute = String(Math.floor(now / 60_000) * 60_000);
  const out: Record<string, Record<string, number>> = {};
  const routes = new Set([...Object.keys(previous ?? {}), ...fresh.keys()]);
  for (const route of routes) {
    const kept: Record<string, number> = {};
    for (const [at, n] of Object.entries(previous?.[route] ?? {})) {
      if (Number(at) > now - windowMs) kept[at] = n;
    }
    const add = fresh.get(route) ?? 0;
    if (add > 0) kept[minute] = (kept[minute] ?? 0) + add;
    if (Object.keys(kept).length > 0) out[route] = kept;
  }
  return out;
}

function arrivalsInWindow(arrivals: Arrivals, route: string): number {
  return Object.values(arrivals[route] ?? {}).reduce((a, b) => a + b, 0);
}

/** What the storm step decided for this run. */
export interface StormDecision {
  /** The storm after this run (undefined: none). */
  readonly state: StormState | undefined;
  /** Routes whose notifications go through digests this run. */
  readonly storming: ReadonlySet<string>;
  /** A digest round goes out this run. */
  readonly round: boolean;
  /** When deferred notifications of storming routes are looked at again. */
  readonly nextLookAt: number;
  /** Routes that entered or left storm mode in this run. */
  readonly entered: readonly string[];
  readonly ended: readonly string[];
}

/** What the run knows when it decides about storms. */
export interface StormInputs {
  readonly config: RuntimeConfig;
  readonly previous: StormState | undefined;
  readonly arrivals: Arrivals;
  /** Groups planned this run, with their plans. */
  readonly planned: readonly { readonly group: GroupRecord; readonly plan: FlushPlan }[];
  /** Routes with a change folded this run. */
  readonly activeRoutes: ReadonlySet<string>;
  readonly now: number;
}

/** `s<MMDD>-<HHMM>` (UTC) of the storm's start: short enough for an SMS, unique within the digests' retention. */
function stormIdOf(now: number): string {
  const iso = new Date(now).toISOString();
  return `s${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}`;
}

/** Decides which routes storm, whether a digest round goes out, and when deferred work returns. */
export function decideStorm(inputs: StormInputs): StormDecision {
  const { config, previous, arrivals, planned, activeRoutes, now } = inputs;
  const windowMs = config.storm.windowSeconds * 1000;
  const threshold = config.storm.threshold;
  const toTell = new Map<string, Set<string>>();
  const groupsToTell = new Map<string, number>();
  const intervals = new Map<string, number>();
  // A route that pages at once whose alerts the handler held back: the handler saw the storm first.
  const held = new Set<string>();
  for (const { group, plan } of planned) {
    const route = stormScopeOf(group.route.routeId);
    intervals.set(route, Math.min(intervals.get(route) ?? Infinity, group.route.groupIntervalSeconds));
    if (plan.notifications.length === 0) continue;
    groupsToTell.set(route, (groupsToTell.get(route) ?? 0) + 1);
    const set = toTell.get(route) ?? new Set<string>();
    for (const n of plan.notifications) {
      for (const a of n.alerts) {
        set.add(a.fingerprint);
        const member = group.members[a.fingerprint];
        const heldBack =
          member !== undefined && member.sentImmediately !== true && member.mutedWhileFiring !== true;
        if (group.route.groupWaitSeconds === 0 && n.reason === 'group' && heldBack) held.add(route);
      }
    }
    toTell.set(route, set);
  }
  const routes: Record<string, StormRoute> = { ...(previous?.routes ?? {}) };
  const entered: string[] = [];
  for (const route of new Set([...Object.keys(arrivals), ...toTell.keys()])) {
    const hot =
      held.has(route) ||
      arrivalsInWindow(arrivals, route) > threshold ||
      (toTell.get(route)?.size ?? 0) > threshold ||
      (groupsToTell.get(route) ?? 0) > burstGroupsOf(threshold);
    if (hot && routes[route] === undefined) {
      routes[route] = {
        since: now,
        lastActivityAt: now,
        intervalSeconds: intervals.get(route) ?? config.storm.windowSeconds,
      };
      entered.push(route);
    }
  }
  const plannedNow = [...toTell.keys()].some((r) => routes[r] !== undefined);
  const waiting = plannedNow || previous?.waitingSince !== undefined;
  const ended: string[] = [];
  for (const [route, r] of Object.entries(routes)) {
    const busy = activeRoutes.has(route) || toTell.has(route) || (waiting && previous?.routes[route]);
    const next = busy ? { ...r, lastActivityAt: now } : r;
    if (now - next.lastActivityAt >= windowMs) {
      ended.push(route);
      delete routes[route];
    } else routes[route] = next;
  }
  const storming = new Set(Object.keys(routes));
  if (storming.size === 0) {
    return { state: undefined, storming, round: false, nextLookAt: now + 1, entered, ended };
  }
  const intervalMs = Math.min(...Object.values(routes).map((r) => r.intervalSeconds * 1000));
  const settled = ![...activeRoutes].some((r) => storming.has(r));
  const waitingSince = previous?.waitingSince ?? (plannedNow ? now : undefined);
  const paceOk = now >= (previous?.lastRoundAt ?? Number.NEGATIVE_INFINITY) + intervalMs;
  const round =
    plannedNow && paceOk && (settled || (waitingSince !== undefined && now >= waitingSince + SETTLE_MAX_MS));
  const nextLookAt = Math.max(now + 1, (previous?.lastRoundAt ?? Number.NEGATIVE_INFINITY) + intervalMs);
  const state: StormState = {
    id: previous?.id ?? stormIdOf(now),
    since: previous?.since ?? now,
    routes,
    rounds: previous?.rounds ?? 0,
    lastRoundAt: previous?.lastRoundAt,
    waitingSince: round ? undefined : waiting ? waitingSince : undefined,
    told: previous?.told ?? {},
  };
  return { state, storming, round, nextLookAt: paceOk ? now + 1 : nextLookAt, entered, ended };
}

/** One channel's digest message and the round's stored list. */
export interface DigestRound {
  readonly record: DigestRecord;
  readonly messages: readonly {
    readonly channel: Channel;
    readonly notification: Omit<Notification, 'id' | 'channel'>;
  }[];
  /** The storm after the round (counts and pace). */
  readonly state: StormState;
}

function countBy(
  alerts: readonly NotifiedAlert[],
  label: (a: NotifiedAlert) => string,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of alerts) out[label(a)] = (out[label(a)] ?? 0) + 1;
  return out;
}

function maxSeverity(alerts: readonly NotifiedAlert[]): Severity {
  return alerts.reduce<Severity>(
    (acc, a) => (severityRank(a.severity) > severityRank(acc) ? a.severity : acc),
    'info',
  );
}

/** Region of the alerts, for the console link (the first one that names one). */
function regionOf(alerts: readonly NotifiedAlert[]): string | undefined {
  for (const a of alerts) {
    const region = a.region ?? a.alarmArn?.split(':')[3];
    if (region) return region;
  }
  return undefined;
}

/**
 * Builds a digest round from the storming groups' plans: per channel, every alert planned for it
 * (firing first), counted by service, severity and alert name; the message lists the first ones
 * and says how to read the rest (the stored list, the CLI command, the CloudWatch console).
 */
export function buildDigestRound(
  config: RuntimeConfig,
  storm: StormState,
  arrivals: Arrivals,
  plans: readonly FlushPlan[],
  now: number,
): DigestRound {
  const perChannel = new Map<Channel, Map<string, NotifiedAlert>>();
  const escalated = new Map<Channel, Set<string>>();
  for (const plan of plans) {
    for (const n of plan.notifications) {
      for (const channel of n.channels) {
        const map = perChannel.get(channel) ?? new Map<string, NotifiedAlert>();
        for (const a of n.alerts) map.set(`${a.fingerprint}:${a.status}`, a);
        perChannel.set(channel, map);
        if (n.reason === 'escalation') {
          const set = escalated.get(channel) ?? new Set<string>();
          for (const a of n.alerts) set.add(a.fingerprint);
          escalated.set(channel, set);
        }
      }
    }
  }
  const round = storm.rounds + 1;
  const id = `${storm.id}.${round}`;
  const entries = new Map<string, DigestEntry>();
  const newInWindow = Object.keys(storm.routes).reduce((acc, r) => acc + arrivalsInWindow(arrivals, r), 0);
  const told: Record<string, { firing: number; resolved: number }> = { ...storm.told };
  const messages: DigestRound['messages'][number][] = [];
  const stage = config.stage;
  for (const channel of CHANNELS) {
    const map = perChannel.get(channel);
    if (!map || map.size === 0) continue;
    const all = [...map.values()];
    const firing = all
      .filter((a) => a.status === 'firing')
      .sort((a, b) => a.alarmName.localeCompare(b.alarmName));
    const resolved = all
      .filter((a) => a.status === 'resolved')
      .sort((a, b) => a.alarmName.localeCompare(b.alarmName));
    const ordered = [...firing, ...resolved];
    for (const a of ordered) {
      const key = `${a.fingerprint}:${a.status}`;
      const have = entries.get(key);
      entries.set(key, {
        fingerprint: a.fingerprint,
        alarmName: a.alarmName,
        status: a.status,
        severity: a.severity,
        service: a.labels['service'] ?? 'unknown',
        channels: [...(have?.channels ?? []), channel],
      });
    }
    const sofar = told[channel] ?? { firing: 0, resolved: 0 };
    const totals = { firing: sofar.firing + firing.length, resolved: sofar.resolved + resolved.length };
    told[channel] = totals;
    const offenders = Object.entries(countBy(firing, (a) => a.labels['alertname'] ?? a.alarmName))
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, 5)
      .map(([name, count]) => ({ name, count }));
    const digest: NotificationDigest = {
      id,
      firing: firing.length,
      resolved: resolved.length,
      newInWindow,
      byService: countBy(firing, (a) => a.labels['service'] ?? 'unknown'),
      bySeverity: countBy(firing, (a) => a.severity),
      topOffenders: offenders,
      alertNames: ordered.slice(0, DIGEST_NAMED_ALARMS).map((a) => a.alarmName),
      total: ordered.length,
      listCommand: `vigil --stage ${stage} digests show ${id}`,
      consoleUrl: alarmListConsoleUrl(regionOf(ordered)),
      listUrl: config.alertListUrl,
      sinceStart: { since: new Date(storm.since).toISOString(), ...totals },
      ...(escalated.has(channel) ? { escalated: escalated.get(channel)?.size ?? 0 } : {}),
    };
    const windowMinutes = Math.round(config.storm.windowSeconds / 60);
    messages.push({
      channel,
      notification: {
        status: firing.length > 0 ? 'firing' : 'resolved',
        severity: maxSeverity(ordered),
        groupKey: storm.id,
        title: `Alert storm: ${firing.length} firing, ${resolved.length} resolved (${newInWindow} new in ${windowMinutes}m)`,
        alerts: ordered.slice(0, DIGEST_LISTED_ALERTS),
        totalAlerts: ordered.length,
        digest,
        links: { dashboard: config.dashboardUrl },
        reason: 'digest',
        createdAt: new Date(now).toISOString(),
        stage,
      },
    });
  }
  return {
    record: { id, stormId: storm.id, sentAt: now, entries: [...entries.values()] },
    messages,
    state: { ...storm, rounds: round, lastRoundAt: now, waitingSince: undefined, told },
  };
}

/** Short, stable hash used in notification ids. */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** Reads the routes in storm mode from the tick's state (callers cache `read`). */
export function stormingRoutesFrom(
  read: () => Promise<Pick<TickState, 'storm'> | undefined>,
): () => Promise<ReadonlySet<string>> {
  return async () => new Set(Object.keys((await read())?.storm?.routes ?? {}));
}

/**
 * A container's view of storm mode: `stormingRoutes` reads the tick's state each time, and
 * `stormLikely` says whether the last read found a route storming (false before the first read).
 */
export function stormWatch(read: () => Promise<Pick<TickState, 'storm'> | undefined>): {
  readonly stormingRoutes: () => Promise<ReadonlySet<string>>;
  readonly stormLikely: () => boolean;
} {
  const readRoutes = stormingRoutesFrom(read);
  let seen = false;
  return {
    stormingRoutes: async () => {
      const routes = await readRoutes();
      seen = routes.size > 0;
      return routes;
    },
    stormLikely: () => seen,
  };
}
