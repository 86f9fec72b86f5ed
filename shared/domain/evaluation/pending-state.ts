/**
 * The pending / keep_firing_for state machine of one scheduled rule instance (Prometheus' `for` and
 * `keep_firing_for`), kept as an item of its own in the alert-state table.
 */
import type { Severity } from '../alert';
import type { EvaluationOutcome } from './evaluate-rule';
import type { ScheduledInstance } from './rule-spec';

/** Stored evaluation state of one rule instance. */
export interface EvalState {
  readonly ruleId: string;
  readonly target: string;
  readonly status: 'inactive' | 'pending' | 'firing';
  /** Epoch ms of the first breach of the current pending or firing run. */
  readonly activeSince?: number;
  /** Epoch ms the alert fired (the ALARM transition's timestamp). */
  readonly firedAt?: number;
  /** Epoch ms of the newest breach (keep_firing_for counts from here). */
  readonly lastBreachAt?: number;
  readonly severity?: Severity;
  /** Evaluation minute last applied: the ordering guard against a re-run of the same minute. */
  readonly lastEvaluatedAt: number;
  /** Optimistic-concurrency version; every write increments it. */
  readonly version: number;
}

/** Persistence of evaluation states, with conditional writes on the version. */
export interface EvalStateStore {
  get(ruleId: string, target: string): Promise<EvalState | undefined>;
  /** Writes if the stored version equals `expectedVersion` (undefined: must not exist); undefined on conflict. */
  put(state: EvalState, expectedVersion: number | undefined): Promise<EvalState | undefined>;
}

/** What a step means, for logs and the report. */
export type EvalPhase =
  'pending' | 'fired' | 'severity-changed' | 'still-firing' | 'held' | 'resolved' | 'cleared' | 'inactive';

/** An alarm transition to emit into the alert path. */
export interface EvalEmission {
  readonly state: 'ALARM' | 'OK';
  /** The alert's severity: the new one for an ALARM, the last one for an OK. */
  readonly severity?: Severity;
  /** Epoch ms the alert fired, for an OK. */
  readonly firedAt?: number;
}

/** Outcome of one step. */
export interface EvalStep {
  readonly phase: EvalPhase;
  readonly next: EvalState;
  readonly emit?: EvalEmission;
}

/**
 * Applies a breach or clear verdict at `at` (a minute boundary). Returns 'stale' for a minute
 * already applied. Pending lasts `for`; a firing alert holds `keep_firing_for` after its last breach.
 */
export function stepEvaluation(
  current: EvalState | undefined,
  outcome: Exclude<EvaluationOutcome, { kind: 'unknown' }>,
  instance: ScheduledInstance,
  at: number,
): EvalStep | 'stale' {
  if (current !== undefined && at <= current.lastEvaluatedAt) return 'stale';
  const base: EvalState = current ?? {
    ruleId: instance.ruleId,
    target: instance.target,
    status: 'inactive',
    lastEvaluatedAt: at,
    version: 0,
  };
  const stamp = { ...base, lastEvaluatedAt: at };

  if (outcome.kind === 'breach') {
    if (base.status === 'firing') {
      const next: EvalState = { ...stamp, lastBreachAt: at, severity: outcome.severity };
      if (base.severity !== outcome.severity) {
        return { phase: 'severity-changed', next, emit: { state: 'ALARM', severity: outcome.severity } };
      }
      return { phase: 'still-firing', next };
    }
    const since = base.status === 'pending' ? (base.activeSince ?? at) : at;
    if (at - since >= instance.forSeconds * 1000) {
      return {
        phase: 'fired',
        next: {
          ...stamp,
          status: 'firing',
          activeSince: since,
          firedAt: at,
          lastBreachAt: at,
          severity: outcome.severity,
        },
        emit: { state: 'ALARM', severity: outcome.severity },
      };
    }
    return {
      phase: 'pending',
      next: { ...stamp, status: 'pending', activeSince: since, lastBreachAt: at, severity: outcome.severity },
    };
  }

  if (base.status === 'firing') {
    const lastBreach = base.lastBreachAt ?? at;
    if (at - lastBreach < instance.keepFiringForSeconds * 1000) return { phase: 'held', next: stamp };
    return {
      phase: 'resolved',
      next: {
        ...stamp,
        status: 'inactive',
        activeSince: undefined,
        firedAt: undefined,
        lastBreachAt: undefined,
        severity: undefined,
      },
      emit: { state: 'OK', severity: base.severity, firedAt: base.firedAt },
    };
  }
  if (base.status === 'pending') {
    return {
      phase: 'cleared',
      next: {
        ...stamp,
        status: 'inactive',
        activeSince: undefined,
        lastBreachAt: undefined,
        severity: undefined,
      },
    };
  }
  return { phase: 'inactive', next: stamp };
}
