/** Email rendering: an ASCII subject SNS accepts and a plain-text body with every field and link. */
import type { Notification, NotificationEvidence, NotifiedAlert } from '../notification';
import type { EmailAlertLinks } from './action-links';
import { digestAlarms, digestLines, digestRestLines, reasonText } from './digest';
import { resolveLinks, safeUrl, type LinkOptions } from './links';
import {
  durationBetween,
  formatTime,
  formatValueVsThreshold,
  stripControl,
  toAscii,
  toSingleLine,
  truncate,
} from './text';

/** SNS rejects subjects that are longer, contain newlines or non-ASCII characters. */
export const EMAIL_SUBJECT_MAX = 100;
/** Upper bound of the body, well under the 256 KB SNS message limit shared with the other bodies. */
export const EMAIL_BODY_MAX = 32_000;
const FIELD_MAX = 2_000;

/** An email as SNS sends it: a subject line and a plain-text body. */
export interface RenderedEmail {
  readonly subject: string;
  readonly body: string;
}

function statusTag(n: Notification): string {
  return n.status === 'resolved' ? 'RESOLVED' : n.severity.toUpperCase();
}

/** Subject such as `[CRITICAL] checkout: error rate above 5% (7.2% > 5%)`: printable ASCII, one line, <= 100 chars. */
export function renderEmailSubject(n: Notification): string {
  if (n.evidence !== undefined) {
    return truncate(toAscii(`[EVIDENCE] ${n.evidence.page.title}`), EMAIL_SUBJECT_MAX, '...');
  }
  const primary = n.alerts[0];
  const total = Math.max(n.totalAlerts, n.alerts.length);
  let detail = '';
  if (total > 1) detail = ` (${total} alerts)`;
  else if (primary !== undefined && n.status === 'firing') {
    const vs = formatValueVsThreshold(primary);
    if (vs !== undefined) detail = ` (${vs})`;
  }
  const tag = `[${statusTag(n)}] `;
  // The detail is the first thing to go when the title is long.
  const full = toAscii(`${tag}${n.title}${detail}`);
  if (full.length <= EMAIL_SUBJECT_MAX) return full;
  return truncate(toAscii(`${tag}${n.title}`), EMAIL_SUBJECT_MAX, '...');
}

function line(label: string, value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') return [];
  return [`${`${label}:`.padEnd(14)}${truncate(toSingleLine(value), FIELD_MAX)}`];
}

