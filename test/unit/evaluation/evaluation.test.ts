import { evaluateInstance } from '../../../shared/domain/evaluation/evaluate-rule';
import type { DataPoint } from '../../../shared/domain/evaluation/evaluate-rule';
import type { EvaluatorDeps } from '../../../shared/domain/evaluation/evaluator';
import { runEvaluation } from '../../../shared/domain/evaluation/evaluator';
import type { EvalState } from '../../../shared/domain/evaluation/pending-state';
import { stepEvaluation } from '../../../shared/domain/evaluation/pending-state';
import type { MetricSource, ScheduledInstance } from '../../../shared/domain/evaluation/rule-spec';
import { devRuntimeConfig, recordingLog } from '../../support/fixtures';
import { MemoryAlertStore } from '../../support/memory-alert-store';

const T = Date.parse('2026-11-26T14:30:00Z');
const MIN = 60_000;
const metric = (metricName: string): MetricSource => ({
  kind: 'metric',
  namespace: 'AWS/ECS',
  metricName,
  stat: 'Average',
  dimensions: { ServiceName: 'checkout' },
});
const cpu = metric('CPUUtilization');
const memory = metric('MemoryUtilization');

const ladder: ScheduledInstance = {
  ruleId: 'cpu-memory-pressure',
  target: 'checkout',
  alarmName: 'vigil-dev-cpu-memory-pressure-checkout',
  periodSeconds: 60,
  forSeconds: 120,
  keepFiringForSeconds: 120,
  check: {
    kind: 'levels',
    levels: [
      {
        severity: 'critical',
        when: {
          any: [
            { metric: 'cpu_usage', source: cpu, comparison: '>', threshold: 95 },
            {
              all: [
                { metric: 'cpu_usage', source: cpu, comparison: '>', threshold: 80 },
                { metric: 'memory_usage', source: memory, comparison: '>', threshold: 90 },
              ],
            },
          ],
        },
      },
      { severity: 'warning', when: { metric: 'cpu_usage', source: cpu, comparison: '>', threshold: 80 } },
    ],
  },
};

function lookupOf(values: { cpu?: number; memory?: number; failed?: boolean }) {
  return (source: MetricSource) => {
    if (values.failed) return 'GetMetricData failed: throttled';
    const v = source === cpu ? values.cpu : values.memory;
    const points: DataPoint[] = v === undefined ? [] : [[T - MIN, v]];
    return { points };
  };
}

describe('evaluating a severity ladder', () => {
  it.each([
    [{ cpu: 85, memory: 50 }, 'breach', 'warning'],
    [{ cpu: 85, memory: 95 }, 'breach', 'critical'],
    [{ cpu: 97 }, 'breach', 'critical'],
    [{ cpu: 50 }, 'clear', undefined],
    [{ cpu: 85 }, 'unknown', undefined],
    [{ failed: true }, 'unknown', undefined],
  ] as const)('%j gives %s %s', (values, kind, severity) => {
    // Act
    const outcome = evaluateInstance(ladder, lookupOf(values), T);
    // Assert
    expect(outcome.kind).toBe(kind);
    if (outcome.kind === 'breach') expect(outcome.severity).toBe(severity);
  });
});

describe('evaluating burn rate, absence and anomaly', () => {
  const requests = metric('Requests');
  const errors = metric('Errors');
  const burn: ScheduledInstance = {
    ...ladder,
    check: {
      kind: 'burn-rate',
      objectivePercent: 99.9,
      errors,
      total: requests,
      windows: [{ longSeconds: 3600, shortSeconds: 300, factor: 14.4, severity: 'critical' }],
    },
  };
  const perMinute = (value: number, minutes: number): DataPoint[] =>
    Array.from({ length: minutes }, (_, i) => [T - (i + 1) * MIN, value] as const);

  it('fires when both windows burn faster than the factor, not when only the short one does', () => {
    // Act
    const fast = evaluateInstance(
      burn,
      (s) => ({ points: s === errors ? perMinute(20, 60) : perMinute(1000, 60) }),
      T,
    );
    const shortOnly = evaluateInstance(
      burn,
      (s) => ({ points: s === errors ? perMinute(20, 5) : perMinute(1000, 60) }),
      T,
    );
    // Assert
    expect(fast).toMatchObject({ kind: 'breach', severity: 'critical' });
    expect(fast.kind === 'breach' && fast.value).toBeCloseTo(20);
    expect(shortOnly.kind).toBe('clear');
  });

  it('fires an absence rule only when the whole window is empty, and never on a failed read', () => {
    // Arrange
    const absent: ScheduledInstance = {
      ...ladder,
      check: {
        kind: 'absence',
        metric: 'requests',
        source: requests,
        afterSeconds: 600,
        severity: 'warning',
      },
    };
    // Act / Assert
    expect(evaluateInstance(absent, () => ({ points: [[T - 9 * MIN, 1]] }), T).kind).toBe('clear');
    expect(evaluateInstance(absent, () => ({ points: [[T - 11 * MIN, 1]] }), T).kind).toBe('breach');
    expect(evaluateInstance(absent, () => 'GetMetricData failed', T).kind).toBe('unknown');
  });

  it('compares the newest point with the band edges of the same timestamp', () => {
    // Arrange
    const anomaly: ScheduledInstance = {
      ...ladder,
      check: {
        kind: 'anomaly',
        metric: 'requests',
        source: requests,
        bandWidth: 2,
        direction: 'above',
        severity: 'warning',
      },
    };
    const band = [[[T - MIN, 120]], [[T - MIN, 80]]] as const;
    // Act / Assert
    expect(evaluateInstance(anomaly, () => ({ points: [[T - MIN, 130]], band }), T)).toMatchObject({
      kind: 'breach',
      threshold: 120,
    });
    expect(evaluateInstance(anomaly, () => ({ points: [[T - MIN, 70]], band }), T).kind).toBe('clear');
    expect(evaluateInstance(anomaly, () => ({ points: [[T - MIN, 70]], band: [] }), T).kind).toBe('unknown');
  });
});

