import { randomUUID } from 'node:crypto';
import { resolveAlertIdentity } from './alert-identity';
import type { AlertRecord } from './alert-record';
import { VigilError } from './errors';
import { fingerprintOf } from './fingerprint';
import type { Incident, IncidentStore } from './incident';
import type { IncidentPointers } from './incidents';
import { acknowledgeIncident, findOpenIncidentOf } from './incidents';
import type { Matcher } from './matchers';
import type { AlertStore, Clock, GroupStore } from './ports';
import type { RuntimeConfig } from './runtime-config';
import type { Silence } from './silence';
import { acknowledge } from './state-machine';

/** An operator action that cannot be done; `code` says why. */
export class OperatorError extends VigilError {
  public constructor(code: 'NOT_FOUND' | 'NOT_FIRING' | 'INVALID_SILENCE' | 'CONFLICT', message: string) {
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

/**
 * Acknowledges a firing alert: stops its repeats and escalation until it resolves. With `incidents`,
 * the open incident the alert is linked to is acknowledged too (its timeline names `by`).
 */
export async function acknowledgeAlert(
  deps: {
    readonly store: AlertStore;
    readonly clock: Clock;
    readonly incidents?: IncidentStore & IncidentPointers;
  },
  fingerprint: string,
  by: string,
): Promise<AlertRecord> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await deps.store.get(fingerprint);
    if (!current) throw new OperatorError('NOT_FOUND', `alert ${fingerprint} does not exist`);
    const next = acknowledge(current, by, deps.clock());
    if (!next) throw new OperatorError('NOT_FIRING', `alert ${fingerprint} is ${current.status}, not firing`);
    const stored = await deps.store.put(next, current.version);
    if (stored) {
      if (deps.incidents) {
        const incident = await findOpenIncidentOf(
          { incidents: deps.incidents, pointers: deps.incidents },
          stored,
        );
        if (incident) {
          await acknowledgeIncident(
            { incidents: deps.incidents, clock: deps.clock },
            incident.id,
            by,
            `alert ${stored.alarmName}`,
          );
        }
      }
      return stored;
    }
  }
  throw new OperatorError('CONFLICT', `alert ${fingerprint} kept changing; try again`);
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
  deps: { readonly groups: GroupStore; readonly clock: Clock },
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
