import type { Notification } from '../notification';
import { renderEmail } from './email';
import { renderSms } from './sms';

/** What one SNS Publish carries: subject, per-protocol bodies and filterable attributes. */
export interface SnsEnvelope {
  /** Email subject (SNS: ASCII, <= 100 chars, no newlines). */
  readonly subject: string;
  /** The `MessageStructure: json` document. */
  readonly message: string;
  /** Message attributes for subscription filter policies. */
  readonly attributes: Readonly<Record<string, string>>;
}

/** Builds the SNS message for a notification: default, email, sms and lambda bodies. */
export function renderSnsEnvelope(n: Notification): SnsEnvelope {
  const email = renderEmail(n);
  const sms = renderSms(n);
  const first = n.alerts[0];
  const message = JSON.stringify({
    default: `${email.subject}\n\n${email.body}`,
    email: email.body,
    'email-json': JSON.stringify(n),
    sms,
    lambda: JSON.stringify(n),
    sqs: JSON.stringify(n),
    https: JSON.stringify(n),
  });
  return {
    subject: email.subject,
    message,
    attributes: {
      severity: n.severity,
      status: n.status,
      service: first?.labels['service'] ?? 'unknown',
      team: first?.labels['team'] ?? 'unknown',
      alert_id: n.groupKey,
      notification_id: n.id,
      channel: n.channel,
    },
  };
}
