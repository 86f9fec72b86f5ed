import type { TickDeps, TickReport } from '../../shared/domain/tick/run-tick';
import { runTick } from '../../shared/domain/tick/run-tick';
import type { InvocationContext } from '../alarm-handler/create-handler';

/** The tick's own metrics: namespace, names and the dimension set its alarms read. */
export const TICK_METRICS = {
  namespace: 'Vigil/Tick',
  service: 'tick',
  /** 1 when the run left work for the next one (more changes, groups or outboxes than one run takes). */
  backlog: 'TickBacklog',
  changes: 'ChangesFolded',
  groups: 'GroupsPlanned',
  failed: 'TickFailures',
  stormRoutes: 'StormRoutes',
  durationMs: 'TickDurationMs',
} as const;

/** Where the tick's counts go (Powertools Metrics in Lambda, a recorder in tests). */
export interface TickMetricsSink {
  count(name: string, value: number): void;
  milliseconds(name: string, value: number): void;
}

/** Builds the tick handler (EventBridge schedule, every minute) around injected ports. */
export function createTickHandler(
  deps: Omit<TickDeps, 'claimant'> & { readonly sink?: TickMetricsSink },
): (event: unknown, context: InvocationContext) => Promise<TickReport> {
  return async (_event, context) => {
    const report = await runTick({ ...deps, claimant: context.awsRequestId });
    if (deps.sink && !report.skipped) {
      deps.sink.count(TICK_METRICS.backlog, report.backlog ? 1 : 0);
      deps.sink.count(TICK_METRICS.changes, report.changes);
      deps.sink.count(TICK_METRICS.groups, report.groups);
      deps.sink.count(TICK_METRICS.failed, report.failed);
      deps.sink.count(TICK_METRICS.stormRoutes, report.stormRoutes.length);
      deps.sink.milliseconds(TICK_METRICS.durationMs, report.elapsedMs);
    }
    return report;
  };
}
