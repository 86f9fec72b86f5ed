import type { AlarmState } from './alert';
import type { AlarmStateChange } from './alarm-event';
import type { AlertServiceDeps } from './alert-service';
import { handleAlarmChange } from './alert-service';
import { describeError } from './errors';
import type { GroupRecord } from './group';

/** The current state of an alarm as CloudWatch reports it; null when the alarm no longer exists. */
export type CurrentAlarmState = { readonly state: AlarmState; readonly updatedAt: number } | null;

/** Reads alarms' current states (CloudWatch DescribeAlarms), at most 100 names per call. */
export interface AlarmStateReader {
  read(alarmNames: readonly string[]): Promise<ReadonlyMap<string, CurrentAlarmState>>;
}

/**
 * Ends stale alerts: a firing alert whose alarm was deleted, or whose alarm left ALARM without
 * the transition ever reaching us, is moved on through the normal transition path (so grouping,
 * resolves and channels apply unchanged). Returns how many alerts changed.
 */
export async function reconcileStaleAlerts(
  deps: AlertServiceDeps & { readonly alarmStates: AlarmStateReader },
  groups: readonly GroupRecord[],
  now: number,
  limit = 100,
): Promise<number> {
  const staleBefore = now - deps.config.reconcile.staleAfterSeconds * 1000;
  const stale = new Map<string, { changedAt: number; region?: string; alarmArn?: string }>();
  for (const g of groups) {
    for (const m of Object.values(g.members)) {
      // Scheduled rules have no CloudWatch alarm to ask: the evaluator itself ends them.
      const scheduled = deps.config.alarms[m.alert.alarmName]?.engine === 'scheduled';
      if (m.alert.status === 'firing' && !scheduled && m.changedAt < staleBefore && stale.size < limit) {
        stale.set(m.alert.alarmName, {
          changedAt: m.changedAt,
          region: m.alert.region,
          alarmArn: m.alert.alarmArn,
        });
      }
    }
  }
  if (stale.size === 0) return 0;
  const states = await deps.alarmStates.read([...stale.keys()]);
  let changed = 0;
  for (const [alarmName, alert] of stale) {
    const current = states.get(alarmName);
    if (current === undefined || (current !== null && current.state === 'ALARM')) continue;
    if (current !== null && current.updatedAt <= alert.changedAt) continue;
    const change: AlarmStateChange = {
      source: 'reconcile',
      alarmName,
      alarmArn: alert.alarmArn,
      region: alert.region,
      kind: 'metric',
      state: current === null ? 'OK' : current.state,
      previousState: 'ALARM',
      previousTimestamp: alert.changedAt,
      timestamp: current === null ? now : current.updatedAt,
      reason:
        current === null
          ? 'The alarm no longer exists; the alert was ended by reconciliation.'
          : `CloudWatch reports ${current.state}; the state-change event never arrived.`,
    };
    try {
      const outcome = await handleAlarmChange(deps, change);
      if (outcome.result !== 'duplicate' && outcome.result !== 'out-of-order') changed++;
      deps.log.warn('stale alert reconciled with CloudWatch', { alarmName, state: change.state });
    } catch (error) {
      deps.log.error('could not reconcile a stale alert; the next pass retries', {
        alarmName,
        error: describeError(error),
      });
    }
  }
  return changed;
}
