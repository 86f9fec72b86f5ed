/** `POST /slack/actions`: a click on a notification's Acknowledge / Silence 1h / Silence until resolved. */
import type { SlackAction, SlackClick } from '../domain/actions/slack-interaction';
import { parseSlackClick, replacementMessage, SlackPayloadError } from '../domain/actions/slack-interaction';
import { actorLabel } from '../domain/actions/actor';
import { verifySlackSignature } from '../domain/actions/signatures';
import { silenceAlerts } from '../domain/actions/silence-alerts';
import { describeError } from '../domain/errors';
import { acknowledgeAlertFor, OperatorError } from '../domain/operator';
import type { ActionEndpointDeps } from './endpoint';
import { actionSettings, checkSize, digestOf, header, mediaType, readSecret } from './endpoint';
import type { ActionRequest, ActionResponse } from './http';
import { ActionRejection } from './http';

/** A click's claim lasts past Slack's five-minute window, so a replay inside it is recognised. */
const CLAIM_MS = 10 * 60_000;
/** Slack wants an answer within 3 s; the message update gets what is left of that. */
const RESPONSE_URL_BUDGET_MS = 2_500;

function time(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 16)} UTC`;
}

/** Who clicked, as Slack shows it: a mention of the user id. */
function mention(click: SlackClick): string {
  return `<@${click.user.id}>`;
}

interface Done {
  readonly text: string;
  /** Nothing was changed (every alert was already handled or not firing). */
  readonly unchanged: boolean;
}

async function acknowledgeAll(deps: ActionEndpointDeps, click: SlackClick, by: string): Promise<Done> {
  const acked: string[] = [];
  const already: string[] = [];
  const notFiring: string[] = [];
  let missing = 0;
  for (const fingerprint of click.fingerprints) {
    try {
      const outcome = await acknowledgeAlertFor(deps, fingerprint, by, { via: 'slack' });
      if (outcome.changed) acked.push(outcome.alert.alarmName);
      else already.push(`${outcome.alert.alarmName} (by ${outcome.alert.ack?.by ?? 'someone'})`);
    } catch (error) {
      if (error instanceof OperatorError && error.code === 'NOT_FOUND') missing++;
      else if (error instanceof OperatorError && error.code === 'NOT_FIRING') notFiring.push(fingerprint);
      else throw error;
    }
  }
  if (missing === click.fingerprints.length) {
    throw new ActionRejection(404, 'UNKNOWN_ALERT', `no alert ${click.fingerprints.join(', ')} exists`);
  }
  const now = deps.clock();
  const parts = [
    acked.length > 0
      ? `:white_check_mark: Acknowledged by ${mention(click)} at ${time(now)}${acked.length > 1 ? ` (${acked.length} alerts)` : ''}`
      : undefined,
    already.length > 0 ? `Already acknowledged: ${already.join(', ')}` : undefined,
    notFiring.length > 0
      ? `${notFiring.length} alert(s) no longer firing: nothing to acknowledge`
      : undefined,
  ].filter((p): p is string => p !== undefined);
  return { text: parts.join(' · '), unchanged: acked.length === 0 };
}

async function silence(
  deps: ActionEndpointDeps,
  click: SlackClick,
  by: string,
  action: SlackAction,
): Promise<Done> {
  const settings = actionSettings(deps.config);
  try {
    const outcome = await silenceAlerts(
      deps,
      click.fingerprints,
      action === 'silence-1h'
        ? { kind: 'for', ms: 3_600_000 }
        : { kind: 'until-resolved', maxMs: settings.silenceUntilResolvedMaxSeconds * 1000 },
      by,
      'slack',
    );
    const what =
      action === 'silence-1h' ? `for 1 hour (until ${time(outcome.silence.endsAt)})` : 'until resolved';
    const count = outcome.alerts.length > 1 ? ` (${outcome.alerts.length} alerts)` : '';
    return {
      text: `:no_bell: Silenced ${what} by ${mention(click)} at ${time(deps.clock())}${count} · silence ${outcome.silence.id}`,
      unchanged: false,
    };
  } catch (error) {
    if (error instanceof OperatorError && error.code === 'NOT_FOUND') {
      throw new ActionRejection(404, 'UNKNOWN_ALERT', error.message);
    }
    if (error instanceof OperatorError && error.code === 'NOT_FIRING') {
      return { text: 'No longer firing: nothing to silence', unchanged: true };
    }
    throw error;
  }
}

/**
 * Verifies the request (size, content type, signature within five minutes), reads the click, claims
 * it (a replay is refused), acts, then replaces the message through `response_url` without its
 * buttons and with who did what. The answer to Slack is an empty 200.
 */
export async function handleSlack(deps: ActionEndpointDeps, request: ActionRequest): Promise<ActionResponse> {
  if (request.method !== 'POST') throw new ActionRejection(405, 'METHOD_NOT_ALLOWED', 'use POST');
  checkSize(deps, request);
  if (mediaType(request) !== 'application/x-www-form-urlencoded') {
    throw new ActionRejection(415, 'UNSUPPORTED_MEDIA_TYPE', 'Slack interactivity is form-encoded');
  }
  const secret = await readSecret(deps, deps.secrets.slackSigning, 'Slack signing secret');
  const rawBody = request.body.toString('utf8');
  const signature = header(request, 'x-slack-signature');
  const check = verifySlackSignature({
    secret,
    timestamp: header(request, 'x-slack-request-timestamp'),
    signature,
    rawBody,
    now: deps.clock(),
  });
  if (!check.ok) {
    if (check.problem === 'stale') {
      throw new ActionRejection(
        401,
        'STALE_TIMESTAMP',
        'the request timestamp is more than 5 minutes from now',
      );
    }
    throw new ActionRejection(401, 'BAD_SIGNATURE', `the Slack signature is ${check.problem}`);
  }
  let click: SlackClick;
  try {
    click = parseSlackClick(rawBody);
  } catch (error) {
    if (error instanceof SlackPayloadError)
      throw new ActionRejection(400, 'MALFORMED_PAYLOAD', error.message);
    throw error;
  }
  if (!deps.isAllowedResponseUrl(click.responseUrl)) {
    throw new ActionRejection(400, 'MALFORMED_PAYLOAD', 'payload.response_url: not a Slack response URL');
  }
  const now = deps.clock();
  const claimKey = `slack:${digestOf(signature ?? '')}`;
  if (!(await deps.claims.claim(claimKey, now + CLAIM_MS, now))) {
    throw new ActionRejection(409, 'REPLAYED', 'this request was already received; nothing was done again');
  }
  const by = actorLabel({ source: 'slack', id: click.user.id, name: click.user.name });
  let done: Done;
  try {
    done =
      click.action === 'ack'
        ? await acknowledgeAll(deps, click, by)
        : await silence(deps, click, by, click.action);
  } catch (error) {
    // Nothing was done (an unknown alert, or a failure a retry may fix): the claim goes too.
    await deps.claims.release(claimKey).catch(() => undefined);
    throw error;
  }
  try {
    await deps.postJson(
      click.responseUrl,
      replacementMessage(click.message, done.text),
      now + RESPONSE_URL_BUDGET_MS,
    );
  } catch (error) {
    // The action stands; the message keeps its buttons, which now answer "already acknowledged".
    deps.log.error('Slack message could not be updated through response_url', {
      action: click.action,
      error: describeError(error),
    });
  }
  return { status: 200, headers: { 'cache-control': 'no-store' }, body: '' };
}
