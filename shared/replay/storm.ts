/**
 * Generated alarm storms for the replay: `simulate --storm <alarms>` builds one in memory instead of
 * reading a scenario file. Every alarm fires within the first minute and resolves twenty minutes
 * later; one in ten fires again two minutes after that and resolves three minutes later. Events come
 * in the three AWS shapes in turn, each delivered one to three times, up to ten seconds late, so
 * some resolves overtake their firing. One alarm in ten (optionally none) is a critical error-rate
 * alarm, the rest CPU and query-latency warnings, spread evenly over the services.
 */
import type { AlarmState } from '../domain/alert';
import type { RuntimeConfig } from '../domain/runtime-config';
import { parseRuntimeConfig } from '../domain/runtime-config';
import { EVENT_KINDS } from './scenario';
import type { Scenario } from './scenario';
import { seededRandom } from './scenario-events';

/** What storm to build. */
export interface StormSpec {
  readonly alarms: number;
  readonly services: number;
  /** Every n-th alarm is critical; 0 makes none critical. @default 10 */
  readonly criticalEvery?: number;
  /** Warning rules the other alarms take turns in (1: CPU only, 2: CPU and query latency). @default 2 */
  readonly warningKinds?: 1 | 2;
  /** Seed of the delivery order, duplicates and lateness. @default 42 */
  readonly seed?: number;
  /** Epoch ms of the first alarm. @default 2026-12-01T03:00:00Z */
  readonly start?: number;
}

/** One state change of an alarm as CloudWatch made it (before any delivery delay). */
export interface StormChange {
  readonly state: Extract<AlarmState, 'ALARM' | 'OK'>;
  /** Offset from the start, ms. */
  readonly at: number;
}

/** A built storm: the scenario, the config that labels its alarms, and what really happened. */
export interface Storm {
  readonly scenario: Scenario;
  readonly config: RuntimeConfig;
  /** Each alarm's real state changes, in time order. */
  readonly truth: ReadonlyMap<string, readonly StormChange[]>;
  readonly description: string;
}

const MINUTE = 60_000;
const KINDS = ['cpu', 'latency'] as const;

function serviceName(i: number, count: number): string {
  return `svc${String(i).padStart(String(count - 1).length, '0')}`;
}

/** The alarm names of a storm, in the order they fire. */
export function stormAlarmNames(spec: StormSpec): string[] {
  const every = spec.criticalEvery ?? 10;
  return Array.from({ length: spec.alarms }, (_, i) => {
    const svc = serviceName(i % spec.services, spec.services);
    const kinds = KINDS.slice(0, spec.warningKinds ?? 2);
    const kind =
      every > 0 && i % every === 0 ? 'errors' : kinds[Math.floor(i / spec.services) % kinds.length];
    return `storm-${svc}-${kind}-${i}`;
  });
}

/**
 * The config of a storm run: the base config's routes, receivers, timers and budgets, with every
 * storm alarm mapped to its service and rule. Inhibition rules are left out: a critical on a
 * service would mute its warnings, and the storm's point is that every alarm is told.
 */
export function stormConfig(base: RuntimeConfig, services: number): RuntimeConfig {
  const mappings = Array.from({ length: services }, (_, i) => serviceName(i, services)).flatMap((svc) => [
    { pattern: `storm-${svc}-errors-.*`, ruleId: 'high-error-rate', labels: { service: svc, team: 'ops' } },
    { pattern: `storm-${svc}-cpu-.*`, ruleId: 'high-cpu', labels: { service: svc, team: 'ops' } },
    { pattern: `storm-${svc}-latency-.*`, ruleId: 'slow-queries', labels: { service: svc, team: 'ops' } },
  ]);
  return parseRuntimeConfig({ ...base, inhibitRules: [], external: { ...base.external, mappings } });
}

/** Builds the storm's scenario, config and ground truth. */
export function buildStorm(spec: StormSpec, base: RuntimeConfig): Storm {
  if (!Number.isInteger(spec.alarms) || spec.alarms < 1)
    throw new RangeError('storm: alarms must be a positive integer');
  if (!Number.isInteger(spec.services) || spec.services < 1 || spec.services > spec.alarms) {
    throw new RangeError('storm: services must be an integer from 1 to the number of alarms');
  }
  const rnd = seededRandom(spec.seed ?? 42);
  const names = stormAlarmNames(spec);
  const truth = new Map<string, StormChange[]>();
  const events: Scenario['events'][number][] = [];
  let k = 0;
  const deliver = (name: string, state: StormChange['state'], at: number, previous: StormChange): void => {
    const late = Math.floor(rnd() * 10_000);
    events.push({
      at: at + late,
      kind: EVENT_KINDS[k++ % EVENT_KINDS.length] ?? 'alarm-action',
      alarm: {
        name,
        state,
        changedAt: at,
        previous: { state: previous.state, changedAt: previous.at },
        value: state === 'ALARM' ? 97 : 12,
      },
      times: 1 + Math.floor(rnd() * 3),
      every: 1_000 + Math.floor(rnd() * 4_000),
    });
  };
  let last = 0;
  names.forEach((name, i) => {
    const firedAt = Math.floor((i / names.length) * MINUTE);
    const resolvedAt = firedAt + 20 * MINUTE + Math.floor(rnd() * 30_000);
    const changes: StormChange[] = [
      { state: 'ALARM', at: firedAt },
      { state: 'OK', at: resolvedAt },
    ];
    if (i % 10 === 3) {
      changes.push(
        { state: 'ALARM', at: resolvedAt + 2 * MINUTE },
        { state: 'OK', at: resolvedAt + 5 * MINUTE },
      );
    }
    let previous: StormChange = { state: 'OK', at: 0 };
    for (const change of changes) {
      deliver(name, change.state, change.at, previous);
      previous = change;
      last = Math.max(last, change.at);
    }
    truth.set(name, changes);
  });
  const start = spec.start ?? Date.UTC(2026, 11, 1, 3, 0, 0);
  const duration = Math.ceil((last + 40 * MINUTE) / MINUTE) * MINUTE;
  return {
    scenario: {
      description: `storm of ${spec.alarms} alarms across ${spec.services} services`,
      start,
      duration,
      order: 'as-written',
      seed: spec.seed ?? 42,
      events,
      actions: [],
      metrics: [],
      logs: [],
      traces: [],
    },
    config: stormConfig(base, spec.services),
    truth,
    description: `storm of ${spec.alarms} alarms across ${spec.services} services`,
  };
}
