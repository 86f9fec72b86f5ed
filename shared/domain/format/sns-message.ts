import type { Notification } from '../notification';
import type { NotificationActionLinks } from './action-links';
import { renderEmail } from './email';
import { renderSms } from './sms';
import { toSingleLine, truncate } from './text';

/** What one SNS Publish carries: subject, per-protocol bodies and filterable attributes. */
export interface SnsEnvelope {
  /** Email subject (SNS: ASCII, <= 100 chars, no newlines). */
  readonly subject: string;
  /** The `MessageStructure: json` document. */
  readonly message: string;
  /** Message attributes for subscription filter policies. */
  readonly attributes: Readonly<Record<string, string>>;
}

// SNS rejects empty attribute values; long ones only bloat filter-policy matching.
function attributeValue(value: string | undefined): string {
  const v = value === undefined ? '' : truncate(toSingleLine(value), 256, '');
  return v === '' ? 'unknown' : v;
}

/**
 * Builds the SNS message for a notification: `default`, `email`, `sms` and machine bodies.
 * `lambda` (read by the Slack and PagerDuty forwarders), `sqs`, `https` and `email-json` carry the
 * notification as JSON so every consumer can re-render it.
 */
export function renderSnsEnvelope(n: Notification, actionLinks?: NotificationActionLinks): SnsEnvelope {
  // Links are capabilities: only the email and SMS bodies carry them, never the JSON ones.
  const email = renderEmail(n, { actionLinks: actionLinks?.email });
  const sms = renderSms(n, { ackUrl: actionLinks?.sms });
  const first = n.alerts[0];
  const json = JSON.stringify(n);
  const message = JSON.stringify({
    default: `${email.subject}\n\n${email.body}`,
    email: email.body,
    'email-json': json,
    sms,
    lambda: json,
    sqs: json,
    https: json,
  });
  return {
    subject: email.subject,
    message,
    attributes: {
      severity: n.severity,
      status: n.status,
      service: attributeValue(first?.labels['service']),
      team: attributeValue(first?.labels['team']),
      alert_id: attributeValue(n.groupKey),
      notification_id: attributeValue(n.id),
      channel: n.channel,
    },
  };
}
