/**
 * Flushing: the groups due now (and, when a mute may have lifted, those holding muted alerts) are
 * loaded with their members, planned (group_wait, group_interval, repeat_interval, escalation),
 * and what they have to say is sent, on its own or, for storming routes, in a digest round.
 */
import type { Channel } from '../alert';
import type { AlertServiceDeps } from '../alert-service';
import { mapLimit, retryPassing, StateConflictError } from '../concurrency';
import { describeError } from '../errors';
import type { FlushPlan, GroupHead, GroupMember, GroupRecord, MuteContext } from '../group';
import { headOf, planGroupFlush } from '../group';
import type { GroupStore, StormState, TickState } from '../ports';
import { redirectPausedSms } from '../sms-budget';
import { stormScopeOf } from '../routing';
import type { TickBudget } from './budget';
import type { FoldOutcome } from './fold';
import type { SilenceView } from './mutes';
import { buildMuteContext, holdsMuted, listMutedGroups } from './mutes';
import { ChannelBudget, groupOutgoing, publishAll } from './send';
import type { Outgoing } from './send';
import { buildDigestRound, decideStorm, recordArrivals, shortHash } from './storm';

/** Dependencies of the flush. */
export interface FlushDeps extends AlertServiceDeps {
  readonly groups: GroupStore;
}

/** What a flush did. */
export interface FlushOutcome {
  /** Groups looked at. */
  readonly planned: number;
  /** Notifications published (per channel). */
  readonly published: number;
  /** Groups whose notification waits for a later run (budget, storm pace or conflict). */
  readonly deferred: number;
  /** Groups whose publish failed (left for the next run). */
  readonly failed: number;
  /** More groups were due than one run plans. */
  readonly backlog: boolean;
  /** Routes in storm mode after this run. */
  readonly stormRoutes: readonly string[];
  /** Digest rounds sent (0 or 1). */
  readonly digests: number;
  /** The tick state's storm and arrivals after this run. */
  readonly arrivals: NonNullable<TickState['arrivals']>;
  readonly storm: StormState | undefined;
}

/** What the run knows when it flushes. */
export interface FlushContext {
  readonly now: number;
  readonly budget: TickBudget;
  readonly silences: SilenceView;
  readonly fold: FoldOutcome;
  readonly state: TickState;
  readonly smsPaused: boolean;
}

const IO_PARALLELISM = 16;
const LISTING_PARALLELISM = 3;
/** Attempts at recording a sent notification's outcome (pauses double from 20 ms to 1 s: about 6 s in all). */
const RECORD_ATTEMPTS = 12;

async function dueHeads(
  deps: FlushDeps,
  ctx: FlushContext,
): Promise<{ heads: GroupHead[]; backlog: boolean }> {
  const heads = new Map<string, GroupHead>();
  let backlog = false;
  for await (const page of deps.groups.dueGroups(ctx.now)) {
    for (const head of page) {
      if (!ctx.budget.mayPlan(heads.size)) {
        backlog = true;
        break;
      }
      heads.set(head.key, head);
    }
    if (backlog) break;
  }
  // A mute may have lifted early: the groups holding muted alerts are looked at again.
  if (!backlog && (ctx.fold.sourcesEnded || ctx.silences.changed)) {
    const keys = (await listMutedGroups(deps)).filter((k) => !heads.has(k));
    const found = await mapLimit(keys, IO_PARALLELISM, (k) => deps.groups.getGroup(k));
    for (const head of found) if (head) heads.set(head.key, head);
  }
  return { heads: [...heads.values()], backlog };
}

/** JSON with sorted keys, so that equal records compare equal whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

/** True when the stored head is the one this run meant to write (a write applied behind an error). */
function sameHead(stored: GroupHead | undefined, meant: GroupHead, version: number): boolean {
  return (
    stored !== undefined &&
    stored.version === version + 1 &&
    canonical({ ...stored, version: 0 }) === canonical({ ...meant, version: 0 })
  );
}

/**
 * Writes the plan's outcome: changed and forgotten members, the head (or its deletion), the mute
 * registry. Safe to repeat: a head write that was applied behind an error is recognised.
 */
async function persist(
  deps: FlushDeps,
  group: GroupRecord,
  next: GroupRecord | undefined,
  muted: boolean,
  progress: { members: boolean } = { members: false },
): Promise<void> {
  const put: GroupMember[] = [];
  const remove: string[] = [];
  for (const [fp, m] of Object.entries(group.members)) {
    const after = next?.members[fp];
    if (after === undefined) remove.push(fp);
    else if (JSON.stringify(after) !== JSON.stringify(m)) put.push(after);
  }
  if ((put.length > 0 || remove.length > 0) && !progress.members) {
    await deps.groups.writeMembers(group, put, remove);
    progress.members = true;
  }
  if (next === undefined) {
    if (!(await deps.groups.deleteGroup(group.key, group.version))) {
      if ((await deps.groups.getGroup(group.key)) !== undefined) {
        throw new StateConflictError(`group ${group.key} changed under the flush`);
      }
    }
    if (group.muted === true) await deps.groups.setMuted(group.key, false);
    return;
  }
  const head: GroupHead = { ...headOf(next), muted };
  if (JSON.stringify(head) !== JSON.stringify(headOf(group))) {
    const written = await deps.groups.putGroup(head, group.version);
    if (!written && !sameHead(await deps.groups.getGroup(group.key), head, group.version)) {
      throw new StateConflictError(`group ${group.key} changed under the flush`);
    }
  }
  if (muted !== (group.muted === true)) await deps.groups.setMuted(group.key, muted);
}

