import { createHash } from 'node:crypto';
import type { Channel, Labels, Severity } from './alert';
import { severityRank } from './alert';
import type { NotifiedAlert } from './notification';
import type { MatchedRoute } from './routing';
import { shardOf } from './shard';

/** How long a resolved, notified member is remembered (must exceed the tick's re-read overlap). */
export const RESOLVED_MEMORY_MS = 15 * 60_000;

/** One alert inside a group. */
export interface GroupMember {
  /** Snapshot of the alert as it will appear in a notification. */
  readonly alert: NotifiedAlert;
  /** Epoch ms of the alert transition this snapshot reflects (ordering guard). */
  readonly changedAt: number;
  readonly acked: boolean;
  /** Status this member had in the last notification that included it. */
  readonly notifiedStatus?: 'firing' | 'resolved';
  /** The alarm handler already told the route's channels about this status (immediate routes). */
  readonly sentImmediately?: boolean;
  /** It was silenced or inhibited while firing without ever being told: its resolve stays quiet too. */
  readonly mutedWhileFiring?: boolean;
  /** Epoch ms people were first told this episode is firing: the escalation clock starts here. */
  readonly firstToldAt?: number;
  /** Epoch ms of the last notification that included this member. */
  readonly lastToldAt?: number;
  /** Epoch ms the tick last merged a change of this member. */
  readonly mergedAt?: number;
  /**
   * The alert now routes elsewhere (its severity changed): no longer listed, repeated or escalated
   * here, kept only so its resolve reaches the channels this group told.
   */
  readonly movedOut?: boolean;
}

/** A group's own state, stored apart from its members (a storm puts thousands in one group). */
export interface GroupHead {
  readonly key: string;
  /** Route settings as they were when the group was created. */
  readonly route: MatchedRoute;
  readonly labels: Labels;
  readonly createdAt: number;
  readonly lastFlushAt?: number;
  /** Hash of what the last notification said (visible firing + resolved alerts). */
  readonly lastHash?: string;
  /** Channels that received a firing notification of this group; resolves go to the same ones. */
  readonly notifiedChannels: readonly Channel[];
  /** Escalation steps already taken. */
  readonly escalationLevel: number;
  /** When the tick must look at this group next (epoch ms); undefined when nothing is left. */
  readonly dueAt?: number;
  /** Partition keys the member list is spread over: 1 while small, {@link MEMBER_SHARDS} once large. */
  readonly memberWidth: MemberWidth;
  /** Members in the group (kept by the fold, recounted by each flush). */
  readonly size?: number;
  /** Registered as holding firing members that a silence or inhibition mutes. */
  readonly muted?: boolean;
  readonly version: number;
}

/** A group of alerts on one route with its members: the unit the tick notifies about. */
export interface GroupRecord extends GroupHead {
  /** Members by fingerprint; during a fold only the members being changed are loaded. */
  readonly members: Readonly<Record<string, GroupMember>>;
}

/**
 * Partition keys of a large group's member list. A small group's members share one key (one read
 * lists them); past {@link MEMBER_SPREAD_AT} members they are spread over 16, so that folding
 * thousands of members in a minute never exceeds one key's write rate.
 */
export const MEMBER_SHARDS = 16;
/** Members beyond which a group's member list is spread over {@link MEMBER_SHARDS} keys. */
export const MEMBER_SPREAD_AT = 64;
/** How many partition keys a group's member list uses. */
export type MemberWidth = 1 | typeof MEMBER_SHARDS;

/** The member shard of an alert in a group whose member list has `width` keys. */
export function memberShardOf(fingerprint: string, width: MemberWidth): number {
  return width === 1 ? 0 : shardOf(fingerprint, MEMBER_SHARDS);
}

/** The head of a group record (members dropped). */
export function headOf(group: GroupRecord): GroupHead {
  const { members: _members, ...head } = group;
  return head;
}

/** What makes a member invisible at flush time. */
export interface MuteContext {
  readonly isMuted: (alert: { readonly fingerprint: string; readonly labels: Labels }) => boolean;
  /** Earliest time a current mute may lift (silence end), for scheduling. */
  readonly nextUnmuteAt?: number;
}

/** What {@link planGroupFlush} decided to send. */
export interface PlannedNotification {
  readonly reason: 'group' | 'repeat' | 'escalation';
  readonly status: 'firing' | 'resolved';
  readonly channels: readonly Channel[];
  readonly alerts: readonly NotifiedAlert[];
  readonly severity: Severity;
}

/** Outcome of a flush plan: notifications to send and the group to store once they went out. */
export interface FlushPlan {
  readonly notifications: readonly PlannedNotification[];
  /** The group after the notifications were sent; undefined means delete it. */
  readonly next: GroupRecord | undefined;
}

/** Creates an empty group for a route. */
export function newGroup(key: string, route: MatchedRoute, labels: Labels, now: number): GroupRecord {
  return {
    key,
    route,
    labels,
    members: {},
    createdAt: now,
    notifiedChannels: [],
    escalationLevel: 0,
    memberWidth: 1,
    size: 0,
    version: 0,
  };
}

