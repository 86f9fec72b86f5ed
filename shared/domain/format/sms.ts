import type { Notification } from '../notification';

/** Renders a one-segment SMS for a notification. */
export function renderSms(n: Notification): string {
  const text = `${n.status === 'resolved' ? 'RESOLVED' : n.severity.toUpperCase()} ${n.title}`;
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 160);
}