/** Keeps the group as it is, to be looked at again at `at` (its news wait for a later message). */
async function defer(deps: FlushDeps, group: GroupRecord, at: number): Promise<void> {
  if (group.dueAt === at) return;
  const written = await deps.groups.putGroup({ ...headOf(group), dueAt: at }, group.version);
  if (!written) throw new StateConflictError(`group ${group.key} changed under the flush`);
}

/** Plans the due groups and sends what they have to say. */
export async function flushDueGroups(deps: FlushDeps, ctx: FlushContext): Promise<FlushOutcome> {
  const { now } = ctx;
  const { heads, backlog } = await dueHeads(deps, ctx);
  // A large group lists its 16 member keys at once: a few groups at a time stay within the
  // client's 50 sockets.
  const groups = await mapLimit(heads, LISTING_PARALLELISM, async (head): Promise<GroupRecord> => {
    const members = await deps.groups.listMembers(head);
    return { ...head, members: Object.fromEntries(members.map((m) => [m.alert.fingerprint, m])) };
  });
  const mute: MuteContext = await buildMuteContext(deps, ctx.silences.active, groups, now);
  const planned = groups.map((group) => ({ group, plan: planGroupFlush(group, mute, now) }));
  const windowMs = deps.config.storm.windowSeconds * 1000;
  const arrivals = recordArrivals(ctx.state.arrivals, ctx.fold.arrivals, now, windowMs);
  const storm = decideStorm({
    config: deps.config,
    previous: ctx.state.storm,
    arrivals,
    planned,
    activeRoutes: ctx.fold.activeRoutes,
    now,
  });
  if (storm.entered.length > 0 || storm.ended.length > 0) {
    deps.log.warn('storm mode changed', {
      entered: storm.entered,
      ended: storm.ended,
      storm: storm.state?.id,
    });
  }
  const channelBudget = new ChannelBudget(deps.config.budgets.perSecond);
  let published = 0;
  let deferred = 0;
  let failed = 0;

  const send = async (outgoing: readonly Outgoing[]): Promise<'sent' | 'over-budget' | 'failed'> => {
    const ready = outgoing.map((o) => ({ ...o, channels: redirectPausedSms(o.channels, ctx.smsPaused) }));
    const channels: Channel[] = [...new Set(ready.flatMap((o) => o.channels))];
    if (!channelBudget.trySpend(channels)) return 'over-budget';
    let ok = true;
    for (const o of ready) {
      const r = await publishAll(deps, o);
      published += r.published;
      if (r.failed.length > 0) ok = false;
    }
    return ok ? 'sent' : 'failed';
  };
  // Once sent, the outcome must be recorded or the next run sends it again: passing errors are retried.
  const settle = (group: GroupRecord, plan: FlushPlan): Promise<void> => {
    const progress = { members: false };
    return retryPassing(
      () => persist(deps, group, plan.next, plan.next ? holdsMuted(plan.next, mute) : false, progress),
      RECORD_ATTEMPTS,
    );
  };

  const storming: { group: GroupRecord; plan: FlushPlan }[] = [];
  for (const { group, plan } of planned) {
    try {
      if (storm.storming.has(stormScopeOf(group.route.routeId)) && plan.notifications.length > 0) {
        storming.push({ group, plan });
        continue;
      }
      if (plan.notifications.length === 0) {
        await settle(group, plan);
        continue;
      }
      const outgoing = plan.notifications.map((p) => groupOutgoing(deps, group, p, now));
      const result = await send(outgoing);
      if (result === 'sent') await settle(group, plan);
      else {
        // Over budget or a channel failed: nothing is lost; the next run plans the group again.
        if (result === 'over-budget') deferred++;
        else failed++;
        await defer(deps, group, now + 1);
      }
    } catch (error) {
      failed++;
      deps.log.error('tick could not flush a group; the next run retries', {
        group: group.key,
        error: describeError(error),
      });
    }
  }

  let stormState = storm.state;
  let digests = 0;
  if (storming.length > 0 && stormState !== undefined) {
    let roundSent = false;
    if (storm.round) {
      const round = buildDigestRound(
        deps.config,
        stormState,
        arrivals,
        storming.map((s) => s.plan),
        now,
      );
      try {
        // The full list is kept before any message points people at it.
        await deps.groups.putDigest(round.record);
        const idBase = `${stormState.id}:digest:${shortHash(round.record.entries.map((e) => `${e.fingerprint}${e.status}`).join())}:${now}`;
        const result = await send(
          round.messages.map((m) => ({ notification: m.notification, channels: [m.channel], idBase })),
        );
        roundSent = result === 'sent';
        if (result === 'failed') failed++;
      } catch (error) {
        deps.log.error('storm digest failed; the next run retries', { error: describeError(error) });
      }
      if (roundSent) {
        digests = 1;
        stormState = round.state;
      }
    }
    for (const { group, plan } of storming) {
      try {
        if (roundSent) await settle(group, plan);
        else {
          deferred++;
          await defer(deps, group, storm.round ? now + 1 : storm.nextLookAt);
        }
      } catch (error) {
        failed++;
        deps.log.error('tick could not record a storming group; the next run retries', {
          group: group.key,
          error: describeError(error),
        });
      }
    }
    if (!roundSent && storm.round) {
      stormState = { ...stormState, waitingSince: stormState.waitingSince ?? now };
    }
  }
  return {
    planned: groups.length,
    published,
    deferred,
    failed,
    backlog,
    stormRoutes: [...storm.storming],
    digests,
    arrivals,
    storm: stormState,
  };
}