function alertSection(n: Notification, a: NotifiedAlert, index: number, opts: LinkOptions): string[] {
  const links = resolveLinks(n, a, opts);
  const labels = Object.entries(a.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return [
    `--- Alert ${index + 1}: ${truncate(toSingleLine(a.alarmName), 200)} ---`,
    ...line('Status', a.status),
    ...line('Severity', a.severity),
    ...line('Severity why', a.annotations.severityReason),
    ...line('Summary', a.annotations.summary),
    ...line('Description', a.annotations.description),
    ...line('Reason', a.annotations.reason),
    ...line('Service', a.labels['service']),
    ...line('Team', a.labels['team']),
    ...line('Value', formatValueVsThreshold(a)),
    ...line('Started', formatTime(a.startsAt)),
    ...line('Ended', a.endsAt !== undefined ? formatTime(a.endsAt) : undefined),
    ...line('Duration', durationBetween(a.startsAt, a.endsAt ?? n.createdAt)),
    ...line('Region', a.region),
    ...line('Alarm ARN', a.alarmArn),
    ...line('Rule', a.ruleId),
    ...line('Trace', a.annotations.traceId),
    ...line('Labels', labels),
    ...line('Alarm', links.alarm),
    ...line('Dashboard', links.dashboard),
    ...line('Runbook', links.runbook),
    '',
  ];
}

/** Alarms a storm digest lists by name in an email. */
export const EMAIL_DIGEST_LISTED_ALARMS = 200;

/** A digest's alarms by status (the first ones by name), and how to read every one of them. */
function digestAlarmSection(n: Notification): string[] {
  const { alarms, more } = digestAlarms(n, EMAIL_DIGEST_LISTED_ALARMS);
  const named = (status: 'firing' | 'resolved'): string[] =>
    alarms.filter((a) => a.status === status).map((a) => `  ${truncate(toSingleLine(a.name), 255)}`);
  const firing = named('firing');
  const resolved = named('resolved');
  return [
    ...(firing.length > 0 ? [`Firing (${n.digest?.firing ?? firing.length}):`, ...firing] : []),
    ...(resolved.length > 0 ? [`Resolved (${n.digest?.resolved ?? resolved.length}):`, ...resolved] : []),
    ...(more > 0 ? [`...and ${more} more alarms.`] : []),
    '',
    ...digestRestLines(n),
    '',
  ];
}

/** How an email is rendered beyond its links. */
export interface EmailRenderOptions extends LinkOptions {
  /** One-click acknowledge and silence links of the firing alerts. @default none */
  readonly actionLinks?: readonly EmailAlertLinks[];
}

/** The one-click links, first in the body so they are found at 3 a.m. */
function actionSection(n: Notification, links: readonly EmailAlertLinks[]): string[] {
  if (links.length === 0) return [];
  const firing = n.alerts.filter((a) => a.status === 'firing').length;
  const more = Math.max(firing, n.status === 'firing' ? n.totalAlerts : 0) - links.length;
  return [
    'Act on it (each link opens a page that asks you to confirm):',
    ...links.flatMap((l) => [
      `  ${truncate(toSingleLine(l.alarmName), 200)}`,
      `    Acknowledge: ${l.ack}`,
      `    Silence 1h:  ${l.silence}`,
    ]),
    ...(more > 0 ? [`  ...and ${more} more: acknowledge them in Slack or with \`vigil alerts ack\`.`] : []),
    '',
  ];
}

/** Plain-text body: the notification, each alert with every field and link, diagnostics, ids. */
export function renderEmailBody(n: Notification, opts: EmailRenderOptions = {}): string {
  if (n.evidence !== undefined) return renderEvidenceBody(n, n.evidence);
  const total = Math.max(n.totalAlerts, n.alerts.length);
  const links = resolveLinks(n, n.alerts[0], opts);
  const parts: string[] = [
    `[${statusTag(n)}] ${n.status === 'resolved' ? 'Resolved' : 'Firing'}: ${truncate(toSingleLine(n.title), 500)}`,
    '',
    ...line('Status', n.status),
    ...line('Severity', n.severity),
    ...line('Stage', n.stage),
    ...line('Alerts', total > n.alerts.length ? `${n.alerts.length} shown of ${total}` : String(total)),
    ...line('Created', formatTime(n.createdAt)),
    ...line('Why', reasonText(n)),
    '',
    ...actionSection(n, opts.actionLinks ?? []),
    ...(n.digest !== undefined
      ? ['Storm digest:', ...digestLines(n).map((l) => `  ${truncate(toSingleLine(l), FIELD_MAX)}`), '']
      : []),
    ...(n.digest !== undefined
      ? digestAlarmSection(n)
      : n.alerts.flatMap((a, i) => alertSection(n, a, i, opts))),
  ];
  if (n.digest === undefined && total > n.alerts.length) {
    parts.push(`...and ${total - n.alerts.length} more alerts in this group.`, '');
  }
  if (n.diagnostics !== undefined && n.diagnostics.trim() !== '') {
    parts.push('Diagnostics:', truncate(stripControl(n.diagnostics), 8_000), '');
  }
  parts.push(
    'Links:',
    ...line('  Alarm', links.alarm),
    ...line('  Dashboard', links.dashboard),
    ...line('  Runbook', links.runbook),
    '',
    ...line('Notification', n.id),
    ...line('Group key', n.groupKey),
  );
  return truncate(parts.join('\n'), EMAIL_BODY_MAX, '\n...[truncated]');
}

/** The plain-text update that follows a page: which page, then each source's findings and links. */
function renderEvidenceBody(n: Notification, e: NotificationEvidence): string {
  const parts: string[] = [
    `Incident evidence for an earlier page: ${truncate(toSingleLine(e.page.title), 500)}`,
    '',
    ...line('Page', `${e.page.id}, sent ${formatTime(e.page.sentAt)}`),
    ...line('Incident', `${e.incidentTitle} (${e.incidentId})`),
    ...line('Window', `${formatTime(e.from)} to ${formatTime(e.until)}`),
    ...line('Stage', n.stage),
    '',
  ];
  for (const source of e.sources) {
    parts.push(`${source.name} (${source.status}):`);
    if (source.summary.trim() !== '') parts.push(truncate(stripControl(source.summary), 8_000));
    for (const l of source.links) {
      const url = safeUrl(l.url);
      if (url !== undefined) parts.push(...line(`  ${truncate(toSingleLine(l.label), 40)}`, url));
    }
    parts.push('');
  }
  if (e.sources.length === 0) parts.push('No diagnostics source answered.', '');
  parts.push(...line('Notification', n.id), ...line('Group key', n.groupKey));
  return truncate(parts.join('\n'), EMAIL_BODY_MAX, '\n...[truncated]');
}

/** Renders the email subject (<= 100 ASCII chars, no CR/LF) and plain-text body of a notification. */
export function renderEmail(n: Notification, opts: EmailRenderOptions = {}): RenderedEmail {
  return { subject: renderEmailSubject(n), body: renderEmailBody(n, opts) };
}
