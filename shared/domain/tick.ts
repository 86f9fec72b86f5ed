import { createHash } from 'node:crypto';
import type { Channel } from './alert';
import { CHANNELS } from './alert';
import type { AlertServiceDeps } from './alert-service';
import { finishPendingOutbox } from './alert-service';
import { toNotifiedAlert } from './build-notification';
import { describeError } from './errors';
import type { FlushPlan, GroupMember, GroupRecord, MuteContext, PlannedNotification } from './group';
import { leaveGroup, mergeMember, newGroup, planGroupFlush } from './group';
import { isInhibited } from './inhibition';
import { redirectPausedSms } from './sms-budget';
import type { AlarmStateReader } from './reconcile';
import { reconcileStaleAlerts } from './reconcile';
import type { Notification, NotificationDigest, NotifiedAlert } from './notification';
import type { GroupStore } from './ports';
import { groupKeyOf, groupLabelsOf, routeAlert } from './routing';
import type { Silence } from './silence';
import { isSilenceActive, silencesFor } from './silence';

/** Dependencies of the tick. */
export interface TickDeps extends AlertServiceDeps {
  readonly groups: GroupStore;
  /** Reads alarms' current states, to end stale alerts. @default none: no reconciliation */
  readonly alarmStates?: AlarmStateReader;
  /** Reads the account's SMS spend this month in USD (SNS SMSMonthToDateSpentUSD). @default none */
  readonly smsSpend?: () => Promise<number | undefined>;
}

/** What one tick did. */
export interface TickReport {
  /** Alerts whose pending outbox was looked at. */
  readonly outboxesDue: number;
  /** Alert changes folded into groups. */
  readonly changes: number;
  /** Groups looked at. */
  readonly groups: number;
  /** Notifications published (per channel). */
  readonly published: number;
  /** Groups whose notification waits for the next tick (budget, conflict or failure). */
  readonly deferred: number;
  /** Outboxes or groups whose publish failed (left for the next tick). */
  readonly failed: number;
  /** Routes in storm mode. */
  readonly stormRoutes: readonly string[];
  /** Stale alerts ended or moved on by reconciliation with CloudWatch. */
  readonly reconciled: number;
}

/** Options of {@link runTick}. */
export interface TickOptions {
  /** Most items read per kind per tick, so a tick ends well inside its timeout. @default 2000 */
  readonly limit?: number;
}

// Changes written just before the cursor moved may land behind it; re-reading is harmless (merges are idempotent).
const CURSOR_OVERLAP_MS = 120_000;
const MAX_ALERTS_PER_NOTIFICATION = 50;
const TICK_SECONDS_OF_BUDGET = 50;
const SMS_PAUSE_AT = 0.9;

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** Public id of a group (PagerDuty dedup_key, SNS alert_id). */
export function groupIdOf(groupKey: string): string {
  return `g-${shortHash(groupKey)}`;
}

function titleOf(alerts: readonly NotifiedAlert[], total: number, group: GroupRecord): string {
  const first = alerts[0];
  if (total === 1 && first) return `${first.labels['service'] ?? 'unknown'}: ${first.annotations.summary}`;
  const labels = Object.entries(group.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return `${total} alerts: ${labels || group.route.receiver}`;
}

function countBy(
  alerts: readonly NotifiedAlert[],
  label: (a: NotifiedAlert) => string,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of alerts) out[label(a)] = (out[label(a)] ?? 0) + 1;
  return out;
}

/** Builds the digest that replaces a route's per-group notifications during a storm. */
export function buildDigest(
  alerts: readonly NotifiedAlert[],
  newInWindow: number,
  listUrl: string | undefined,
): NotificationDigest {
  const firing = alerts.filter((a) => a.status === 'firing');
  const offenders = Object.entries(countBy(firing, (a) => a.labels['alertname'] ?? a.alarmName))
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 5)
    .map(([name, count]) => ({ name, count }));
  return {
    firing: firing.length,
    resolved: alerts.length - firing.length,
    newInWindow,
    byService: countBy(firing, (a) => a.labels['service'] ?? 'unknown'),
    bySeverity: countBy(firing, (a) => a.severity),
    topOffenders: offenders,
    alertNames: [...new Set(alerts.map((a) => a.alarmName))].sort(),
    listUrl,
  };
}

interface Outgoing {
  readonly notification: Omit<Notification, 'channel' | 'id'>;
  readonly channels: readonly Channel[];
  readonly idBase: string;
}

