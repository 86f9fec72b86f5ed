import { randomUUID } from 'node:crypto';
import type { ActionSource } from './actions/actor';
import type { AuditLog } from './actions/audit';
import type { Channel } from './alert';
import { resolveAlertIdentity } from './alert-identity';
import type { AlertRecord } from './alert-record';
import type { AlertServiceDeps } from './alert-service';
import { finishPendingOutbox } from './alert-service';
import { describeError, VigilError } from './errors';
import { fingerprintOf } from './fingerprint';
import type { Incident, IncidentStore } from './incident';
import type { IncidentPointers } from './incidents';
import { acknowledgeIncident, findOpenIncidentOf } from './incidents';
import type { Matcher } from './matchers';
import type { AlertStore, Clock, GroupStore, Log } from './ports';
import type { RuntimeConfig } from './runtime-config';
import type { Silence } from './silence';
import { acknowledge } from './state-machine';

/** An operator action that cannot be done; `code` says why. */
export class OperatorError extends VigilError {
  public constructor(
    code: 'NOT_FOUND' | 'NOT_FIRING' | 'INVALID_SILENCE' | 'INVALID_ACTOR' | 'CONFLICT',
    message: string,
  ) {
    super(code, message);
    this.name = 'OperatorError';
  }
}

/** The fingerprint the alarm handler gives an alarm (the alert id operators use). */
export function fingerprintOfAlarm(config: RuntimeConfig, alarmName: string): string {
  const identity = resolveAlertIdentity(config, {
    source: 'alarm-action',
    alarmName,
    kind: 'metric',
    state: 'ALARM',
    timestamp: 0,
    reason: '',
  });
  return fingerprintOf(identity.labels);
}

/** Publishes an alert's pending outbox now, on the channels a caller can reach. */
export interface PublishNow {
  /** The alert service ports the outbox is delivered with (config, publisher, log, claimant). */
  readonly service: AlertServiceDeps;
  /** True when `service.publisher` reaches this channel; other outboxes wait for the tick's sweep. */
  readonly canPublish: (channel: Channel) => boolean;
}

/** Ports of {@link acknowledgeAlertFor}; all but the store and the clock are optional. */
export interface AcknowledgeDeps {
  readonly store: AlertStore;
  readonly clock: Clock;
  /** The alert's open incident is acknowledged too, with a timeline entry naming who. @default none */
  readonly incidents?: IncidentStore & IncidentPointers;
  /** The acknowledgement is audited here. @default not audited */
  readonly audit?: AuditLog;
  /** Publishes the PagerDuty `acknowledge` at once. @default left to the tick's outbox sweep */
  readonly publish?: PublishNow;
  /** Where a failure after the acknowledgement (incident, audit, publish) is reported. @default silent */
  readonly log?: Log;
}

/** What acknowledging an alert did. */
export interface AckOutcome {
  readonly alert: AlertRecord;
  /** False when the episode was already acknowledged: nothing changed. */
  readonly changed: boolean;
  /** The open incident that was acknowledged with it. */
  readonly incidentId?: string;
  /** Channels told now (PagerDuty's `acknowledge`); a pending one is published by the tick's sweep. */
  readonly published: readonly Channel[];
}

/** Options of an acknowledgement. */
export interface AcknowledgeRequest {
  /** Where it came from. @default 'cli' */
  readonly via?: ActionSource;
  /** Tell PagerDuty (false when PagerDuty itself told us). @default true */
  readonly tellPagerDuty?: boolean;
}

async function afterAck<T>(log: Log | undefined, what: string, fingerprint: string, run: () => Promise<T>) {
  try {
    return await run();
  } catch (error) {
    // The acknowledgement itself is stored: what follows is reported, never undone.
    log?.error(`acknowledgement: ${what} failed`, { fingerprint, error: describeError(error) });
    return undefined;
  }
}

/**
 * Acknowledges a firing alert: stops its repeats and escalation until it resolves (the tick folds
 * the change into its groups). The alert's open incident is acknowledged with a timeline entry
 * naming `by`, the action is audited, and PagerDuty, when it was paged for the alert, gets an
 * `acknowledge` for the same dedup key. Acknowledging an acknowledged episode changes nothing.
 */
