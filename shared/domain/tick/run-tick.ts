/**
 * The every-minute tick, a conductor over its duties: finish stuck outboxes, send again the
 * incident signals kept after a failed send, fold alert changes into groups, flush what is due
 * (timers, repeats, escalation, mutes, storm digests), reconcile stale alerts with CloudWatch, end
 * silences whose alerts resolved. One run at a time holds the
 * tick's state (a lease); work that does not fit one run stays queued for the next.
 */
import type { AlertServiceDeps } from '../alert-service';
import type { GroupStore, TickState } from '../ports';
import type { AlarmStateReader } from '../reconcile';
import { reconcileStaleAlerts } from '../reconcile';
import type { TickLimits } from './budget';
import { TickBudget } from './budget';
import { foldChanges } from './fold';
import type { FlushOutcome } from './flush';
import { flushDueGroups } from './flush';
import { endSilencesOnResolve, loadSilences } from './mutes';
import { finishDueOutboxes, resendKeptSignals } from './outboxes';
import { isSmsPaused } from './sms-pause';

/** Dependencies of the tick. */
export interface TickDeps extends AlertServiceDeps {
  readonly groups: GroupStore;
  /** Reads alarms' current states, to end stale alerts. @default none: no reconciliation */
  readonly alarmStates?: AlarmStateReader;
  /** Reads the account's SMS spend this month in USD (SNS SMSMonthToDateSpentUSD). @default none */
  readonly smsSpend?: () => Promise<number | undefined>;
  /** Real elapsed milliseconds, for the run's time budget (the clock may be virtual). @default Date.now */
  readonly elapsed?: () => number;
}

/** What one tick did. */
export interface TickReport {
  /** Another run held the tick's state: this one did nothing. */
  readonly skipped: boolean;
  /** Alerts whose pending outbox was looked at. */
  readonly outboxesDue: number;
  /** Alert changes folded into groups. */
  readonly changes: number;
  /** Groups looked at. */
  readonly groups: number;
  /** Notifications published (per channel). */
  readonly published: number;
  /** Groups whose notification waits for a later run (budget, storm pace). */
  readonly deferred: number;
  /** Outboxes, changes or groups that failed (left for the next run). */
  readonly failed: number;
  /** Routes in storm mode. */
  readonly stormRoutes: readonly string[];
  /** Storm digest rounds sent. */
  readonly digests: number;
  /** Stale alerts ended or moved on by reconciliation with CloudWatch. */
  readonly reconciled: number;
  /** Work was left for the next run (more changes, groups or outboxes than one run takes). */
  readonly backlog: boolean;
  /** Real milliseconds the run took. */
  readonly elapsedMs: number;
}

/** Options of {@link runTick}. */
export type TickOptions = TickLimits;

/**
 * Longer than the tick Lambda's timeout (55 s), shorter than the schedule's minute: a run that died
 * without releasing the state frees it before the next run starts.
 */
export const TICK_LEASE_MS = 58_000;
/** Incident signals kept after a failed send that one run sends again. */
const KEPT_SIGNALS_PER_RUN = 50;
/** A backlog this old no longer holds back flushing: late news beats no news. */
const BACKLOG_HOLD_MS = 5 * 60_000;

const SKIPPED: TickReport = {
  skipped: true,
  outboxesDue: 0,
  changes: 0,
  groups: 0,
  published: 0,
  deferred: 0,
  failed: 0,
  stormRoutes: [],
  digests: 0,
  reconciled: 0,
  backlog: false,
  elapsedMs: 0,
};

function withoutVersion(state: TickState & { version?: number }): TickState {
  const { version: _version, ...rest } = state;
  return rest;
}