describe('for and keep_firing_for', () => {
  const breach = { kind: 'breach', severity: 'warning', reason: 'x' } as const;
  const clear = { kind: 'clear', reason: 'y' } as const;

  function walk(outcomes: readonly (typeof breach | typeof clear)[]): string[] {
    let state: EvalState | undefined;
    return outcomes.map((o, i) => {
      const step = stepEvaluation(state, o, ladder, T + i * MIN);
      if (step === 'stale') return 'stale';
      state = { ...step.next, version: (state?.version ?? 0) + 1 };
      return step.emit ? `${step.phase}:${step.emit.state}` : step.phase;
    });
  }

  it('pends for "for", fires, holds for keep_firing_for after the last breach, then resolves', () => {
    // Act
    const phases = walk([breach, breach, breach, clear, breach, clear, clear, clear]);
    // Assert
    expect(phases).toEqual([
      'pending',
      'pending',
      'fired:ALARM',
      'held',
      'still-firing',
      'held',
      'resolved:OK',
      'inactive',
    ]);
  });

  it('clears a pending rule without any transition', () => {
    // Act / Assert
    expect(walk([breach, clear, breach])).toEqual(['pending', 'cleared', 'pending']);
  });

  it('treats a re-run of the same minute as stale', () => {
    // Arrange
    const first = stepEvaluation(undefined, breach, { ...ladder, forSeconds: 0 }, T);
    if (first === 'stale') throw new Error('unexpected');
    // Act / Assert
    expect(stepEvaluation({ ...first.next, version: 1 }, breach, ladder, T)).toBe('stale');
  });
});

describe('runEvaluation', () => {
  function deps(read: EvaluatorDeps['metrics']['read']) {
    const states = new Map<string, EvalState>();
    const store = new MemoryAlertStore();
    const log = recordingLog();
    const d: EvaluatorDeps = {
      config: devRuntimeConfig(),
      store,
      publisher: { publish: () => Promise.resolve() },
      clock: () => T + 12_345,
      log,
      claimant: 'test',
      metrics: { read },
      evalStates: {
        get: (rule, target) => Promise.resolve(states.get(`${rule}#${target}`)),
        put: (state, expected) => {
          const key = `${state.ruleId}#${state.target}`;
          if (states.get(key)?.version !== expected) return Promise.resolve(undefined);
          const stored = { ...state, version: (expected ?? 0) + 1 };
          states.set(key, stored);
          return Promise.resolve(stored);
        },
      },
    };
    return { d, states, store, log };
  }

  it('leaves state and alerts untouched and reports a failure per rule when GetMetricData fails', async () => {
    // Arrange
    const { d, states, log } = deps(() => Promise.reject(new Error('Rate exceeded')));
    const firing: EvalState = {
      ruleId: ladder.ruleId,
      target: 'checkout',
      status: 'firing',
      severity: 'warning',
      lastBreachAt: T - 10 * MIN,
      firedAt: T - 20 * MIN,
      lastEvaluatedAt: T - MIN,
      version: 3,
    };
    states.set(`${ladder.ruleId}#checkout`, firing);
    // Act
    const report = await runEvaluation(d, [{ ...ladder, keepFiringForSeconds: 0 }]);
    // Assert
    expect(report.failures).toEqual([
      {
        ruleId: ladder.ruleId,
        target: 'checkout',
        reason: expect.stringContaining('Rate exceeded') as unknown,
      },
    ]);
    expect(states.get(`${ladder.ruleId}#checkout`)).toEqual(firing);
    expect(log.lines.some((l) => l.level === 'error' && l.message.includes('not evaluated'))).toBe(true);
  });

  it('evaluates on the minute boundary and fires through the alert path', async () => {
    // Arrange
    const { d, store } = deps((batch) =>
      Promise.resolve({
        calls: 1,
        failures: new Map(),
        series: new Map(batch.queries.map((q) => [q.Id, [[[T - MIN, 99]] as DataPoint[]]])),
      }),
    );
    // Act
    const report = await runEvaluation(d, [{ ...ladder, forSeconds: 0 }]);
    // Assert
    expect(report.evaluatedAt).toBe(T);
    expect(report.phases).toEqual({ fired: 1 });
    const alerts = [...store.items.values()];
    expect(alerts).toHaveLength(1);
    expect(store.unfoldedCount()).toBe(1);
    expect(alerts[0]).toMatchObject({ status: 'firing', severity: 'critical', lastChangeAt: T });
  });
});
