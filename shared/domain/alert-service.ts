import type { Channel, Labels } from './alert';
import type { AlarmStateChange } from './alarm-event';
import { pickAlarmSeverity, withSeverity } from './alarm-severity';
import { resolveAlertIdentity } from './alert-identity';
import type { AlertRecord } from './alert-record';
import type { Outbox } from './alert-record';
import { isOutboxClaimable } from './alert-record';
import { buildAlertNotification } from './build-notification';
import { ConcurrencyError, DeliveryError, describeError } from './errors';
import { fingerprintOf } from './fingerprint';
import type { MetricDataReader } from './evaluation/evaluator';
import type { IncidentSignalSink, SignalBacklog } from './incident-signal';
import { mayBeInIncident, sendDurably, signalsFor, tellsIncidents } from './incident-signal';
import type { Notification } from './notification';
import type { AlertStore, Clock, Log, Publisher } from './ports';
import { routeAlert, stormScopeOf } from './routing';
import type { RuntimeConfig } from './runtime-config';
import type { IgnoreReason, TransitionEffect } from './state-machine';
import { applyDeliveryResult, claimOutbox, decideTransition } from './state-machine';
import { redirectPausedSms } from './sms-budget';

/** Everything the alert service needs, injected. */
export interface AlertServiceDeps {
  readonly config: RuntimeConfig;
  readonly store: AlertStore;
  readonly publisher: Publisher;
  readonly clock: Clock;
  readonly log: Log;
  /** Identifies this invocation in outbox claims. */
  readonly claimant: string;
  /** X-Ray trace id of the current invocation, carried into the alert's annotations. @default none */
  readonly traceId?: () => string | undefined;
  /** True while SMS is paused for the month (its messages then go to email). @default never */
  readonly isSmsPaused?: () => Promise<boolean>;
  /** True when an active silence mutes these labels (immediate routes then stay quiet). @default none */
  readonly isSilenced?: (labels: Labels) => Promise<boolean>;
  /**
   * Where pages of alerts that may belong to an incident are signalled, after the page, for the
   * incident responder. @default none: no incident work follows the pages
   */
  readonly signals?: IncidentSignalSink;
  /** Keeps signals the responder's queue did not take, for the tick to send again. @default none */
  readonly signalBacklog?: SignalBacklog;
  /** Routes the tick has in storm mode (cached by the caller). @default none: only the change rate counts */
  readonly stormingRoutes?: () => Promise<ReadonlySet<string>>;
  /**
   * False when this container last saw no route storming (or has not looked yet): the change count
   * is then read beside the tick's state instead of after it, one round trip less before a quiet
   * page. True in a storm, where the tick's state alone decides and the count is not read at all.
   * @default none: the count is read after the tick's state
   */
  readonly stormLikely?: () => boolean;
  /**
   * Reads the metrics of an alarm's severity ladder (GetMetricData). @default none: a ladder cannot
   * be read, and the rule's own severity stands
   */
  readonly severityMetrics?: MetricDataReader;
}

/** What handling one transition did. */
export interface TransitionOutcome {
  readonly fingerprint: string;
  readonly result: TransitionEffect | IgnoreReason;
  /** Channels published in this call. */
  readonly published: readonly Channel[];
}

const MAX_ATTEMPTS = 8;

/**
 * Applies one alarm state change: conditional write of the alert, then publish of its outbox.
 * Duplicates and late events write nothing; a pending outbox left by a failed call is finished.
 * Throws DeliveryError when a channel failed, so the invocation is retried.
 */
