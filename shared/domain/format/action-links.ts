/** One-click action links of a notification's email and SMS, signed per alert, action and channel. */
import type { LinkAction, LinkChannel } from '../actions/link-token';
import { signLinkToken } from '../actions/link-token';
import type { Notification } from '../notification';

/** The links of one alert in an email. */
export interface EmailAlertLinks {
  readonly fingerprint: string;
  readonly alarmName: string;
  readonly ack: string;
  readonly silence: string;
}

/** The links a notification's email and SMS carry. */
export interface NotificationActionLinks {
  /** One entry per firing alert the email lists, at most {@link EMAIL_LINKED_ALERTS}. */
  readonly email: readonly EmailAlertLinks[];
  /** The acknowledge link of an SMS about exactly one firing alert. */
  readonly sms?: string;
}

/** Firing alerts of one email that get their own links; the rest are acknowledged elsewhere. */
export const EMAIL_LINKED_ALERTS = 10;

/** What signing links needs. */
export interface ActionLinkSettings {
  /** Base URL of the action endpoint, without a trailing slash (`https://x.execute-api.../`). */
  readonly baseUrl: string;
  /** The link signing key (a secret). */
  readonly key: string;
  /** How long a link works. */
  readonly ttlMs: number;
  readonly now: number;
}

/** The path of a link under the endpoint's base URL. */
export const LINK_PATH_PREFIX = '/l/';

/** The URL of a signed link. */
export function actionLinkUrl(
  settings: ActionLinkSettings,
  fingerprint: string,
  action: LinkAction,
  channel: LinkChannel,
): string {
  const token = signLinkToken(settings.key, {
    fingerprint,
    action,
    channel,
    expiresAt: settings.now + settings.ttlMs,
  });
  return `${settings.baseUrl.replace(/\/+$/, '')}${LINK_PATH_PREFIX}${token}`;
}

/**
 * The links of a firing notification (none for resolves, digests and acknowledgements): per firing
 * alert in the email, and for the SMS when it is about exactly one firing alert.
 */
export function buildActionLinks(n: Notification, settings: ActionLinkSettings): NotificationActionLinks {
  if (n.status !== 'firing' || n.digest !== undefined || n.reason === 'acknowledged') return { email: [] };
  const firing = n.alerts.filter((a) => a.status === 'firing' && /^[0-9a-f]{20}$/.test(a.fingerprint));
  const email = firing.slice(0, EMAIL_LINKED_ALERTS).map((a) => ({
    fingerprint: a.fingerprint,
    alarmName: a.alarmName,
    ack: actionLinkUrl(settings, a.fingerprint, 'ack', 'email'),
    silence: actionLinkUrl(settings, a.fingerprint, 'silence-1h', 'email'),
  }));
  const only = firing.length === 1 && Math.max(n.totalAlerts, n.alerts.length) === 1 ? firing[0] : undefined;
  return {
    email,
    ...(only === undefined ? {} : { sms: actionLinkUrl(settings, only.fingerprint, 'ack', 'sms') }),
  };
}