/** Merges an alert's newest state into the group; older snapshots never override newer ones. */
export function mergeMember(group: GroupRecord, member: GroupMember): GroupRecord {
  const fp = member.alert.fingerprint;
  const existing = group.members[fp];
  if (existing && existing.changedAt > member.changedAt) return group;
  // A new firing episode starts unsent; otherwise keep what earlier notifications said.
  const sameEpisode = existing !== undefined && existing.alert.startsAt === member.alert.startsAt;
  const merged: GroupMember = {
    ...member,
    notifiedStatus: member.notifiedStatus ?? (sameEpisode ? existing.notifiedStatus : undefined),
    mutedWhileFiring: sameEpisode ? existing.mutedWhileFiring : undefined,
    firstToldAt: sameEpisode ? (existing.firstToldAt ?? member.firstToldAt) : member.firstToldAt,
    lastToldAt: member.lastToldAt ?? (sameEpisode ? existing.lastToldAt : undefined),
  };
  return { ...group, members: { ...group.members, [fp]: merged } };
}

/**
 * Takes an alert out of a group whose route it no longer matches. A member nobody was told about
 * leaves at once; a told firing member stays as `movedOut` until its resolve (merged here as
 * `member`) has gone to the channels that heard it fire.
 */
export function leaveGroup(group: GroupRecord, member: GroupMember): GroupRecord {
  const fp = member.alert.fingerprint;
  const existing = group.members[fp];
  if (existing === undefined || existing.changedAt > member.changedAt) return group;
  const told = existing.notifiedStatus === 'firing';
  if (told && member.alert.status === 'resolved') return mergeMember(group, member);
  if (told) {
    // What this group last said no longer holds: a return of the alert is news again.
    return {
      ...group,
      lastHash: undefined,
      members: { ...group.members, [fp]: { ...existing, movedOut: true, changedAt: member.changedAt } },
    };
  }
  const rest = Object.fromEntries(Object.entries(group.members).filter(([key]) => key !== fp));
  return { ...group, members: rest };
}

function hashOf(firing: readonly NotifiedAlert[], resolved: readonly NotifiedAlert[]): string {
  const ids = (xs: readonly NotifiedAlert[]) =>
    xs
      .map((a) => a.fingerprint)
      .sort()
      .join(',');
  return createHash('sha256')
    .update(`${ids(firing)}|${ids(resolved)}`)
    .digest('hex')
    .slice(0, 16);
}

function maxSeverity(alerts: readonly NotifiedAlert[]): Severity {
  return alerts.reduce<Severity>(
    (acc, a) => (severityRank(a.severity) > severityRank(acc) ? a.severity : acc),
    'info',
  );
}

const union = (a: readonly Channel[], b: readonly Channel[]): Channel[] => [...new Set([...a, ...b])];
const byStart = (a: NotifiedAlert, b: NotifiedAlert) => a.startsAt.localeCompare(b.startsAt);

/**
 * Decides what a group sends at `now`: the first notification after group_wait, changes after
 * group_interval, repeats of unacknowledged firing alerts after repeat_interval, escalation steps
 * for alerts unacknowledged past their delay. Muted (silenced/inhibited) alerts are left out and
 * count as new when the mute lifts. Pure: the caller sends, then stores `next`.
 */
