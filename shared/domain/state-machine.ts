import type { AlarmState, Channel } from './alert';
import type { AlarmStateChange } from './alarm-event';
import type { AlertIdentity } from './alert-identity';
import type { AlertRecord, Outbox } from './alert-record';

/** Why a transition changed nothing. */
export type IgnoreReason = 'duplicate' | 'out-of-order';

/** Outcome of applying a transition to the stored alert. */
export type TransitionDecision =
  | { readonly kind: 'ignore'; readonly reason: IgnoreReason }
  | { readonly kind: 'write'; readonly next: AlertRecord; readonly effect: TransitionEffect };

/** What the transition means for people. */
export type TransitionEffect =
  'fired' | 'resolved' | 'resolved-unseen' | 'still-firing' | 'severity-changed' | 'recorded';

/** Inputs of {@link decideTransition}. */
export interface TransitionInput {
  readonly current: AlertRecord | undefined;
  readonly change: AlarmStateChange;
  readonly identity: AlertIdentity;
  readonly fingerprint: string;
  /** Channels the routing tree picked for this alert. */
  readonly routeChannels: readonly Channel[];
  /**
   * The alert's route is in a storm: a resolve goes at once only to PagerDuty (to close the page's
   * incident); the other channels hear it in the storm digest. @default false
   */
  readonly storming?: boolean;
  readonly now: number;
}

function effectiveState(change: AlarmStateChange, identity: AlertIdentity): AlarmState | 'keep' {
  if (change.state !== 'INSUFFICIENT_DATA') return change.state;
  if (identity.insufficientData === 'alarm') return 'ALARM';
  if (identity.insufficientData === 'resolve') return 'OK';
  return 'keep';
}

function union<T extends string>(a: readonly T[], b: readonly T[]): T[] {
  return [...new Set([...a, ...b])];
}

/**
 * Pure state machine of one alert. Transitions are ordered by their CloudWatch timestamp:
 * an equal timestamp is a duplicate and an older one is out of order; both change nothing.
 */
export function decideTransition(input: TransitionInput): TransitionDecision {
  const { current, change, identity, fingerprint, routeChannels, now } = input;
  if (current && change.timestamp === current.lastChangeAt) return { kind: 'ignore', reason: 'duplicate' };
  if (current && change.timestamp < current.lastChangeAt) return { kind: 'ignore', reason: 'out-of-order' };

  const base: AlertRecord = {
    fingerprint,
    alarmName: change.alarmName,
    ruleId: identity.ruleId,
    status: current?.status ?? 'inactive',
    severity: identity.severity,
    labels: identity.labels,
    annotations: identity.annotations,
    alarmState: change.state,
    lastChangeAt: change.timestamp,
    startsAt: current?.startsAt,
    endsAt: current?.endsAt,
    value: change.value ?? current?.value,
    threshold: identity.threshold,
    comparison: identity.comparison,
    unit: identity.unit,
    region: change.region,
    alarmArn: change.alarmArn,
    notified: current?.notified ?? [],
    outbox: current?.outbox,
    ack: current?.ack,
    episodeSeverities: current?.episodeSeverities,
    resolveHeld: current?.resolveHeld,
    dirtyAt: now,
    version: current?.version ?? 0,
  };
  const outbox = (status: Outbox['status'], channels: readonly Channel[]): Outbox | undefined =>
    channels.length === 0
      ? undefined
      : { id: `${fingerprint}:${status}:${change.timestamp}`, status, channels, createdAt: now, attempts: 0 };

  const state = effectiveState(change, identity);
  if (state === 'keep') return { kind: 'write', next: base, effect: 'recorded' };

  if (state === 'ALARM') {
    if (current?.status === 'firing' && current.severity !== identity.severity) {
      // Same alert, new severity: the new route's immediate channels not yet told hear it now; the
      // tick moves the alert between groups.
      const pending = current.outbox?.status === 'firing' ? current.outbox.channels : [];
      const fresh = union(
        pending,
        routeChannels.filter((c) => !current.notified.includes(c)),
      );
      return {
        kind: 'write',
        effect: 'severity-changed',
        next: {
          ...base,
          episodeSeverities: union(current.episodeSeverities ?? [current.severity], [identity.severity]),
          outbox: fresh.length > 0 ? outbox('firing', fresh) : current.outbox,
        },
      };
    }
    if (current?.status === 'firing') return { kind: 'write', next: base, effect: 'still-firing' };
    return {
      kind: 'write',
      effect: 'fired',
      next: {
        ...base,
        status: 'firing',
        startsAt: change.timestamp,
        endsAt: undefined,
        notified: [],
        ack: undefined,
        episodeSeverities: [identity.severity],
        resolveHeld: undefined,
        outbox: outbox('firing', routeChannels),
      },
    };
  }

  // state === 'OK'
  if (current?.status === 'firing') {
    const pendingFiring = current.outbox?.status === 'firing' ? current.outbox.channels : [];
    const told = union(current.notified, pendingFiring);
    const toldNow = input.storming === true ? told.filter((c) => c === 'pagerduty') : told;
    return {
      kind: 'write',
      effect: 'resolved',
      next: {
        ...base,
        status: 'resolved',
        endsAt: change.timestamp,
        ack: undefined,
        resolveHeld: toldNow.length < told.length ? true : undefined,
        outbox: outbox('resolved', toldNow),
      },
    };
  }
  // An OK whose previous state was ALARM, for a firing this store never saw (it may still be on
  // its way, out of order): tell people it fired and resolved rather than lose it.
  const missedFiring =
    change.previousState === 'ALARM' &&
    (current === undefined ||
      (change.previousTimestamp !== undefined && current.lastChangeAt < change.previousTimestamp));
  if (missedFiring) {
    return {
      kind: 'write',
      effect: 'resolved-unseen',
      next: {
        ...base,
        status: 'resolved',
        startsAt: change.previousTimestamp ?? change.timestamp,
        endsAt: change.timestamp,
        notified: [],
        resolveHeld: undefined,
        outbox: outbox('resolved', input.storming === true ? [] : routeChannels),
      },
    };
  }
  return { kind: 'write', next: base, effect: 'recorded' };
}

