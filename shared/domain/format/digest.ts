/** Plain-text lines describing a storm digest and why a notification was sent, shared by the renderers. */
import type { Notification } from '../notification';

const TOP = 5;

function counts(record: Readonly<Record<string, number>>): string {
  return Object.entries(record)
    .sort(([, a], [, b]) => b - a)
    .slice(0, TOP)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

/** One-line digest headline, e.g. `42 firing, 3 resolved, 12 new in the window`, or undefined. */
export function digestHeadline(n: Notification): string | undefined {
  const d = n.digest;
  if (d === undefined) return undefined;
  return `${d.firing} firing, ${d.resolved} resolved, ${d.newInWindow} new in the window`;
}

/** Digest detail lines (headline, by service, by severity, top offenders), untrusted text unescaped. */
export function digestLines(n: Notification): string[] {
  const d = n.digest;
  const headline = digestHeadline(n);
  if (d === undefined || headline === undefined) return [];
  const lines = [headline];
  if (d.escalated !== undefined && d.escalated > 0) {
    lines.push(`Escalated: ${d.escalated} not acknowledged in time`);
  }
  const byService = counts(d.byService);
  if (byService !== '') lines.push(`By service: ${byService}`);
  const bySeverity = counts(d.bySeverity);
  if (bySeverity !== '') lines.push(`By severity: ${bySeverity}`);
  const top = d.topOffenders
    .slice(0, TOP)
    .map((o) => `${o.name} (${o.count})`)
    .join(', ');
  if (top !== '') lines.push(`Top offenders: ${top}`);
  if (d.sinceStart !== undefined) {
    lines.push(
      `Since ${d.sinceStart.since.slice(0, 16).replace('T', ' ')} UTC: ${d.sinceStart.firing} named firing, ${d.sinceStart.resolved} resolves told`,
    );
  }
  return lines;
}

/** One alarm a digest message names, with the status it is told in. */
export interface DigestAlarm {
  readonly name: string;
  readonly status: 'firing' | 'resolved';
}

/**
 * The first `max` alarms a digest names (firing first, as the digest orders them) and how many it
 * covers beyond those.
 */
export function digestAlarms(n: Notification, max: number): { alarms: DigestAlarm[]; more: number } {
  const d = n.digest;
  if (d === undefined) return { alarms: [], more: 0 };
  const alarms = d.alertNames
    .slice(0, max)
    .map((name, i): DigestAlarm => ({ name, status: i < d.firing ? 'firing' : 'resolved' }));
  return { alarms, more: Math.max(0, d.total - alarms.length) };
}

/** How to read every alarm a digest covers: the command, then links that need no configuration. */
export function digestRestLines(n: Notification): string[] {
  const d = n.digest;
  if (d === undefined) return [];
  return [
    `Every alarm of this digest: ${d.listCommand}`,
    ...(d.consoleUrl !== undefined ? [`Alarms in ALARM now (CloudWatch console): ${d.consoleUrl}`] : []),
    ...(d.listUrl !== undefined ? [`Alert list: ${d.listUrl}`] : []),
  ];
}

const REASONS: Readonly<Record<NonNullable<Notification['reason']>, string | undefined>> = {
  alert: undefined,
  group: undefined,
  repeat: 'Reminder: still firing',
  escalation: 'Escalated: not acknowledged in time',
  digest: 'Alert storm digest',
  acknowledged: 'Acknowledged',
  evidence: 'Incident evidence for an earlier page',
};

/** Why the notification was sent, when that is worth telling the reader. */
export function reasonText(n: Notification): string | undefined {
  return n.reason === undefined ? undefined : REASONS[n.reason];
}
