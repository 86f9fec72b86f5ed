// GetMetricData calls and queries per evaluation, and evaluator wall time per tick, for 200
// scheduled rule instances over the replay's simulated CloudWatch and in-memory stores.
// Run: npx tsx test/bench/evaluator.bench.ts [--json]
import { parseArgs } from 'node:util';
import { CloudWatchMetricData } from '../../shared/adapters/cloudwatch-metric-data';
import { DOKKERR_CATALOG } from '../../shared/catalog/dokkerr-catalog';
import type { EvaluatorDeps } from '../../shared/domain/evaluation/evaluator';
import { runEvaluation } from '../../shared/domain/evaluation/evaluator';
import type { EvalState } from '../../shared/domain/evaluation/pending-state';
import type { MetricSource, RuleCheck, ScheduledInstance } from '../../shared/domain/evaluation/rule-spec';
import { parseRuntimeConfig } from '../../shared/domain/runtime-config';
import { SimulatedCloudWatch } from '../../shared/replay/simulated-cloudwatch';
import type { SyntheticSeries } from '../../shared/replay/simulated-cloudwatch';
import { devRuntimeConfig } from '../support/fixtures';
import { MemoryAlertStore } from '../support/memory-alert-store';

const RULES = 200;
const TICKS = 15;
const START = Date.UTC(2026, 10, 26, 14, 0, 0);
const MIN = 60_000;

/** One figure of the report. */
export interface BenchFigure {
  readonly min: number;
  readonly median: number;
  readonly max: number;
  readonly unit: string;
}

function figure(values: readonly number[], unit: string): BenchFigure {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  return { min: sorted[0] ?? 0, median, max: sorted[sorted.length - 1] ?? 0, unit };
}

function plain(name: string, service: string): MetricSource & { kind: 'metric' } {
  const entry = DOKKERR_CATALOG[name];
  if (entry?.kind !== 'metric') throw new Error(`${name} is not a plain catalog metric`);
  return {
    kind: 'metric',
    namespace: entry.namespace,
    metricName: entry.metricName,
    stat: entry.statistic,
    dimensions: { Service: service },
  };
}

// 200 instances: the five kinds in turn, each on its own service, as a large stage would have.
function instances(): ScheduledInstance[] {
  return Array.from({ length: RULES }, (_, i) => {
    const service = `svc${i}`;
    const requests = plain('requests', service);
    const errors = plain('errors', service);
    const errorRate: MetricSource = {
      kind: 'math',
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      using: { errors, requests },
    };
    const checks: RuleCheck[] = [
      {
        kind: 'levels',
        levels: [
          {
            severity: 'warning',
            when: {
              all: [
                { metric: 'error_rate', source: errorRate, comparison: '>', threshold: 5 },
                { metric: 'requests', source: requests, comparison: '>', threshold: 60 },
              ],
            },
          },
        ],
      },
      {
        kind: 'levels',
        levels: [
          {
            severity: 'critical',
            when: {
              metric: 'query_latency',
              source: plain('query_latency', service),
              comparison: '>',
              threshold: 2000,
            },
          },
          {
            severity: 'warning',
            when: {
              metric: 'query_latency',
              source: plain('query_latency', service),
              comparison: '>',
              threshold: 1000,
            },
          },
        ],
      },
      {
        kind: 'burn-rate',
        objectivePercent: 99.9,
        errors,
        total: requests,
        windows: [
          { longSeconds: 3600, shortSeconds: 300, factor: 14.4, severity: 'critical' },
          { longSeconds: 21_600, shortSeconds: 1800, factor: 6, severity: 'warning' },
        ],
      },
      { kind: 'absence', metric: 'requests', source: requests, afterSeconds: 600, severity: 'warning' },
      {
        kind: 'anomaly',
        metric: 'active_users',
        source: plain('active_users', service),
        bandWidth: 2,
        direction: 'outside',
        severity: 'warning',
      },
    ];
    const check = checks[i % checks.length] ?? {
      kind: 'absence',
      metric: 'requests',
      source: requests,
      afterSeconds: 600,
      severity: 'warning',
    };
    return {
      ruleId: `bench-${i % checks.length}`,
      target: service,
      alarmName: `vigil-bench-${i}`,
      periodSeconds: 60,
      forSeconds: 120,
      keepFiringForSeconds: 120,
      check,
    };
  });
}