/** Takes the outbox for one invocation: stamps the claim. */
export function claimOutbox(
  record: AlertRecord,
  claimant: string,
  now: number,
  claimMs: number,
): AlertRecord {
  if (!record.outbox) return record;
  return {
    ...record,
    outbox: { ...record.outbox, claimedBy: claimant, claimUntil: now + claimMs },
  };
}

/**
 * Records what one publish round achieved. Delivered channels leave the outbox (and, for a firing,
 * join `notified`); the others stay, unclaimed, for the retry. A newer outbox is left alone.
 */
export function applyDeliveryResult(
  current: AlertRecord,
  outboxId: string,
  delivered: readonly Channel[],
  now: number,
): AlertRecord {
  const sameOutbox = current.outbox?.id === outboxId;
  const status = outboxId.split(':')[1];
  const sameEpisode = current.startsAt !== undefined && outboxId.endsWith(`:${current.startsAt}`);
  // A delivered resolve counts too: a "fired and resolved" episode has no firing, and the tick must
  // still see that its channels were told, or it sends the resolve a second time.
  const notified =
    (status === 'firing' && (sameOutbox || sameEpisode)) || (status === 'resolved' && sameOutbox)
      ? union(current.notified, delivered)
      : current.notified;
  let outbox = current.outbox;
  if (sameOutbox && current.outbox) {
    const remaining = current.outbox.channels.filter((c) => !delivered.includes(c));
    outbox =
      remaining.length === 0
        ? undefined
        : {
            id: current.outbox.id,
            status: current.outbox.status,
            channels: remaining,
            createdAt: current.outbox.createdAt,
            attempts: current.outbox.attempts + 1,
          };
  } else if (current.outbox?.status === 'resolved' && status === 'firing') {
    // A resolve replaced our firing while we published: it must also reach what we just delivered.
    outbox = { ...current.outbox, channels: union(current.outbox.channels, delivered) };
  }
  // Acknowledged while PagerDuty's page was still pending: now that it is paged, acknowledge it there too.
  if (
    outbox === undefined &&
    status === 'firing' &&
    sameOutbox &&
    delivered.includes('pagerduty') &&
    current.status === 'firing' &&
    current.ack !== undefined
  ) {
    return { ...current, notified, outbox: pagerDutyAckOutbox(current, now), dirtyAt: now };
  }
  return { ...current, notified, outbox, dirtyAt: now };
}

/** The outbox that tells PagerDuty an alert it was paged for under its fingerprint is acknowledged. */
export function pagerDutyAckOutbox(record: AlertRecord, now: number): Outbox {
  return {
    id: `${record.fingerprint}:acknowledged:${record.ack?.at ?? now}`,
    status: 'acknowledged',
    channels: ['pagerduty'],
    createdAt: now,
    attempts: 0,
  };
}

/** Options of {@link acknowledge}. */
export interface AcknowledgeOptions {
  /**
   * Tell PagerDuty when it was paged for this alert (an `acknowledge` event for the same dedup key).
   * False when the acknowledgement came from PagerDuty itself. @default true
   */
  readonly tellPagerDuty?: boolean;
}

/**
 * Acknowledges the alert's firing episode; a resolved or inactive alert cannot be acknowledged.
 * When PagerDuty was paged for the alert, the outbox then holds its `acknowledge` (unless another
 * notification is still pending: that one goes first, see {@link applyDeliveryResult}).
 */
export function acknowledge(
  current: AlertRecord,
  by: string,
  now: number,
  options: AcknowledgeOptions = {},
): AlertRecord | undefined {
  if (current.status !== 'firing') return undefined;
  const acked: AlertRecord = { ...current, ack: { by, at: now }, dirtyAt: now };
  const tell = (options.tellPagerDuty ?? true) && current.notified.includes('pagerduty') && !current.outbox;
  return tell ? { ...acked, outbox: pagerDutyAckOutbox(acked, now) } : acked;
}
