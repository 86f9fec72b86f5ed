/**
 * What Slack sends when someone clicks a button of a Vigil message: the `block_actions` payload,
 * form-encoded, signed with the app's signing secret. The replay and the tests click through it.
 */
import { createHmac } from 'node:crypto';
import type { SlackButton, SlackMessage } from '../domain/format/slack';
import type { SlackActionId } from '../domain/actions/slack-interaction';

/** Who clicks. */
export interface SlackUser {
  readonly id: string;
  readonly name: string;
}

/** A signed click, ready to POST to the action endpoint's `/slack/actions`. */
export interface SignedSlackClick {
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** The button of a rendered message, or undefined when the message has none. */
export function findButton(message: SlackMessage, actionId: SlackActionId): SlackButton | undefined {
  for (const block of message.attachments[0].blocks) {
    if (block.type === 'actions') {
      const button = block.elements.find((b) => b.action_id === actionId);
      if (button) return button;
    }
  }
  return undefined;
}

/** Signs a raw body as Slack does: `v0=` + HMAC-SHA256 of `v0:<timestamp>:<body>`. */
export function slackSignature(secret: string, timestampSeconds: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestampSeconds}:${body}`).digest('hex')}`;
}

/** The form body and headers Slack posts for a click on `actionId` of `message`. */
export function signedSlackClick(options: {
  readonly message: SlackMessage;
  readonly actionId: SlackActionId;
  readonly user: SlackUser;
  readonly responseUrl: string;
  readonly signingSecret: string;
  /** Epoch ms of the click. */
  readonly at: number;
}): SignedSlackClick {
  const button = findButton(options.message, options.actionId);
  if (button === undefined) throw new Error(`the message has no ${options.actionId} button`);
  const actionTs = (options.at / 1000).toFixed(6);
  const payload = {
    type: 'block_actions',
    user: { id: options.user.id, username: options.user.name, name: options.user.name, team_id: 'T0VIGIL' },
    api_app_id: 'A0VIGIL',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: actionTs, attachment_id: 1, channel_id: 'C0ALERTS' },
    trigger_id: `${Math.floor(options.at / 1000)}.1.abc`,
    team: { id: 'T0VIGIL', domain: 'vigil' },
    channel: { id: 'C0ALERTS', name: 'alerts' },
    message: {
      type: 'message',
      ts: actionTs,
      text: options.message.text,
      attachments: options.message.attachments,
    },
    response_url: options.responseUrl,
    actions: [
      {
        action_id: button.action_id,
        block_id: 'vigil_actions',
        text: button.text,
        value: button.value,
        type: 'button',
        action_ts: actionTs,
      },
    ],
  };
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const timestamp = Math.floor(options.at / 1000);
  return {
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(options.signingSecret, timestamp, body),
    },
  };
}