/** Runs the tick once; a run that finds another holding the state returns at once, skipped. */
export async function runTick(deps: TickDeps, options: TickOptions = {}): Promise<TickReport> {
  const now = deps.clock();
  const stored = await deps.groups.getTickState();
  if (stored?.leaseUntil !== undefined && stored.leaseUntil > now) {
    deps.log.warn('another tick is running; this one stands down', { leaseUntil: stored.leaseUntil });
    return SKIPPED;
  }
  const state: TickState = withoutVersion(stored ?? { silencesSeenAt: 0 });
  if (!(await deps.groups.putTickState({ ...state, leaseUntil: now + TICK_LEASE_MS }, stored?.version))) {
    deps.log.warn('another tick took the state first; this one stands down');
    return SKIPPED;
  }
  const leasedVersion = (stored?.version ?? 0) + 1;
  let run: Omit<TickReport, 'skipped' | 'elapsedMs'> & { next: TickState };
  const budget = new TickBudget(options, deps.elapsed ?? Date.now);
  try {
    run = await runDuties(deps, state, budget, now);
  } catch (error) {
    // Free the state at once (the lease would expire anyway) so the next run is not held back.
    await deps.groups.putTickState(state, leasedVersion).catch(() => false);
    throw error;
  }
  if (!(await deps.groups.putTickState(run.next, leasedVersion))) {
    deps.log.error('the tick state changed while this run held it; the next run starts from the stored one');
  }
  const { next: _next, ...counts } = run;
  const report: TickReport = { skipped: false, ...counts, elapsedMs: budget.spentMs };
  if (report.published + report.deferred + report.failed > 0 || report.changes > 0 || report.backlog) {
    deps.log.info('tick done', { ...report });
  }
  return report;
}

/** The duties of one run, in order; returns what they did and the state for the next run. */
async function runDuties(
  deps: TickDeps,
  state: TickState,
  budget: TickBudget,
  now: number,
): Promise<Omit<TickReport, 'skipped' | 'elapsedMs'> & { next: TickState }> {
  const outboxes = await finishDueOutboxes(deps, now, budget.maxOutboxes);
  const signals = await resendKeptSignals(deps, KEPT_SIGNALS_PER_RUN);
  const silences = await loadSilences(deps, state.silencesSeenAt, now);
  const fold = await foldChanges(deps, budget, silences.active, now);
  const smsPaused = await isSmsPaused(deps, state.smsPaused ?? false);
  const backlogSince = fold.backlog ? (state.backlogSince ?? now) : undefined;

  // Flushing waits for the fold, so nothing is told about an alert whose newer change is still
  // queued (an escalation for an alert that already resolved); a backlog older than a few minutes
  // stops holding it back.
  const holdFlush = backlogSince !== undefined && now - backlogSince < BACKLOG_HOLD_MS;
  const flush: FlushOutcome | undefined = holdFlush
    ? undefined
    : await flushDueGroups(deps, { now, budget, silences, fold, state, smsPaused });
  if (holdFlush) {
    deps.log.warn('alert changes left unfolded; flushing waits for the next run', { folded: fold.folded });
  }

  const reconcileDue = (state.reconciledAt ?? 0) + deps.config.reconcile.everySeconds * 1000 <= now;
  const reconciled =
    deps.alarmStates && reconcileDue
      ? await reconcileStaleAlerts({ ...deps, alarmStates: deps.alarmStates }, now)
      : 0;
  if (!fold.backlog) await endSilencesOnResolve(deps, silences.active, fold.resolved, now);

  return {
    outboxesDue: outboxes.due,
    changes: fold.folded,
    groups: flush?.planned ?? 0,
    published: outboxes.published + (flush?.published ?? 0),
    deferred: flush?.deferred ?? 0,
    failed: outboxes.failed + signals.failed + fold.failed + (flush?.failed ?? 0),
    stormRoutes: flush?.stormRoutes ?? Object.keys(state.storm?.routes ?? {}),
    digests: flush?.digests ?? 0,
    reconciled,
    backlog: fold.backlog || outboxes.backlog || (flush?.backlog ?? false),
    next: {
      silencesSeenAt: now,
      reconciledAt: deps.alarmStates && reconcileDue ? now : state.reconciledAt,
      smsPaused,
      backlogSince,
      arrivals: flush?.arrivals ?? state.arrivals,
      storm: flush ? flush.storm : state.storm,
    },
  };
}