function toOutgoing(deps: TickDeps, group: GroupRecord, planned: PlannedNotification, now: number): Outgoing {
  const alerts = planned.alerts.slice(0, MAX_ALERTS_PER_NOTIFICATION);
  const first = alerts[0];
  return {
    channels: planned.channels,
    idBase: `${groupIdOf(group.key)}:${planned.reason}:${shortHash(planned.alerts.map((a) => `${a.fingerprint}${a.status}`).join())}:${now}`,
    notification: {
      status: planned.status,
      severity: planned.severity,
      groupKey: groupIdOf(group.key),
      title: titleOf(alerts, planned.alerts.length, group),
      alerts,
      totalAlerts: planned.alerts.length,
      links: {
        alarm: planned.alerts.length === 1 ? first?.annotations.alarmUrl : undefined,
        runbook: first?.annotations.runbookUrl,
        dashboard: first?.annotations.dashboardUrl ?? deps.config.dashboardUrl,
      },
      reason: planned.reason,
      createdAt: new Date(now).toISOString(),
      stage: deps.config.stage,
    },
  };
}

async function publishAll(deps: TickDeps, out: Outgoing): Promise<{ published: number; failed: Channel[] }> {
  const firing = out.notification.digest ? [] : out.notification.alerts.filter((a) => a.status === 'firing');
  const extras =
    deps.incidents && firing.length > 0
      ? await deps.incidents.prepareGroup(firing, out.notification.reason)
      : undefined;
  const notification =
    extras?.diagnostics !== undefined && out.notification.diagnostics === undefined
      ? { ...out.notification, diagnostics: extras.diagnostics }
      : out.notification;
  const results = await Promise.allSettled(
    out.channels.map((channel) =>
      deps.publisher.publish(channel, { ...notification, channel, id: `${out.idBase}:${channel}` }),
    ),
  );
  const failed = out.channels.filter((_, i) => results[i]?.status === 'rejected');
  if (deps.incidents) {
    const sent = out.channels.filter((c) => !failed.includes(c));
    deps.incidents.countSent(sent);
    if (firing.length > 0) await deps.incidents.afterGroupPublish(firing, sent, out.notification.reason);
  }
  for (const [i, r] of results.entries()) {
    if (r.status === 'rejected') {
      deps.log.error('group publish failed', { channel: out.channels[i], error: describeError(r.reason) });
    }
  }
  return { published: out.channels.length - failed.length, failed };
}

function memberOf(
  routeImmediate: boolean,
  alert: Parameters<typeof toNotifiedAlert>[0],
): GroupMember | undefined {
  if (alert.status === 'inactive') return undefined;
  const status = alert.status;
  // The handler told the channels only when it published (not when silenced or storming).
  const told = routeImmediate && alert.notified.length > 0;
  return {
    alert: toNotifiedAlert(alert, status),
    changedAt: alert.lastChangeAt,
    acked: alert.ack !== undefined,
    sentImmediately: told,
    notifiedStatus: told ? status : undefined,
    firstToldAt: told ? alert.dirtyAt : undefined,
    lastToldAt: told ? alert.dirtyAt : undefined,
    mergedAt: alert.dirtyAt,
  };
}

/**
 * The every-minute tick: finishes stuck outboxes, folds alert changes into their groups, then
 * flushes what is due (group_wait, group_interval, repeat_interval, escalation), leaving out
 * silenced and inhibited alerts and collapsing a storming route into one digest. Reads only
 * through the sparse index. Each group is claimed with a conditional write before anything is
 * sent, so overlapping ticks never send the same notification twice.
 */