export function planGroupFlush(group: GroupRecord, mute: MuteContext, now: number): FlushPlan {
  const { route } = group;
  const members = Object.values(group.members);
  const visibleFiring = members.filter(
    (m) => m.alert.status === 'firing' && m.movedOut !== true && !mute.isMuted(m.alert),
  );
  // A resolve is worth telling when its firing was told, or when it fired and resolved unseen.
  const resolvedToTell = members.filter(
    (m) =>
      m.alert.status === 'resolved' &&
      m.notifiedStatus !== 'resolved' &&
      !(m.mutedWhileFiring && m.notifiedStatus === undefined) &&
      !mute.isMuted(m.alert),
  );
  const firingAlerts = visibleFiring.map((m) => m.alert).sort(byStart);
  const resolvedAlerts = resolvedToTell.map((m) => m.alert).sort(byStart);
  const hash = hashOf(firingAlerts, resolvedAlerts);
  // What the alarm handler already sent counts as told.
  const untold = [...visibleFiring, ...resolvedToTell].some(
    (m) => !m.sentImmediately || m.notifiedStatus !== m.alert.status,
  );
  const changed = hash !== group.lastHash && firingAlerts.length + resolvedAlerts.length > 0 && untold;
  const firstDue = group.createdAt + route.groupWaitSeconds * 1000;
  const changeDue =
    group.lastFlushAt === undefined ? firstDue : group.lastFlushAt + route.groupIntervalSeconds * 1000;
  const unacked = visibleFiring.filter((m) => !m.acked);
  const repeatDue =
    group.lastFlushAt !== undefined && unacked.length > 0
      ? group.lastFlushAt + route.repeatIntervalSeconds * 1000
      : Number.POSITIVE_INFINITY;

  const notifications: PlannedNotification[] = [];
  let channels = group.notifiedChannels;
  let escalationLevel = group.escalationLevel;
  const escalatedChannels = route.escalation.slice(0, escalationLevel).flatMap((s) => s.channels);
  const baseChannels = union(route.channels, escalatedChannels);
  let sent = false;
  const allImmediate =
    changed &&
    [...visibleFiring, ...resolvedToTell].every(
      (m) => m.sentImmediately && m.notifiedStatus === m.alert.status,
    );

  if (changed && now >= changeDue && !allImmediate) {
    const status = firingAlerts.length > 0 ? 'firing' : 'resolved';
    const targets = status === 'resolved' ? union(group.notifiedChannels, []) : baseChannels;
    const to = targets.length > 0 ? targets : route.channels;
    notifications.push({
      reason: 'group',
      status,
      channels: to,
      alerts: [...firingAlerts, ...resolvedAlerts],
      severity: maxSeverity([...firingAlerts, ...resolvedAlerts]),
    });
    if (status === 'firing') channels = union(channels, to);
    sent = true;
  } else if (!changed && now >= repeatDue) {
    const alerts = unacked.map((m) => m.alert).sort(byStart);
    notifications.push({
      reason: 'repeat',
      status: 'firing',
      channels: baseChannels,
      alerts,
      severity: maxSeverity(alerts),
    });
    sent = true;
  }

  // Delay-then-escalate: the unacknowledged alert people were told about first sets the clock.
  const toldAt = (m: GroupMember): number => m.firstToldAt ?? (sent ? now : Number.POSITIVE_INFINITY);
  const oldestUnacked = unacked.reduce((acc, m) => Math.min(acc, toldAt(m)), Number.POSITIVE_INFINITY);
  let nextEscalationAt = Number.POSITIVE_INFINITY;
  while (escalationLevel < route.escalation.length) {
    const step = route.escalation[escalationLevel];
    if (!step) break;
    const at = oldestUnacked + step.afterSeconds * 1000;
    if (at > now) {
      nextEscalationAt = at;
      break;
    }
    const fresh = step.channels.filter((c) => !channels.includes(c));
    const alerts = unacked.map((m) => m.alert).sort(byStart);
    if (fresh.length > 0 && alerts.length > 0) {
      notifications.push({
        reason: 'escalation',
        status: 'firing',
        channels: fresh,
        alerts,
        severity: maxSeverity(alerts),
      });
      channels = union(channels, fresh);
    }
    escalationLevel++;
  }
  if (unacked.length === 0) escalationLevel = group.escalationLevel;

  const nextMembers: Record<string, GroupMember> = {};
  let forgetAt = Number.POSITIVE_INFINITY;
  for (const m of members) {
    const told = sent && (visibleFiring.includes(m) || resolvedToTell.includes(m));
    const muted = m.alert.status === 'firing' && !visibleFiring.includes(m) && m.notifiedStatus === undefined;
    const next = told
      ? {
          ...m,
          notifiedStatus: m.alert.status,
          firstToldAt: m.firstToldAt ?? (m.alert.status === 'firing' ? now : undefined),
          lastToldAt: now,
        }
      : muted
        ? { ...m, mutedWhileFiring: true }
        : m;
    if (next.alert.status === 'resolved' && next.mutedWhileFiring && next.notifiedStatus === undefined) {
      const until = (m.mergedAt ?? now) + RESOLVED_MEMORY_MS;
      if (until <= now) continue;
      forgetAt = Math.min(forgetAt, until);
    }
    if (next.alert.status === 'resolved' && next.notifiedStatus === 'resolved') {
      // Kept a while so a re-read of the same change is recognised, then forgotten. Counted from
      // when it was told (or merged), not from the event time, which may be long past.
      const until = (next.lastToldAt ?? m.mergedAt ?? now) + RESOLVED_MEMORY_MS;
      if (until <= now) continue;
      forgetAt = Math.min(forgetAt, until);
    }
    nextMembers[m.alert.fingerprint] = next;
  }
  const anyFiring = Object.values(nextMembers).some((m) => m.alert.status === 'firing');
  const stillChanged = !sent && changed;
  if (!anyFiring && !stillChanged && Object.keys(nextMembers).length === 0)
    return { notifications, next: undefined };

  const lastFlushAt = sent ? now : group.lastFlushAt;
  const lastHash = sent ? hash : group.lastHash;
  const nextChangeDue = stillChanged ? changeDue : Number.POSITIVE_INFINITY;
  const nextRepeat =
    lastFlushAt !== undefined && unacked.length > 0
      ? lastFlushAt + route.repeatIntervalSeconds * 1000
      : Number.POSITIVE_INFINITY;
  const dueAt = Math.min(
    nextChangeDue,
    nextRepeat,
    nextEscalationAt,
    forgetAt,
    mute.nextUnmuteAt ?? Number.POSITIVE_INFINITY,
  );
  return {
    notifications,
    next: {
      ...group,
      members: nextMembers,
      lastFlushAt,
      lastHash,
      notifiedChannels: anyFiring ? channels : [],
      escalationLevel: anyFiring ? escalationLevel : 0,
      dueAt: Number.isFinite(dueAt) ? Math.max(dueAt, now + 1) : undefined,
      size: Object.keys(nextMembers).length,
    },
  };
}
