import type { AlarmState } from './alert';
import type { AlarmStateChange } from './alarm-event';
import type { AlertServiceDeps } from './alert-service';
import { handleAlarmChange } from './alert-service';
import { describeError } from './errors';
import type { AlertRecord } from './alert-record';

/** The current state of an alarm as CloudWatch reports it; null when the alarm no longer exists. */
export type CurrentAlarmState = { readonly state: AlarmState; readonly updatedAt: number } | null;

/** Reads alarms' current states (CloudWatch DescribeAlarms), at most 100 names per call. */
export interface AlarmStateReader {
  read(alarmNames: readonly string[]): Promise<ReadonlyMap<string, CurrentAlarmState>>;
}

/**
 * Ends stale alerts: a firing alert whose alarm was deleted, or whose alarm left ALARM without
 * the transition ever reaching us, is moved on through the normal transition path (so grouping,
 * resolves and channels apply unchanged). Reads only the alerts whose check is due (firing and
 * unchanged for `staleAfterSeconds`); one still in ALARM is checked again a stale period later.
 * Returns how many alerts changed.
 */
export async function reconcileStaleAlerts(
  deps: AlertServiceDeps & { readonly alarmStates: AlarmStateReader },
  now: number,
  limit = 100,
): Promise<number> {
  const stale = new Map<string, AlertRecord>();
  for await (const page of deps.store.dueForCheck(now)) {
    for (const alert of page) {
      if (alert.status === 'firing' && stale.size < limit) stale.set(alert.alarmName, alert);
    }
    if (stale.size >= limit) break;
  }
  if (stale.size === 0) return 0;
  const states = await deps.alarmStates.read([...stale.keys()]);
  const staleMs = deps.config.reconcile.staleAfterSeconds * 1000;
  let changed = 0;
  for (const [alarmName, alert] of stale) {
    const current = states.get(alarmName);
    const unchanged =
      current === undefined ||
      (current !== null && current.state === 'ALARM') ||
      (current !== null && current.updatedAt <= alert.lastChangeAt);
    if (unchanged) {
      // Still firing as far as CloudWatch says (or unknown): look again a stale period from now.
      await deps.store.markFolded(alert, now + staleMs);
      continue;
    }
    const change: AlarmStateChange = {
      source: 'reconcile',
      alarmName,
      alarmArn: alert.alarmArn,
      region: alert.region,
      kind: 'metric',
      state: current === null ? 'OK' : current.state,
      previousState: 'ALARM',
      previousTimestamp: alert.lastChangeAt,
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
