/** Delivers notifications to a Slack incoming webhook. */
import type { Notification } from '../domain/notification';
import { renderSlack, type SlackRenderOptions } from '../domain/format/slack';
import type { Deliver } from './forwarder';
import type { JsonPost, JsonPostResult } from './http-client';

/** What the Slack delivery needs. */
export interface SlackDeliveryDeps {
  /** Returns the webhook URL (a secret: it carries the token). */
  readonly webhookUrl: () => Promise<string>;
  readonly post: (post: JsonPost) => Promise<JsonPostResult>;
  /** Links and buttons of the rendered message. */
  readonly links?: SlackRenderOptions;
}

/** Slack answers errors with a short code in the body, e.g. `invalid_payload`, `channel_not_found`. */
function slackReason(status: number, body: string): string {
  const code = body.trim().split(/\s/)[0] ?? '';
  return /^[a-z_]{3,60}$/.test(code) ? code : `HTTP ${status}`;
}

// The path of a webhook URL is its token; scrub it even where the host is printed separately.
function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

/** Posts the rendered Block Kit message to the webhook. */
export function createSlackDelivery(deps: SlackDeliveryDeps): Deliver {
  return async (n: Notification, deadline: number) => {
    const url = await deps.webhookUrl();
    const result = await deps.post({
      url,
      body: renderSlack(n, deps.links),
      target: 'Slack webhook',
      deadline,
      secrets: [url, pathOf(url)],
      reasonOf: slackReason,
    });
    return { attempts: result.attempts };
  };
}
