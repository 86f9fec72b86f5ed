/**
 * `GET /l/<token>` shows what the link does and asks for a click; `POST /l/<token>` (that click)
 * acts once. A token is bound to one alert, one action and one channel, and expires.
 */
import { actorLabel } from '../domain/actions/actor';
import type { LinkClaims } from '../domain/actions/link-token';
import { verifyLinkToken } from '../domain/actions/link-token';
import { silenceAlerts } from '../domain/actions/silence-alerts';
import type { AlertRecord } from '../domain/alert-record';
import { acknowledgeAlertFor, OperatorError } from '../domain/operator';
import type { ActionEndpointDeps } from './endpoint';
import { ACTION_ROUTES, checkSize, digestOf, mediaType, readSecret } from './endpoint';
import type { ActionRequest, ActionResponse } from './http';
import { ActionRejection } from './http';
import { confirmPage, LINK_ACTION_WORDS, resultPage } from './pages';

function tokenOf(request: ActionRequest): string {
  const token = request.path.slice(ACTION_ROUTES.link.length);
  if (token.length === 0 || token.length > 64) {
    throw new ActionRejection(400, 'MALFORMED_TOKEN', 'the link is cut or altered');
  }
  return token;
}

async function openToken(deps: ActionEndpointDeps, token: string): Promise<LinkClaims> {
  const key = await readSecret(deps, deps.secrets.linkKey, 'link signing key');
  const opened = verifyLinkToken(key, token, deps.clock());
  if (opened.ok) return opened.claims;
  switch (opened.problem) {
    case 'malformed':
      throw new ActionRejection(400, 'MALFORMED_TOKEN', 'the link is cut or altered');
    case 'signature':
      throw new ActionRejection(403, 'BAD_TOKEN', 'the link does not match its alert and action');
    case 'expired':
      throw new ActionRejection(
        410,
        'EXPIRED_TOKEN',
        'the link has expired; act from a newer message or the CLI',
      );
  }
}

function claimKeyOf(token: string): string {
  return `link:${digestOf(token)}`;
}

async function alertOf(deps: ActionEndpointDeps, claims: LinkClaims): Promise<AlertRecord> {
  const alert = await deps.store.get(claims.fingerprint);
  if (!alert) throw new ActionRejection(404, 'UNKNOWN_ALERT', 'the alert of this link no longer exists');
  return alert;
}

const USED = 'the link was already used; it works once';

/** The page a link opens: the alert named, and a button that confirms. Changes nothing. */
async function show(deps: ActionEndpointDeps, request: ActionRequest): Promise<ActionResponse> {
  const token = tokenOf(request);
  const claims = await openToken(deps, token);
  if (await deps.claims.isClaimed(claimKeyOf(token))) throw new ActionRejection(410, 'USED_TOKEN', USED);
  return confirmPage(await alertOf(deps, claims), claims.action, deps.clock());
}

/** The confirming click: acts once. */
async function confirm(deps: ActionEndpointDeps, request: ActionRequest): Promise<ActionResponse> {
  checkSize(deps, request);
  const token = tokenOf(request);
  const claims = await openToken(deps, token);
  if (mediaType(request) !== 'application/x-www-form-urlencoded') {
    throw new ActionRejection(415, 'UNSUPPORTED_MEDIA_TYPE', 'confirm with the button on the link page');
  }
  if (new URLSearchParams(request.body.toString('utf8')).get('confirm') !== 'yes') {
    throw new ActionRejection(400, 'NOT_CONFIRMED', 'confirm with the button on the link page');
  }
  const alert = await alertOf(deps, claims);
  const now = deps.clock();
  const claimKey = claimKeyOf(token);
  if (!(await deps.claims.claim(claimKey, claims.expiresAt, now))) {
    throw new ActionRejection(410, 'USED_TOKEN', USED);
  }
  const by = actorLabel({ source: claims.channel });
  try {
    if (claims.action === 'ack') {
      const outcome = await acknowledgeAlertFor(deps, alert.fingerprint, by, { via: claims.channel });
      return resultPage(
        outcome.alert,
        outcome.changed
          ? `${outcome.alert.alarmName} ${LINK_ACTION_WORDS.ack.done}`
          : `${outcome.alert.alarmName} was already acknowledged by ${outcome.alert.ack?.by ?? 'someone'}`,
        now,
      );
    }
    const outcome = await silenceAlerts(
      deps,
      [alert.fingerprint],
      { kind: 'for', ms: 3_600_000 },
      by,
      claims.channel,
    );
    return resultPage(
      alert,
      `${alert.alarmName} ${LINK_ACTION_WORDS['silence-1h'].done} (until ${new Date(outcome.silence.endsAt).toISOString().slice(11, 16)} UTC)`,
      now,
    );
  } catch (error) {
    // Nothing was done: the link stays usable.
    await deps.claims.release(claimKey).catch(() => undefined);
    if (error instanceof OperatorError && error.code === 'NOT_FIRING') {
      throw new ActionRejection(
        409,
        'NOT_FIRING',
        `${alert.alarmName} is not firing: there is nothing to do`,
      );
    }
    throw error;
  }
}

/** Serves a link: GET and HEAD show the confirmation page, POST acts. */
export async function handleLink(deps: ActionEndpointDeps, request: ActionRequest): Promise<ActionResponse> {
  if (request.method === 'GET' || request.method === 'HEAD') {
    const page = await show(deps, request);
    return request.method === 'HEAD' ? { ...page, body: '' } : page;
  }
  if (request.method === 'POST') return confirm(deps, request);
  throw new ActionRejection(405, 'METHOD_NOT_ALLOWED', 'open the link in a browser');
}