export async function acknowledgeAlertFor(
  deps: AcknowledgeDeps,
  fingerprint: string,
  by: string,
  request: AcknowledgeRequest = {},
): Promise<AckOutcome> {
  if (!by.trim())
    throw new OperatorError('INVALID_ACTOR', 'an acknowledgement needs the name of who acknowledges');
  const via = request.via ?? 'cli';
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await deps.store.get(fingerprint);
    if (!current) throw new OperatorError('NOT_FOUND', `alert ${fingerprint} does not exist`);
    if (current.status !== 'firing')
      throw new OperatorError('NOT_FIRING', `alert ${fingerprint} is ${current.status}, not firing`);
    if (current.ack) return { alert: current, changed: false, published: [] };
    const next = acknowledge(current, by, deps.clock(), { tellPagerDuty: request.tellPagerDuty });
    if (!next) throw new OperatorError('NOT_FIRING', `alert ${fingerprint} is ${current.status}, not firing`);
    const stored = await deps.store.put(next, current.version);
    if (!stored) continue;
    const incidents = deps.incidents;
    const incident = incidents
      ? await afterAck(deps.log, 'incident', fingerprint, async () => {
          const open = await findOpenIncidentOf({ incidents, pointers: incidents }, stored);
          return open
            ? acknowledgeIncident({ incidents, clock: deps.clock }, open.id, by, `alert ${stored.alarmName}`)
            : undefined;
        })
      : undefined;
    let published: Channel[] = [];
    const publish = deps.publish;
    if (
      publish &&
      stored.outbox?.status === 'acknowledged' &&
      stored.outbox.channels.every(publish.canPublish)
    ) {
      const result = await afterAck(deps.log, 'publish to PagerDuty', fingerprint, () =>
        finishPendingOutbox(publish.service, stored),
      );
      if (result !== undefined && result !== 'conflict') published = result;
    }
    const audit = deps.audit;
    if (audit) {
      await afterAck(deps.log, 'audit', fingerprint, () =>
        audit.record({
          at: deps.clock(),
          action: 'acknowledge',
          fingerprint,
          alarmName: stored.alarmName,
          by,
          via,
          outcome: 'acknowledged',
          ...(incident ? { incidentId: incident.id } : {}),
        }),
      );
    }
    // A publish rewrote the alert (its outbox done): read what is stored now.
    const alert = published.length > 0 ? ((await deps.store.get(fingerprint)) ?? stored) : stored;
    return {
      alert,
      changed: true,
      incidentId: incident?.id,
      published,
    };
  }
  throw new OperatorError('CONFLICT', `alert ${fingerprint} kept changing; try again`);
}

/**
 * Acknowledges a firing alert (see {@link acknowledgeAlertFor}) and returns it as stored. An episode
 * already acknowledged keeps its first acknowledgement.
 */
export async function acknowledgeAlert(
  deps: AcknowledgeDeps,
  fingerprint: string,
  by: string,
  request: AcknowledgeRequest = {},
): Promise<AlertRecord> {
  return (await acknowledgeAlertFor(deps, fingerprint, by, request)).alert;
}

/** What an operator gives to create a silence. */
export interface SilenceInput {
  readonly matchers: readonly Matcher[];
  readonly startsAt?: number;
  readonly endsAt: number;
  readonly author: string;
  readonly comment: string;
  readonly endOnResolve?: boolean;
}

/** Creates a silence; it takes effect at the next tick (and within seconds in the alarm handler). */
export async function addSilence(
  deps: { readonly groups: Pick<GroupStore, 'putSilence'>; readonly clock: Clock },
  input: SilenceInput,
  id: string = randomUUID(),
): Promise<Silence> {
  const now = deps.clock();
  const startsAt = input.startsAt ?? now;
  if (input.matchers.length === 0)
    throw new OperatorError('INVALID_SILENCE', 'a silence needs at least one matcher');
  if (input.endsAt <= startsAt)
    throw new OperatorError('INVALID_SILENCE', 'a silence must end after it starts');
  if (!input.author.trim()) throw new OperatorError('INVALID_SILENCE', 'a silence needs an author');
  const silence: Silence = {
    id,
    matchers: input.matchers,
    startsAt,
    endsAt: input.endsAt,
    author: input.author,
    comment: input.comment,
    endOnResolve: input.endOnResolve ?? false,
    createdAt: now,
  };
  await deps.groups.putSilence(silence);
  return silence;
}

/** Ends a silence now; its alerts come back at the next tick. */
export async function expireSilence(
  deps: { readonly groups: GroupStore; readonly clock: Clock },
  id: string,
  by?: string,
): Promise<Silence> {
  const silence = await deps.groups.getSilence(id);
  if (!silence) throw new OperatorError('NOT_FOUND', `silence ${id} does not exist`);
  const expired: Silence = {
    ...silence,
    expiredAt: deps.clock(),
    ...(by === undefined ? {} : { expiredBy: by }),
  };
  await deps.groups.putSilence(expired);
  return expired;
}

/** Acknowledges an incident by id (its first acknowledgement sets MTTA). */
export async function acknowledgeIncidentById(
  deps: { readonly incidents: IncidentStore; readonly clock: Clock },
  id: string,
  by: string,
): Promise<Incident> {
  const incident = await acknowledgeIncident(deps, id, by);
  if (!incident) throw new OperatorError('NOT_FOUND', `incident ${id} does not exist`);
  return incident;
}
