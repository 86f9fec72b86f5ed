import type { ActionSource } from './actions/actor';
import type { AuditLog } from './actions/audit';
import type { AlarmStateChange } from './alarm-event';
import type { Channel } from './alert';
import type { AlertIdentity } from './alert-identity';
import type { AlertRecord } from './alert-record';
import { finishPendingOutbox } from './alert-service';
import { describeError, VigilError } from './errors';
import type { IncidentHooks } from './incidents';
import type { PublishNow } from './operator';
import { OperatorError } from './operator';
import type { AlertStore, Clock, Log } from './ports';
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

/** Ports of {@link resolveAlertFor}; all but the store and the clock are optional. */
export interface ResolveDeps {
  readonly store: AlertStore;
  readonly clock: Clock;
  /** Incident steps: the alert's incident resolves when this was its last firing alert. @default none */
  readonly incidents?: Pick<IncidentHooks, 'resolved'>;
  /** The resolve is audited here. @default not audited */
  readonly audit?: AuditLog;
  /** Publishes the resolve at once. @default left to the tick's outbox sweep */
  readonly publish?: PublishNow;
  /** Where a failure after the resolve (publish, incident, audit) is reported. @default silent */
  readonly log?: Log;
}

/** What a hand resolve did. */
export interface ResolveOutcome {
  /** The alert as stored after the resolve (and its publish). */
  readonly alert: AlertRecord;
  /** Channels the resolve was published to now. */
  readonly published: readonly Channel[];
  /** Channels whose resolve waits in the outbox for the tick's sweep (within a minute). */
  readonly queued: readonly Channel[];
  /** Why publishing now failed (the outbox keeps it for the sweep). */
  readonly publishFailure?: string;
}

/**
 * Resolves a firing alert by hand ({@link resolveAlertByHand}), then publishes the resolve to the
 * channels told of the firing (at once when the caller reaches them all, else through the tick's
 * outbox sweep), resolves the alert's incident when it was its last firing alert, and audits it.
 */
export async function resolveAlertFor(
  deps: ResolveDeps,
  input: ManualResolveInput & { readonly via?: ActionSource },
): Promise<ResolveOutcome> {
  const resolved = await resolveAlertByHand(deps, input);
  const failed = (what: string) => (error: unknown) =>
    deps.log?.error(`hand resolve: ${what} failed`, {
      fingerprint: input.fingerprint,
      error: describeError(error),
    });
  // The incident first, so its timeline names who resolved (the publish would name the pipeline).
  if (deps.incidents) await deps.incidents.resolved(resolved, input.by).catch(failed('incident'));
  const channels = resolved.outbox?.channels ?? [];
  let published: Channel[] = [];
  let publishFailure: string | undefined;
  const publish = deps.publish;
  if (publish && channels.length > 0 && channels.every(publish.canPublish)) {
    try {
      const result = await finishPendingOutbox(publish.service, resolved);
      if (result !== 'conflict') published = result;
    } catch (error) {
      // The outbox keeps what failed; the tick's sweep retries it.
      publishFailure = describeError(error).message;
    }
  }
  if (deps.audit) {
    await deps.audit
      .record({
        at: deps.clock(),
        action: 'resolve',
        fingerprint: resolved.fingerprint,
        alarmName: resolved.alarmName,
        by: input.by,
        via: input.via ?? 'cli',
        outcome: input.reason ? `resolved: ${input.reason}` : 'resolved',
      })
      .catch(failed('audit'));
  }
  return {
    alert: (await deps.store.get(resolved.fingerprint)) ?? resolved,
    published,
    queued: channels.filter((c) => !published.includes(c)),
    ...(publishFailure === undefined ? {} : { publishFailure }),
  };
}
