import type { AlarmStateChange } from './alarm-event';
import type { AlertIdentity } from './alert-identity';
import type { AlertRecord } from './alert-record';
import { VigilError } from './errors';
import { OperatorError } from './operator';
import type { AlertStore, Clock } from './ports';
import { decideTransition } from './state-machine';

/** What an operator gives to resolve an alert by hand. */
export interface ManualResolveInput {
  readonly fingerprint: string;
  readonly by: string;
  /** Why; carried into the resolve notification's reason. @default none */
  readonly reason?: string;
}

/** The alarm state change a manual resolve stands for: an OK just after the alert's last change. */
export function manualResolveChange(
  current: AlertRecord,
  by: string,
  reason: string | undefined,
  now: number,
): AlarmStateChange {
  return {
    source: 'operator',
    alarmName: current.alarmName,
    alarmArn: current.alarmArn,
    region: current.region,
    kind: 'metric',
    state: 'OK',
    previousState: 'ALARM',
    previousTimestamp: current.startsAt,
    // Later than anything applied, so a CloudWatch OK that arrives afterwards is a no-op.
    timestamp: Math.max(now, current.lastChangeAt + 1),
    reason: `Resolved by hand by ${by}${reason ? `: ${reason}` : ''}`,
    value: current.value,
  };
}

/**
 * Resolves a firing alert by hand through the normal state machine: the alert becomes resolved
 * and its outbox holds a resolve for every channel that was told of the firing (or still had it
 * pending). The outbox is left unclaimed: the caller publishes it now, or the tick's outbox sweep
 * does. The alarm itself is untouched; its next ALARM transition fires the alert anew.
 */
export async function resolveAlertByHand(
  deps: { readonly store: AlertStore; readonly clock: Clock },
  input: ManualResolveInput,
): Promise<AlertRecord> {
  if (!input.by.trim())
    throw new VigilError('INVALID_RESOLVE', 'a manual resolve needs the name of who resolves');
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await deps.store.get(input.fingerprint);
    if (!current) throw new OperatorError('NOT_FOUND', `alert ${input.fingerprint} does not exist`);
    if (current.status !== 'firing') {
      throw new OperatorError('NOT_FIRING', `alert ${input.fingerprint} is ${current.status}, not firing`);
    }
    const change = manualResolveChange(current, input.by, input.reason, deps.clock());
    const identity: AlertIdentity = {
      ruleId: current.ruleId,
      matched: true,
      severity: current.severity,
      labels: current.labels,
      annotations: { ...current.annotations, reason: change.reason },
      threshold: current.threshold,
      comparison: current.comparison,
      unit: current.unit,
      insufficientData: 'keep',
    };
    const decision = decideTransition({
      current,
      change,
      identity,
      fingerprint: current.fingerprint,
      routeChannels: [],
      now: deps.clock(),
    });
    if (decision.kind !== 'write' || decision.effect !== 'resolved') {
      throw new OperatorError('NOT_FIRING', `alert ${input.fingerprint} cannot be resolved from its state`);
    }
    // CloudWatch still reports what it reported; only the alert's lifecycle ends here.
    const next: AlertRecord = { ...decision.next, alarmState: current.alarmState };
    const stored = await deps.store.put(next, current.version);
    if (stored) return stored;
  }
  throw new OperatorError('CONFLICT', `alert ${input.fingerprint} kept changing; try again`);
}