export async function handleAlarmChange(
  deps: AlertServiceDeps,
  change: AlarmStateChange,
): Promise<TransitionOutcome> {
  const resolved = resolveAlertIdentity(deps.config, change);
  const traceId = deps.traceId?.();
  const traced = traceId ? { ...resolved, annotations: { ...resolved.annotations, traceId } } : resolved;
  if (!traced.matched) {
    deps.log.warn('alarm matched no rule; alerting on the default route', {
      alarmName: change.alarmName,
      state: change.state,
    });
  }
  // The fingerprint leaves severity out, so it is known before the severity is.
  const fingerprint = fingerprintOf(traced.labels);
  const ladder = deps.config.alarms[change.alarmName]?.severityLadder;
  // The alert's read starts now and runs beside the checks below: none depends on another, and
  // each is a round trip before the page. (A rejection is taken where the read is awaited.)
  const readAhead = deps.store.get(fingerprint);
  readAhead.catch(() => undefined);
  // An alarm with a severity ladder waits for that read first: a duplicate reads no metrics, and
  // a resolve keeps the severity it fired with.
  const ladderRecord = ladder !== undefined && change.severity === undefined ? await readAhead : undefined;
  const startedAt = deps.clock();
  const pick = await pickAlarmSeverity(
    { metrics: deps.severityMetrics, budgetMs: deps.config.severityBudgetMs },
    ladder,
    change,
    traced,
    ladderRecord,
  );
  if (pick !== undefined && change.state === 'ALARM') {
    deps.log.info('severity from related metrics', {
      alarmName: change.alarmName,
      severity: pick.severity,
      reason: pick.reason,
      tookMs: deps.clock() - startedAt,
    });
  }
  const identity = withSeverity(traced, pick);
  const route = routeAlert(deps.config.route, deps.config.receivers, identity.labels);
  // Routes with group_wait 0 are sent from here; the others wait for the tick's grouping.
  const immediateRoutes = route.routes.filter((r) => r.groupWaitSeconds === 0);
  // Silences first (cached per container, beside the alert's read): a silenced alert pages nobody,
  // so it reads no storm state, which in a silenced storm would be reads for every event.
  const silenced = deps.isSilenced ? await deps.isSilenced(identity.labels) : false;
  const routeChannels = silenced ? [] : [...new Set(immediateRoutes.flatMap((r) => r.channels))];
  // The SMS pause and storm mode are read together. In a storm even criticals fold into the tick's
  // digest instead of paging one by one, and their resolves follow them there.
  const [smsPaused, stormingRoute] = await Promise.all([
    routeChannels.includes('sms') && deps.isSmsPaused ? deps.isSmsPaused() : false,
    routeChannels.length > 0
      ? isStorming(
          deps,
          immediateRoutes.map((r) => r.routeId),
        )
      : false,
  ]);
  let immediateChannels = smsPaused ? redirectPausedSms(routeChannels, true) : routeChannels;
  const storming = immediateChannels.length > 0 && stormingRoute;
  if (storming && change.state === 'ALARM') {
    deps.log.warn('alert storm: leaving this alert to the digest', { alarmName: change.alarmName });
    immediateChannels = [];
  }
  const claimMs = deps.config.claimSeconds * 1000;

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = attempt === 0 ? await readAhead : await deps.store.get(fingerprint);
    const now = deps.clock();
    const decision = decideTransition({
      current,
      change,
      identity,
      fingerprint,
      routeChannels: immediateChannels,
      storming,
      now,
    });
    if (decision.kind === 'ignore') {
      deps.log.info('transition ignored', {
        fingerprint,
        reason: decision.reason,
        alarmName: change.alarmName,
      });
      const published = current ? await finishPendingOutbox(deps, current) : [];
      if (published === 'conflict') continue;
      return { fingerprint, result: decision.reason, published };
    }
    const next = withSignalOutbox(deps, decision.next, decision.effect, now);
    const stored = await deps.store.put(claimOutbox(next, deps.claimant, now, claimMs), current?.version);
    if (!stored) continue;
    deps.log.info('transition applied', {
      fingerprint,
      effect: decision.effect,
      alarmName: change.alarmName,
      status: stored.status,
      severity: stored.severity,
      ...(pick !== undefined && change.state === 'ALARM' ? { severityReason: pick.reason } : {}),
      channels: stored.outbox?.channels ?? [],
    });
    const published = next.outbox ? await deliverOutbox(deps, stored) : [];
    return { fingerprint, result: decision.effect, published };
  }
  throw new ConcurrencyError(`alert ${fingerprint}: too many concurrent updates`);
}

/** True when transitions of this alert are signalled to the incident responder. */
function signalsIncidents(deps: AlertServiceDeps, record: AlertRecord): boolean {
  const settings = deps.config.incidents;
  return deps.signals !== undefined && settings !== undefined && mayBeInIncident(settings, record);
}

/**
 * A firing or resolve that tells nobody (silenced, held back by a storm, or left to the tick's
 * grouping) still concerns its incident: it gets an outbox with no channels, so the signal rides
 * on the outbox's retries like a page would.
 */
function withSignalOutbox(
  deps: AlertServiceDeps,
  next: AlertRecord,
  effect: TransitionEffect,
  now: number,
): AlertRecord {
  if (next.outbox || (effect !== 'fired' && effect !== 'resolved') || !signalsIncidents(deps, next)) {
    return next;
  }
  const status = effect === 'fired' ? 'firing' : 'resolved';
  return {
    ...next,
    outbox: {
      id: `${next.fingerprint}:${status}:${next.lastChangeAt}`,
      status,
      channels: [],
      createdAt: now,
      attempts: 0,
    },
  };
}

/** True when one of the routes is in storm mode, or more changes than the threshold await the tick. */
async function isStorming(deps: AlertServiceDeps, routeIds: readonly string[]): Promise<boolean> {
  const { threshold, windowSeconds } = deps.config.storm;
  const countRecent = (): Promise<number> =>
    deps.store.countUnfoldedSince(deps.clock() - windowSeconds * 1000, threshold + 1);
  const early = deps.stormingRoutes && deps.stormLikely?.() === false ? countRecent() : undefined;
  early?.catch(() => undefined);
  const routes = deps.stormingRoutes ? await deps.stormingRoutes() : undefined;
  if (routes && routeIds.some((r) => routes.has(stormScopeOf(r)))) return true;
  return (await (early ?? countRecent())) > threshold;
}