export async function runTick(deps: TickDeps, options: TickOptions = {}): Promise<TickReport> {
  const limit = options.limit ?? 2000;
  const now = deps.clock();
  let published = 0;
  let failed = 0;
  let deferred = 0;

  // 1. Outboxes an alarm-handler invocation left behind.
  const dueOutboxes = await deps.store.listDueOutboxes(now, limit);
  for (const fingerprint of dueOutboxes) {
    try {
      const current = await deps.store.get(fingerprint);
      const result = current ? await finishPendingOutbox(deps, current) : [];
      if (result !== 'conflict') published += result.length;
    } catch (error) {
      failed++;
      deps.log.error('tick could not finish an outbox; the next tick retries', {
        fingerprint,
        error: describeError(error),
      });
    }
  }

  // 2. Fold alert changes since the cursor into their groups.
  const state = await deps.groups.getTickState();
  // Without a cursor (no tick has completed yet) every recorded change is folded: a window ending
  // now would drop changes made while the first ticks kept failing.
  const cursor = state?.cursor ?? 0;
  const changes = await deps.store.listChanged(cursor - CURSOR_OVERLAP_MS, now, limit);
  const silences = await deps.groups.listSilences(now, 24 * 3600_000);
  const seenAt = state?.silencesSeenAt ?? 0;
  const silencesChanged = silences.some(
    (s) =>
      s.createdAt > seenAt ||
      (Math.min(s.endsAt, s.expiredAt ?? Infinity) > seenAt &&
        Math.min(s.endsAt, s.expiredAt ?? Infinity) <= now),
  );
  const loaded = new Map<string, GroupRecord>();
  const stored = new Map<string, number | undefined>();
  const load = async (key: string, create: () => GroupRecord): Promise<GroupRecord> => {
    const have = loaded.get(key);
    if (have) return have;
    const found = await deps.groups.getGroup(key);
    stored.set(key, found?.version);
    const group = found ?? create();
    loaded.set(key, group);
    return group;
  };
  for (const alert of changes) {
    for (const route of routeAlert(deps.config.route, deps.config.receivers, alert.labels).routes) {
      const immediate = route.groupWaitSeconds === 0;
      if (immediate && alert.outbox) continue; // the handler is still sending it
      const member = memberOf(immediate, alert);
      if (!member) continue;
      const key = groupKeyOf(route, alert.labels);
      // group_wait runs from the first change, not from when the tick noticed it.
      const since = Math.min(alert.dirtyAt ?? now, now);
      const group = await load(key, () => newGroup(key, route, groupLabelsOf(route, alert.labels), since));
      let merged = mergeMember(group, member);
      if (immediate && alert.status === 'firing') {
        merged = {
          ...merged,
          notifiedChannels: [...new Set([...merged.notifiedChannels, ...alert.notified])],
        };
      }
      loaded.set(key, merged);
    }
    // A severity change re-routes the alert: it leaves the groups of routes it no longer matches.
    const currentKeys = new Set(
      routeAlert(deps.config.route, deps.config.receivers, alert.labels).routes.map((r) =>
        groupKeyOf(r, alert.labels),
      ),
    );
    for (const severity of alert.episodeSeverities ?? []) {
      if (severity === alert.severity) continue;
      const earlier = { ...alert.labels, severity };
      for (const route of routeAlert(deps.config.route, deps.config.receivers, earlier).routes) {
        const key = groupKeyOf(route, earlier);
        if (currentKeys.has(key)) continue;
        let group = loaded.get(key);
        if (group === undefined) {
          group = await deps.groups.getGroup(key);
          if (group === undefined) continue;
          stored.set(key, group.version);
        }
        const member = memberOf(route.groupWaitSeconds === 0, alert);
        loaded.set(key, member ? leaveGroup(group, member) : group);
      }
    }
  }

  // 3. Groups due now; every active group when silences changed or inhibition needs the sources.
  const needAll = silencesChanged || deps.config.inhibitRules.length > 0;
  const extra = needAll
    ? await deps.groups.listActiveGroups(limit)
    : await deps.groups.listDueGroups(now, limit);
  for (const g of extra) {
    if (!loaded.has(g.key)) {
      loaded.set(g.key, g);
      stored.set(g.key, g.version);
    }
  }

  // 3b. Every so often, end stale alerts whose alarm was deleted or left ALARM unheard.
  let reconciled = 0;
  const reconcileDue = (state?.reconciledAt ?? 0) + deps.config.reconcile.everySeconds * 1000 <= now;
  if (deps.alarmStates && reconcileDue) {
    const all = needAll ? [...loaded.values()] : await deps.groups.listActiveGroups(limit);
    reconciled = await reconcileStaleAlerts({ ...deps, alarmStates: deps.alarmStates }, all, now);
  }

  // 3c. SMS spend: near the monthly cap, SMS pauses and its messages go to email, so SNS's hard
  // limit (which drops SMS) is never reached and nothing is lost.
  const smsPaused = await isSmsPaused(deps, state?.smsPaused ?? false);

  // 4. Mutes: silences and inhibition (sources are firing alerts in any group).
  const active = silences.filter((s) => isSilenceActive(s, now));
  const sources = [...loaded.values()].flatMap((g) =>
    Object.values(g.members)
      // A moved-out member is the same alert under its old labels: it must not inhibit itself.
      .filter((m) => m.alert.status === 'firing' && m.movedOut !== true)
      .map((m) => m.alert.labels),
  );
  const mute: MuteContext = {
    isMuted: (labels) =>
      silencesFor(labels, active, now).length > 0 || isInhibited(labels, sources, deps.config.inhibitRules),
    nextUnmuteAt: active.reduce((acc, s) => Math.min(acc, s.endsAt), Infinity),
  };
  await endSilencesOnResolve(deps, active, [...loaded.values()], now);

  // 5. Plan each group; storming routes fold their groups' notifications into one digest.
  const plans = new Map<string, FlushPlan>();
  for (const group of loaded.values()) plans.set(group.key, planGroupFlush(group, mute, now));
  const stormRoutes = detectStorms(deps, [...loaded.values()], plans, now);
  const budget = new Map<Channel, number>(
    CHANNELS.map((c) => [
      c,
      Math.floor((deps.config.budgets.perSecond[c] ?? Infinity) * TICK_SECONDS_OF_BUDGET),
    ]),
  );
  const spend = (channels: readonly Channel[]): boolean => {
    if (channels.some((c) => (budget.get(c) ?? 0) < 1)) return false;
    for (const c of channels) budget.set(c, (budget.get(c) ?? 0) - 1);
    return true;
  };

  const claimAndSend = async (
    groups: readonly GroupRecord[],
    planned: readonly Outgoing[],
  ): Promise<boolean> => {
    const outgoing = planned.map((o) => ({ ...o, channels: redirectPausedSms(o.channels, smsPaused) }));
    const channels = [...new Set(outgoing.flatMap((o) => o.channels))];
    if (outgoing.length > 0 && !spend(channels)) {
      deferred += groups.length;
      // Over budget: nothing is lost; the next tick folds it into the next notification.
      for (const g of groups) await persist(g, { ...g, dueAt: now + 1 });
      return false;
    }
    const claimed: GroupRecord[] = [];
    for (const g of groups) {
      const c = await deps.groups.putGroup({ ...g, dueAt: now + 1 }, stored.get(g.key));
      if (c) {
        claimed.push(c);
        stored.set(g.key, c.version);
      }
    }
    if (claimed.length < groups.length) {
      deferred += groups.length - claimed.length;
      if (claimed.length === 0) return false;
    }
    let allOk = true;
    for (const o of outgoing) {
      const r = await publishAll(deps, o);
      published += r.published;
      if (r.failed.length > 0) allOk = false;
    }
    if (!allOk) {
      failed += groups.length;
      return false;
    }
    return true;
  };

  const persist = async (original: GroupRecord, next: GroupRecord | undefined): Promise<void> => {
    const version = stored.get(original.key);
    if (next === undefined) {
      if (version !== undefined) await deps.groups.deleteGroup(original.key, version);
      return;
    }
    const unchanged = version !== undefined && JSON.stringify(next) === JSON.stringify(original);
    if (unchanged) return;
    const written = await deps.groups.putGroup(next, version);
    if (written) stored.set(original.key, written.version);
  };

  for (const group of loaded.values()) {
    if (stormRoutes.has(group.route.routeId)) continue;
    const plan = plans.get(group.key);
    if (!plan) continue;
    if (plan.notifications.length === 0) {
      await persist(group, plan.next);
      continue;
    }
    const ok = await claimAndSend(
      [group],
      plan.notifications.map((p) => toOutgoing(deps, group, p, now)),
    );
    if (ok) await persist(group, plan.next);
  }

  for (const [routeId, newInWindow] of stormRoutes) {
    const groups = [...loaded.values()].filter((g) => g.route.routeId === routeId);
    const sending = groups.filter((g) => (plans.get(g.key)?.notifications.length ?? 0) > 0);
    if (sending.length === 0) {
      for (const g of groups) await persist(g, plans.get(g.key)?.next);
      continue;
    }
    // One digest per route per group_interval: the route's last flush sets the pace.
    const interval = (groups[0]?.route.groupIntervalSeconds ?? 300) * 1000;
    const lastFlush = groups.reduce((acc, g) => Math.max(acc, g.lastFlushAt ?? -Infinity), -Infinity);
    if (now < lastFlush + interval) {
      deferred += sending.length;
      for (const g of sending) await persist(g, { ...g, dueAt: lastFlush + interval });
      for (const g of groups.filter((x) => !sending.includes(x))) await persist(g, plans.get(g.key)?.next);
      continue;
    }
    const alerts = sending.flatMap((g) => plans.get(g.key)?.notifications.flatMap((n) => n.alerts) ?? []);
    const unique = [...new Map(alerts.map((a) => [`${a.fingerprint}:${a.status}`, a])).values()];
    const channels = [
      ...new Set(sending.flatMap((g) => plans.get(g.key)?.notifications.flatMap((n) => n.channels) ?? [])),
    ];
    const firing = unique.filter((a) => a.status === 'firing');
    const digest = buildDigest(unique, newInWindow, deps.config.alertListUrl);
    const first = sending[0];
    if (!first) continue;
    const out: Outgoing = {
      channels,
      idBase: `storm-${shortHash(routeId)}:digest:${shortHash(unique.map((a) => a.fingerprint + a.status).join())}:${now}`,
      notification: {
        status: firing.length > 0 ? 'firing' : 'resolved',
        severity: unique.some((a) => a.severity === 'critical')
          ? 'critical'
          : unique.some((a) => a.severity === 'warning')
            ? 'warning'
            : 'info',
        groupKey: `storm-${shortHash(routeId)}`,
        title: `Alert storm on ${first.route.receiver}: ${digest.firing} firing, ${digest.resolved} resolved (${newInWindow} new in ${Math.round(deps.config.storm.windowSeconds / 60)}m)`,
        alerts: [...firing, ...unique.filter((a) => a.status === 'resolved')].slice(0, 10),
        totalAlerts: unique.length,
        digest,
        links: { dashboard: deps.config.dashboardUrl },
        reason: 'digest',
        createdAt: new Date(now).toISOString(),
        stage: deps.config.stage,
      },
    };
    const ok = await claimAndSend(sending, [out]);
    if (ok) for (const g of sending) await persist(g, plans.get(g.key)?.next);
    for (const g of groups.filter((x) => !sending.includes(x))) await persist(g, plans.get(g.key)?.next);
  }

  await deps.groups.putTickState(
    {
      cursor: now,
      silencesSeenAt: now,
      reconciledAt: deps.alarmStates && reconcileDue ? now : state?.reconciledAt,
      smsPaused,
    },
    state?.version,
  );
  const report: TickReport = {
    outboxesDue: dueOutboxes.length,
    changes: changes.length,
    groups: loaded.size,
    published,
    deferred,
    failed,
    stormRoutes: [...stormRoutes.keys()],
    reconciled,
  };
  if (published + deferred + failed > 0 || changes.length > 0) deps.log.info('tick done', { ...report });
  return report;
}

