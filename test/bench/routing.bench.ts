// Routing and grouping engine throughput on a 50-route tree: pure, in process.
import type { Labels } from '../../shared/domain/alert';
import { parseMatcher } from '../../shared/domain/matchers';
import type { Receiver, RouteNode } from '../../shared/domain/routing';
import { groupKeyOf, routeAlert } from '../../shared/domain/routing';
import type { Figures } from './figures';
import { figureOf } from './figures';

/** Options of {@link runRoutingBench}. */
export interface RoutingBenchOptions {
  readonly runs: number;
  /** Alerts routed per run. */
  readonly alerts: number;
}

const TEAMS = ['payments', 'search', 'identity', 'platform', 'data', 'mobile', 'web', 'ops', 'ml', 'edge'];

const node = (matchers: string[], receiver: string | undefined, routes: RouteNode[] = []): RouteNode => ({
  matchers: matchers.map((m) => parseMatcher(m)),
  receiver,
  continue: false,
  routes,
});

/**
 * 50 routes: per team (10) a team route with 4 children (critical page, regex service match,
 * negative matcher, catch-all with `continue` semantics off), mixing every matcher operator.
 */
export function fiftyRouteTree(): { root: RouteNode; receivers: Record<string, Receiver>; routes: number } {
  const teams = TEAMS.map((team) =>
    node([`team="${team}"`], `${team}-slack`, [
      node(['severity="critical"'], 'on-call'),
      node([`service=~"${team}-(api|web)-.*"`, 'severity!="info"'], `${team}-slack`),
      node(['env!~"test|staging"', 'severity="warning"'], `${team}-email`),
      node(['alertname=~".*latency.*"'], `${team}-slack`),
    ]),
  );
  const receivers: Record<string, Receiver> = { 'on-call': { channels: ['slack', 'email', 'sms'] } };
  for (const team of TEAMS) {
    receivers[`${team}-slack`] = { channels: ['slack'] };
    receivers[`${team}-email`] = { channels: ['email'] };
  }
  const root: RouteNode = {
    ...node([], 'default', teams),
    groupBy: ['alertname', 'service'],
  };
  receivers['default'] = { channels: ['slack'] };
  return { root, receivers, routes: teams.length * 5 };
}

/** A repeatable mix of label sets that reach every branch of the tree. */
export function routingLabels(count: number): Labels[] {
  const severities = ['critical', 'warning', 'info'];
  const kinds = ['api', 'web', 'worker', 'db'];
  const names = ['high-cpu', 'high-error-rate', 'slow-queries', 'p99-latency', 'disk-full'];
  return Array.from({ length: count }, (_, i) => ({
    alertname: names[i % names.length] ?? 'x',
    team: TEAMS[(i * 7) % TEAMS.length] ?? 'ops',
    service: `${TEAMS[(i * 3) % TEAMS.length] ?? 'ops'}-${kinds[i % kinds.length] ?? 'api'}-${i % 13}`,
    severity: severities[i % severities.length] ?? 'warning',
    env: i % 5 === 0 ? 'staging' : 'prod',
    instance: `i-${(i * 2654435761) % 4294967296}`,
  }));
}

/** Routes `alerts` alerts (route + group key of every matched route) per run. */
export function runRoutingBench(options: RoutingBenchOptions): Promise<Figures> {
  const { root, receivers, routes } = fiftyRouteTree();
  if (routes !== 50) throw new Error(`the tree has ${routes} routes, not 50`);
  const labels = routingLabels(1_000);
  const rates: number[] = [];
  let keys = 0;
  // One untimed warm-up run so the JIT has compiled the hot path.
  for (let run = -1; run < options.runs; run++) {
    const started = performance.now();
    for (let i = 0; i < options.alerts; i++) {
      const alert = labels[i % labels.length] ?? {};
      for (const route of routeAlert(root, receivers, alert).routes) keys += groupKeyOf(route, alert).length;
    }
    const ms = performance.now() - started;
    if (run >= 0) rates.push((options.alerts / ms) * 1000);
  }
  // The key lengths are used so the work cannot be optimised away.
  if (keys === 0) throw new Error('no group keys were produced');
  return Promise.resolve({
    'routing engine, 50-route tree': figureOf(rates, 'alerts/s', { op: '>=', value: 100_000 }),
  });
}