/**
 * Claims and publishes an outbox that an earlier, failed or crashed call left behind.
 * Returns 'conflict' when another writer changed the alert first.
 */
export async function finishPendingOutbox(
  deps: AlertServiceDeps,
  current: AlertRecord,
): Promise<Channel[] | 'conflict'> {
  const now = deps.clock();
  if (!current.outbox || !isOutboxClaimable(current.outbox, now)) return [];
  const claimed = await deps.store.put(
    claimOutbox(current, deps.claimant, now, deps.config.claimSeconds * 1000),
    current.version,
  );
  if (!claimed) return 'conflict';
  return deliverOutbox(deps, claimed);
}

/**
 * Publishes a claimed outbox to its channels, then signals the incident responder, then records
 * the result; throws if any channel failed. The page never waits for incident work: the signal
 * goes out after the page and the responder does the rest on its own.
 */
export async function deliverOutbox(deps: AlertServiceDeps, record: AlertRecord): Promise<Channel[]> {
  const outbox = record.outbox;
  if (!outbox) return [];
  const now = deps.clock();
  const notifications = outbox.channels.map((channel) =>
    buildAlertNotification(record, outbox, channel, deps.config.stage, now),
  );
  const results = await Promise.allSettled(
    notifications.map((notification) => deps.publisher.publish(notification.channel, notification)),
  );
  const delivered = outbox.channels.filter((_, i) => results[i]?.status === 'fulfilled');
  const failed = outbox.channels.filter((_, i) => results[i]?.status === 'rejected');
  for (const [i, r] of results.entries()) {
    if (r.status === 'rejected') {
      deps.log.error('publish failed', {
        fingerprint: record.fingerprint,
        channel: outbox.channels[i],
        error: describeError(r.reason),
      });
    }
  }
  // When neither the responder's queue nor the backlog takes the signal, the outbox stays as it
  // was: the retry sends the page again rather than lose its incident.
  await signalPage(deps, record, outbox, delivered, notifications[0], deps.clock());
  await recordDelivery(deps, record, outbox.id, delivered);
  if (failed.length > 0) throw new DeliveryError(failed);
  deps.log.info('notifications published', { fingerprint: record.fingerprint, outbox: outbox.id, delivered });
  return delivered;
}

/**
 * Signals the responder about an outbox round: the first round always (the incident opens even
 * if every channel failed), later rounds when they reached more channels. Resolves once.
 */
async function signalPage(
  deps: AlertServiceDeps,
  record: AlertRecord,
  outbox: Outbox,
  delivered: readonly Channel[],
  sent: Notification | undefined,
  now: number,
): Promise<void> {
  const sink = deps.signals;
  if (!sink || !tellsIncidents(sent?.reason) || !signalsIncidents(deps, record)) return;
  const firing = outbox.status === 'firing';
  if (outbox.attempts > 0 && (!firing || delivered.length === 0)) return;
  const service = record.labels['service'] ?? 'unknown';
  const signals = signalsFor({
    settings: deps.config.incidents,
    stage: deps.config.stage,
    kind: firing ? 'fired' : 'resolved',
    cause: 'fired',
    at: now,
    alerts: [record],
    key: outbox.id,
    page:
      firing && delivered.length > 0
        ? {
            id: outbox.id,
            title: sent?.title ?? `${service}: ${record.annotations.summary}`,
            severity: record.severity,
            reason: 'alert',
            groupKey: record.fingerprint,
            channels: delivered,
            sentAt: now,
          }
        : undefined,
  });
  for (const signal of signals) {
    await sendDurably({ sink, backlog: deps.signalBacklog, clock: deps.clock, log: deps.log }, signal);
  }
}

async function recordDelivery(
  deps: AlertServiceDeps,
  claimed: AlertRecord,
  outboxId: string,
  delivered: readonly Channel[],
): Promise<void> {
  let current: AlertRecord | undefined = claimed;
  let lastError: unknown;
  for (let attempt = 0; attempt < MAX_ATTEMPTS && current; attempt++) {
    try {
      const stored = await deps.store.put(
        applyDeliveryResult(current, outboxId, delivered, deps.clock()),
        current.version,
      );
      if (stored) return;
      current = await deps.store.get(claimed.fingerprint);
    } catch (error) {
      // A throttled or failed write is retried here: thrown, it would make the retry send again.
      lastError = error;
    }
  }
  // The notifications went out; failing now would only make a retry send them again.
  deps.log.error('could not record delivery; a later retry may re-send', {
    fingerprint: claimed.fingerprint,
    outbox: outboxId,
    delivered,
    ...(lastError === undefined ? {} : { error: describeError(lastError) }),
  });
}