/** Pauses SMS at 90 % of the monthly cap; keeps the previous decision when spend cannot be read. */
async function isSmsPaused(deps: TickDeps, previous: boolean): Promise<boolean> {
  const cap = deps.config.budgets.smsMonthlySpendCapUsd;
  if (cap === undefined || !deps.smsSpend) return false;
  try {
    const spent = await deps.smsSpend();
    if (spent === undefined) return previous;
    const paused = spent >= cap * SMS_PAUSE_AT;
    if (paused !== previous) {
      deps.log.warn(paused ? 'SMS paused: monthly spend cap near' : 'SMS resumed', { spent, cap });
    }
    return paused;
  } catch (error) {
    deps.log.error('could not read SMS spend; keeping the previous decision', {
      error: describeError(error),
    });
    return previous;
  }
}

/**
 * Routes in a storm, with their count: more new alerts in the storm window than the threshold,
 * or more alerts about to be notified by this tick than the threshold (a storm's aftermath).
 */
function detectStorms(
  deps: TickDeps,
  groups: readonly GroupRecord[],
  plans: ReadonlyMap<string, FlushPlan>,
  now: number,
): Map<string, number> {
  const since = now - deps.config.storm.windowSeconds * 1000;
  const fresh = new Map<string, number>();
  const outgoing = new Map<string, number>();
  for (const g of groups) {
    const route = g.route.routeId;
    const n = Object.values(g.members).filter((m) => Date.parse(m.alert.startsAt) >= since).length;
    fresh.set(route, (fresh.get(route) ?? 0) + n);
    const planned = new Set(
      plans.get(g.key)?.notifications.flatMap((p) => p.alerts.map((a) => a.fingerprint)) ?? [],
    );
    outgoing.set(route, (outgoing.get(route) ?? 0) + planned.size);
  }
  const storms = new Map<string, number>();
  for (const [route, n] of fresh) {
    if (n > deps.config.storm.threshold || (outgoing.get(route) ?? 0) > deps.config.storm.threshold)
      storms.set(route, n);
  }
  return storms;
}

/** Ends "until resolved" silences once every alert they matched has resolved. */
async function endSilencesOnResolve(
  deps: TickDeps,
  active: readonly Silence[],
  groups: readonly GroupRecord[],
  now: number,
): Promise<void> {
  const members = groups.flatMap((g) => Object.values(g.members));
  for (const s of active.filter((x) => x.endOnResolve)) {
    const matched = members.filter((m) => silencesFor(m.alert.labels, [s], now).length > 0);
    if (matched.length > 0 && matched.every((m) => m.alert.status === 'resolved')) {
      await deps.groups.putSilence({ ...s, expiredAt: now });
      deps.log.info('silence ended: every alert it matched has resolved', { silenceId: s.id });
    }
  }
}
