import type { Notification } from '../notification';

/** An email as SNS sends it: a subject line and a plain-text body. */
export interface RenderedEmail {
  readonly subject: string;
  readonly body: string;
}

/** Renders the email subject (<= 100 ASCII chars) and plain-text body of a notification. */
export function renderEmail(n: Notification): RenderedEmail {
  const subject = `[${n.status === 'resolved' ? 'RESOLVED' : n.severity.toUpperCase()}] ${n.title}`
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 100);
  const lines = n.alerts.map(
    (a) => `- ${a.alarmName} (${a.status}) ${a.annotations.summary} since ${a.startsAt}`,
  );
  return { subject, body: [n.title, '', ...lines].join('\n') };
}