// Six hours of history plus the run, one datapoint a minute, for every metric the rules read.
function series(rules: readonly ScheduledInstance[]): SyntheticSeries[] {
  const from = START - 6 * 60 * MIN;
  const minutes = 6 * 60 + TICKS + 1;
  const out: SyntheticSeries[] = [];
  for (const rule of rules) {
    const service = rule.target;
    for (const [name, value] of [
      ['Requests', 120],
      ['Errors', 2],
      ['QueryLatency', 300],
      ['ActiveUsers', 50],
    ] as const) {
      const entry = Object.values(DOKKERR_CATALOG).find((e) => e.kind === 'metric' && e.metricName === name);
      if (entry?.kind !== 'metric') continue;
      out.push({
        namespace: entry.namespace,
        metricName: name,
        dimensions: { Service: service },
        points: Array.from({ length: minutes }, (_, m) => [from + m * MIN, value + (m % 7)] as const),
      });
    }
  }
  return out;
}

/** Runs the evaluator for 200 rules on {@link TICKS} consecutive minutes and reports the figures. */
export async function runEvaluatorBench(): Promise<Record<string, BenchFigure>> {
  const rules = instances();
  const cloudwatch = new SimulatedCloudWatch(series(rules));
  const base = devRuntimeConfig();
  const config = parseRuntimeConfig({
    ...base,
    alarms: Object.fromEntries(
      rules.map((r) => [
        r.alarmName,
        { ruleId: r.ruleId, labels: { service: r.target, team: 'bench' }, engine: 'scheduled' },
      ]),
    ),
    rules: {
      ...base.rules,
      ...Object.fromEntries(
        [0, 1, 2, 3, 4].map((k) => [`bench-${k}`, { severity: 'warning', summary: 'bench', labels: {} }]),
      ),
    },
    evaluator: { instances: rules, timeoutSeconds: 20 },
  });
  const states = new Map<string, EvalState>();
  let now = START;
  const deps: EvaluatorDeps = {
    config,
    store: new MemoryAlertStore(),
    publisher: { publish: () => Promise.resolve() },
    clock: () => now,
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    claimant: 'bench',
    metrics: new CloudWatchMetricData(cloudwatch, { sleep: () => Promise.resolve() }),
    evalStates: {
      get: (rule, target) => Promise.resolve(states.get(`${rule}#${target}`)),
      put: (state, expected) => {
        const stored = { ...state, version: (expected ?? 0) + 1 };
        states.set(`${state.ruleId}#${state.target}`, stored);
        return Promise.resolve(stored);
      },
    },
  };
  const calls: number[] = [];
  const queries: number[] = [];
  const wall: number[] = [];
  const failures: number[] = [];
  for (let t = 0; t < TICKS; t++) {
    now = START + t * MIN;
    const started = performance.now();
    const report = await runEvaluation(deps, rules);
    wall.push(performance.now() - started);
    calls.push(report.calls);
    queries.push(report.queries);
    failures.push(report.failures.length);
  }
  return {
    getMetricDataCallsPerEvaluation: figure(calls, 'calls'),
    queriesPerEvaluation: figure(queries, 'queries'),
    evaluatorWallTimePerTick: figure(wall, 'ms'),
    rulesNotEvaluatedPerTick: figure(failures, 'rules'),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { json: { type: 'boolean', default: false } } });
  const result = await runEvaluatorBench();
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  process.stdout.write(`scheduled rule evaluator, ${RULES} rule instances, ${TICKS} evaluations\n`);
  for (const [name, f] of Object.entries(result)) {
    process.stdout.write(
      `  ${name}: min ${f.min.toFixed(1)}, median ${f.median.toFixed(1)}, max ${f.max.toFixed(1)} ${f.unit}\n`,
    );
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
