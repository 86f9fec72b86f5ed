/**
 * The scheduled evaluation: plan the queries of every rule, fetch them, evaluate each rule instance,
 * step its pending / keep-firing state and emit the alarm transitions into the same alert path the
 * alarm handler uses. Failed or missing data changes nothing and is reported, never resolved.
 */
import type { AlarmStateChange } from '../alarm-event';
import type { AlertServiceDeps } from '../alert-service';
import { handleAlarmChange } from '../alert-service';
import { DeliveryError, describeError } from '../errors';
import type { DataPoint, EvaluationOutcome, FetchedData } from './evaluate-rule';
import { evaluateInstance, lookupIn } from './evaluate-rule';
import type { EvalEmission, EvalPhase, EvalStateStore } from './pending-state';
import { stepEvaluation } from './pending-state';
import type { QueryBatch } from './query-plan';
import { planQueries } from './query-plan';
import type { ScheduledInstance } from './rule-spec';

/** Data of one batch, after paging; `calls` counts the GetMetricData pages it took. */
export interface BatchData extends FetchedData {
  readonly calls: number;
}

/** Reads one planned batch from CloudWatch (paging, retries); rejects when the batch cannot be read. */
export interface MetricDataReader {
  read(batch: QueryBatch): Promise<BatchData>;
}

/** Ports of the evaluator: the alert service's, plus metric data and evaluation state. */
export interface EvaluatorDeps extends AlertServiceDeps {
  readonly metrics: MetricDataReader;
  readonly evalStates: EvalStateStore;
  /** Rule instances evaluated concurrently. @default 8 */
  readonly concurrency?: number;
}

/** A rule instance that could not be evaluated this minute. */
export interface EvaluationFailure {
  readonly ruleId: string;
  readonly target: string;
  readonly reason: string;
}

/** What one evaluation did. */
export interface EvaluationReport {
  /** The evaluation minute (epoch ms). */
  readonly evaluatedAt: number;
  readonly instances: number;
  /** GetMetricData calls made (pages included) and queries sent. */
  readonly calls: number;
  readonly queries: number;
  /** Instances per phase. */
  readonly phases: Readonly<Partial<Record<EvalPhase | 'stale', number>>>;
  readonly failures: readonly EvaluationFailure[];
}

/** Start of the minute containing `now`: the evaluation time and every transition's timestamp. */
export function evaluationMinute(now: number): number {
  return Math.floor(now / 60_000) * 60_000;
}

async function fetchAll(deps: EvaluatorDeps, batches: readonly QueryBatch[]): Promise<BatchData> {
  const series = new Map<string, (readonly DataPoint[])[]>();
  const failures = new Map<string, string>();
  let calls = 0;
  for (const batch of batches) {
    try {
      const data = await deps.metrics.read(batch);
      calls += data.calls;
      for (const [id, list] of data.series) series.set(id, [...(series.get(id) ?? []), ...list]);
      for (const [id, reason] of data.failures) failures.set(id, reason);
    } catch (error) {
      const reason = `GetMetricData failed: ${describeError(error).message}`;
      deps.log.error('metric data could not be read; the affected rules keep their state', {
        queries: batch.queries.length,
        error: describeError(error),
      });
      for (const q of batch.queries) failures.set(q.Id, reason);
    }
  }
  return { series, failures, calls };
}

function changeOf(
  instance: ScheduledInstance,
  emit: EvalEmission,
  outcome: Exclude<EvaluationOutcome, { kind: 'unknown' }>,
  at: number,
): AlarmStateChange {
  return {
    source: 'evaluator',
    alarmName: instance.alarmName,
    kind: 'metric',
    state: emit.state,
    previousState: emit.state === 'ALARM' ? 'OK' : 'ALARM',
    previousTimestamp: emit.state === 'OK' ? emit.firedAt : undefined,
    timestamp: at,
    reason: outcome.reason,
    value: outcome.value,
    threshold: outcome.kind === 'breach' ? outcome.threshold : undefined,
    severity: emit.severity,
  };
}

async function evaluateOne(
  deps: EvaluatorDeps,
  instance: ScheduledInstance,
  outcome: EvaluationOutcome,
  at: number,
): Promise<EvalPhase | 'stale' | EvaluationFailure> {
  const fail = (reason: string): EvaluationFailure => ({
    ruleId: instance.ruleId,
    target: instance.target,
    reason,
  });
  if (outcome.kind === 'unknown') return fail(outcome.reason);
  const current = await deps.evalStates.get(instance.ruleId, instance.target);
  const step = stepEvaluation(current, outcome, instance, at);
  if (step === 'stale') return 'stale';
  if (step.emit !== undefined) {
    try {
      await handleAlarmChange(deps, changeOf(instance, step.emit, outcome, at));
    } catch (error) {
      // The alert was stored with its outbox; the tick finishes what failed to publish.
      if (!(error instanceof DeliveryError)) {
        return fail(`the alert transition failed: ${describeError(error).message}`);
      }
      deps.log.warn('scheduled rule transition stored; some channels failed and the tick retries them', {
        ruleId: instance.ruleId,
        target: instance.target,
      });
    }
  }
  // Nothing to remember for a quiet rule or a hold; the ordering guard matters around transitions.
  if (step.phase === 'inactive' || step.phase === 'held') return step.phase;
  const stored = await deps.evalStates.put(step.next, current?.version);
  if (stored === undefined) {
    deps.log.warn('evaluation state changed concurrently; the newer writer wins', {
      ruleId: instance.ruleId,
      target: instance.target,
    });
    return 'stale';
  }
  if (step.emit !== undefined || step.phase === 'pending' || step.phase === 'cleared') {
    deps.log.info('scheduled rule stepped', {
      ruleId: instance.ruleId,
      target: instance.target,
      phase: step.phase,
      severity: step.next.severity,
      reason: outcome.reason,
    });
  }
  return step.phase;
}

async function pool<T, R>(items: readonly T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      const item = items[i];
      if (item !== undefined) out[i] = await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return out;
}

/** Runs one evaluation of every scheduled rule instance at the minute of `deps.clock()`. */
export async function runEvaluation(
  deps: EvaluatorDeps,
  instances: readonly ScheduledInstance[],
): Promise<EvaluationReport> {
  const at = evaluationMinute(deps.clock());
  const plan = planQueries(instances, at);
  const data = await fetchAll(deps, plan.batches);
  const results = await pool(instances, deps.concurrency ?? 8, async (instance) => {
    const outcome = evaluateInstance(instance, lookupIn(plan.refs, data, instance.periodSeconds), at);
    try {
      return await evaluateOne(deps, instance, outcome, at);
    } catch (error) {
      return { ruleId: instance.ruleId, target: instance.target, reason: describeError(error).message };
    }
  });
  const phases: Partial<Record<EvalPhase | 'stale', number>> = {};
  const failures: EvaluationFailure[] = [];
  for (const r of results) {
    if (typeof r === 'string') phases[r] = (phases[r] ?? 0) + 1;
    else {
      failures.push(r);
      deps.log.error('scheduled rule not evaluated; its state is unchanged', { ...r });
    }
  }
  return {
    evaluatedAt: at,
    instances: instances.length,
    calls: data.calls,
    queries: plan.batches.reduce((acc, b) => acc + b.queries.length, 0),
    phases,
    failures,
  };
}
