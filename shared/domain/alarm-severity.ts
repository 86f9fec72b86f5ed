/**
 * Severity of an alarm-driven alert from its rule's ladder over related metrics. The alarm handler
 * reads the ladder's metrics when the alarm fires, within a small budget; the first level that holds
 * gives the severity, and when none holds, or the metrics cannot be read in time, the rule's own
 * severity stands (an alert already firing keeps the one it has). The choice and its reason are
 * recorded on the alert, and the alert routes by it.
 */
import type { Severity } from './alert';
import type { AlarmStateChange } from './alarm-event';
import type { AlertIdentity } from './alert-identity';
import type { AlertRecord } from './alert-record';
import { describeError } from './errors';
import type { DataPoint, FetchedData } from './evaluation/evaluate-rule';
import { evaluateInstance, lookupIn } from './evaluation/evaluate-rule';
import type { MetricDataReader } from './evaluation/evaluator';
import { planQueries } from './evaluation/query-plan';
import type { ScheduledInstance, SeverityLadder } from './evaluation/rule-spec';

/** What reading a ladder found. */
export type LadderReading =
  /** A level holds: its severity. */
  | { readonly kind: 'level'; readonly severity: Severity; readonly reason: string }
  /** Every level was decided and none holds. */
  | { readonly kind: 'none'; readonly reason: string }
  /** A level could not be decided: no data, a failed or slow read. */
  | { readonly kind: 'undecided'; readonly reason: string };

/** The severity an alert takes, and why. */
export interface SeverityPick {
  readonly severity: Severity;
  /** e.g. `critical: memory_usage = 95 > 90`, or `warning, the rule's own: ...`. */
  readonly reason: string;
}

/** Ports of a ladder reading. */
export interface LadderReadDeps {
  /** GetMetricData, bounded by its own timeout; absent: nothing can be read. */
  readonly metrics?: MetricDataReader;
  /** The whole reading's budget in ms; past it the reading is undecided. */
  readonly budgetMs: number;
}

class LadderBudgetError extends Error {
  public constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'LadderBudgetError';
  }
}

async function withinBudget<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LadderBudgetError(ms)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Reads a ladder's metrics as they were at `at` (the alarm's state time: the newest datapoint of
 * the last three periods) and picks the first level that holds. Never throws.
 */
export async function readSeverityLadder(
  deps: LadderReadDeps,
  ladder: SeverityLadder,
  alarmName: string,
  at: number,
): Promise<LadderReading> {
  if (deps.metrics === undefined) return { kind: 'undecided', reason: 'related metrics are not read here' };
  const reader = deps.metrics;
  const instance: ScheduledInstance = {
    ruleId: alarmName,
    target: alarmName,
    alarmName,
    periodSeconds: ladder.periodSeconds,
    forSeconds: 0,
    keepFiringForSeconds: 0,
    check: { kind: 'levels', levels: ladder.levels },
  };
  const plan = planQueries([instance], at);
  let data: FetchedData;
  try {
    const batches = await withinBudget(Promise.all(plan.batches.map((b) => reader.read(b))), deps.budgetMs);
    const series = new Map<string, (readonly DataPoint[])[]>();
    const failures = new Map<string, string>();
    for (const batch of batches) {
      for (const [id, list] of batch.series) series.set(id, [...(series.get(id) ?? []), ...list]);
      for (const [id, reason] of batch.failures) failures.set(id, reason);
    }
    data = { series, failures };
  } catch (error) {
    const reason =
      error instanceof LadderBudgetError
        ? error.message
        : `GetMetricData failed: ${describeError(error).message}`;
    return { kind: 'undecided', reason: `related metrics unavailable: ${reason}` };
  }
  const outcome = evaluateInstance(instance, lookupIn(plan.refs, data, ladder.periodSeconds), at);
  switch (outcome.kind) {
    case 'breach':
      return { kind: 'level', severity: outcome.severity, reason: outcome.reason };
    case 'clear':
      return { kind: 'none', reason: outcome.reason };
    case 'unknown':
      return { kind: 'undecided', reason: outcome.reason };
  }
}

/** True when the change makes (or keeps) the alert firing under its INSUFFICIENT_DATA policy. */
function firesAlert(change: AlarmStateChange, identity: AlertIdentity): boolean {
  return (
    change.state === 'ALARM' ||
    (change.state === 'INSUFFICIENT_DATA' && identity.insufficientData === 'alarm')
  );
}

/**
 * The severity of an alarm-driven alert whose alarm has a ladder: read from the related metrics
 * when the alarm fires; otherwise (a resolve, a kept no-data state) the severity the alert fired
 * with. Undefined when there is nothing to decide: no ladder, the evaluator already chose, or the
 * change is a duplicate or out of order, which the state machine ignores.
 */
export async function pickAlarmSeverity(
  deps: LadderReadDeps,
  ladder: SeverityLadder | undefined,
  change: AlarmStateChange,
  identity: AlertIdentity,
  current: AlertRecord | undefined,
): Promise<SeverityPick | undefined> {
  if (ladder === undefined || change.severity !== undefined) return undefined;
  if (current !== undefined && change.timestamp <= current.lastChangeAt) return undefined;
  const firing = current?.status === 'firing' ? current : undefined;
  if (!firesAlert(change, identity)) {
    return firing
      ? { severity: firing.severity, reason: firing.annotations.severityReason ?? '' }
      : undefined;
  }
  const reading = await readSeverityLadder(deps, ladder, change.alarmName, change.timestamp);
  switch (reading.kind) {
    case 'level':
      return { severity: reading.severity, reason: reading.reason };
    case 'none':
      return {
        severity: identity.severity,
        reason: `${identity.severity}, the rule's own: ${reading.reason}`,
      };
    case 'undecided':
      // A firing alert keeps its severity: a slow read must not downgrade a page already sent.
      return firing
        ? { severity: firing.severity, reason: `${firing.severity}, kept: ${reading.reason}` }
        : { severity: identity.severity, reason: `${identity.severity}, the rule's own: ${reading.reason}` };
  }
}

/** The identity with the picked severity: label, severity and the recorded reason. */
export function withSeverity(identity: AlertIdentity, pick: SeverityPick | undefined): AlertIdentity {
  if (pick === undefined) return identity;
  return {
    ...identity,
    severity: pick.severity,
    labels: { ...identity.labels, severity: pick.severity },
    annotations: { ...identity.annotations, ...(pick.reason ? { severityReason: pick.reason } : {}) },
  };
}
