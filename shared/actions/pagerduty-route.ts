/** `POST /pagerduty/webhook`: PagerDuty v3 webhooks, `incident.acknowledged` and `incident.resolved`. */
import { actorLabel } from '../domain/actions/actor';
import type { PagerDutyEvent } from '../domain/actions/pagerduty-webhook';
import {
  classifyDedupKey,
  PagerDutyPayloadError,
  parsePagerDutyEvent,
} from '../domain/actions/pagerduty-webhook';
import { verifyPagerDutySignature } from '../domain/actions/signatures';
import { acknowledgeAlertFor, OperatorError } from '../domain/operator';
import { resolveAlertFor } from '../domain/operator-resolve';
import type { ActionEndpointDeps } from './endpoint';
import { checkSize, header, mediaType, readSecret } from './endpoint';
import type { ActionRequest, ActionResponse } from './http';
import { ActionRejection, json } from './http';

/** Events older than this are refused: PagerDuty delivers within minutes, a replay later is refused. */
export const PAGERDUTY_MAX_EVENT_AGE_MS = 60 * 60_000;
/** Clock skew allowed for an event dated in the future. */
const FUTURE_SKEW_MS = 5 * 60_000;

/** The alerts a PagerDuty incident key stands for; empty when none of them is known. */
async function alertsOf(deps: ActionEndpointDeps, key: string): Promise<string[] | 'foreign'> {
  const kind = classifyDedupKey(key);
  if (kind.kind === 'alert') return [kind.fingerprint];
  if (kind.kind === 'group') return deps.groupPages ? deps.groupPages(kind.groupId) : [];
  return 'foreign';
}

async function act(
  deps: ActionEndpointDeps,
  event: PagerDutyEvent & { readonly type: 'incident.acknowledged' | 'incident.resolved' },
  fingerprints: readonly string[],
): Promise<{ changed: string[]; unchanged: string[] }> {
  const by = actorLabel({ source: 'pagerduty', id: event.agent?.id ?? 'unknown', name: event.agent?.name });
  const changed: string[] = [];
  const unchanged: string[] = [];
  let missing = 0;
  for (const fingerprint of fingerprints) {
    try {
      if (event.type === 'incident.acknowledged') {
        const outcome = await acknowledgeAlertFor(
          deps,
          fingerprint,
          by,
          // PagerDuty told us: no acknowledge goes back to it.
          { via: 'pagerduty', tellPagerDuty: false },
        );
        (outcome.changed ? changed : unchanged).push(fingerprint);
      } else {
        await resolveAlertFor(
          {
            store: deps.store,
            clock: deps.clock,
            incidents: deps.incidentHooks,
            audit: deps.audit,
            publish: deps.publish,
            log: deps.log,
          },
          {
            fingerprint,
            by,
            reason: `resolved in PagerDuty${event.incidentId ? ` (incident ${event.incidentId})` : ''}`,
            via: 'pagerduty',
          },
        );
        changed.push(fingerprint);
      }
    } catch (error) {
      if (error instanceof OperatorError && error.code === 'NOT_FOUND') missing++;
      else if (error instanceof OperatorError && error.code === 'NOT_FIRING') unchanged.push(fingerprint);
      else throw error;
    }
  }
  if (fingerprints.length === 0 || missing === fingerprints.length) {
    throw new ActionRejection(404, 'UNKNOWN_ALERT', 'no Vigil alert has this incident key');
  }
  return { changed, unchanged };
}

/**
 * Verifies the webhook (size, JSON, any `v1=` signature, event time within the hour), ignores
 * events and incidents that are not Vigil's (202), claims the event id (a replay is refused), and
 * acknowledges or resolves the alerts of the incident key. An acknowledgement from PagerDuty sends
 * no `acknowledge` back; a resolve reaches the channels told of the firing.
 */
export async function handlePagerDuty(
  deps: ActionEndpointDeps,
  request: ActionRequest,
): Promise<ActionResponse> {
  if (request.method !== 'POST') throw new ActionRejection(405, 'METHOD_NOT_ALLOWED', 'use POST');
  checkSize(deps, request);
  if (mediaType(request) !== 'application/json') {
    throw new ActionRejection(415, 'UNSUPPORTED_MEDIA_TYPE', 'PagerDuty webhooks are JSON');
  }
  const secret = await readSecret(deps, deps.secrets.pagerdutyWebhook, 'PagerDuty webhook secret');
  const rawBody = request.body.toString('utf8');
  const check = verifyPagerDutySignature({
    secret,
    header: header(request, 'x-pagerduty-signature'),
    rawBody,
  });
  if (!check.ok)
    throw new ActionRejection(401, 'BAD_SIGNATURE', `the PagerDuty signature is ${check.problem}`);
  let event: PagerDutyEvent;
  try {
    event = parsePagerDutyEvent(rawBody);
  } catch (error) {
    if (error instanceof PagerDutyPayloadError)
      throw new ActionRejection(400, 'MALFORMED_PAYLOAD', error.message);
    throw error;
  }
  const now = deps.clock();
  if (event.occurredAt < now - PAGERDUTY_MAX_EVENT_AGE_MS || event.occurredAt > now + FUTURE_SKEW_MS) {
    throw new ActionRejection(
      401,
      'STALE_TIMESTAMP',
      'the event occurred more than an hour ago (or in the future)',
    );
  }
  const type = event.type;
  if (type !== 'incident.acknowledged' && type !== 'incident.resolved') {
    return json(202, { ignored: `event type ${type.slice(0, 64)} changes nothing in Vigil` });
  }
  const fingerprints = await alertsOf(deps, event.incidentKey ?? '');
  if (fingerprints === 'foreign') {
    return json(202, { ignored: 'the incident was not opened by Vigil' });
  }
  const claimKey = `pagerduty:${event.id}`;
  if (!(await deps.claims.claim(claimKey, event.occurredAt + 2 * PAGERDUTY_MAX_EVENT_AGE_MS, now))) {
    throw new ActionRejection(
      409,
      'REPLAYED',
      `event ${event.id.slice(0, 64)} was already received; nothing was done again`,
    );
  }
  try {
    const outcome = await act(deps, { ...event, type }, fingerprints);
    return json(200, {
      event: type,
      changed: outcome.changed,
      unchanged: outcome.unchanged,
    });
  } catch (error) {
    // Nothing was done (an unknown alert, or a failure PagerDuty's retry may get past): the claim goes too.
    await deps.claims.release(claimKey).catch(() => undefined);
    throw error;
  }
}
