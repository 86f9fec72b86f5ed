/** PagerDuty Events API v2 events for a notification, and the rule deciding what pages. */
import { severityRank, type Severity } from '../alert';
import type { Notification } from '../notification';
import { digestAlarms, digestLines, digestRestLines } from './digest';
import { resolveLinks, type LinkOptions } from './links';
import { formatTime, formatValueVsThreshold, stripControl, toSingleLine, truncate } from './text';

/** PagerDuty limits the renderer respects. */
export const PAGERDUTY_LIMITS = {
  summary: 1024,
  dedupKey: 255,
  detailValue: 1024,
  diagnostics: 8_000,
} as const;
/** Alarm names of a storm digest copied into custom_details; the rest are counted. */
export const PAGERDUTY_DIGEST_NAMED_ALARMS = 100;
/** Alerts copied into custom_details; the rest are counted. */
export const PAGERDUTY_MAX_DETAILED_ALERTS = 10;

/** Events API v2 action. */
export type PagerDutyAction = 'trigger' | 'acknowledge' | 'resolve';
/** Events API v2 severity. */
export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

/** The payload of a trigger event. */
export interface PagerDutyPayload {
  readonly summary: string;
  readonly source: string;
  readonly severity: PagerDutySeverity;
  readonly timestamp?: string;
  readonly component?: string;
  readonly group?: string;
  readonly class?: string;
  readonly custom_details: Readonly<Record<string, unknown>>;
}

/** An event without its routing key: the key is a secret and is added only when sending. */
export interface PagerDutyEvent {
  readonly event_action: PagerDutyAction;
  readonly dedup_key: string;
  readonly payload?: PagerDutyPayload;
  readonly links?: readonly { readonly href: string; readonly text: string }[];
  readonly client?: string;
  readonly client_url?: string;
}

const SEVERITY_MAP: Readonly<Record<Severity, PagerDutySeverity>> = {
  critical: 'critical',
  warning: 'warning',
  info: 'info',
};

/** Maps a vigil severity to the PagerDuty one. */
export function toPagerDutySeverity(severity: Severity): PagerDutySeverity {
  return SEVERITY_MAP[severity];
}

/**
 * True when the notification goes to PagerDuty. Firing notifications page at `minSeverity` and above;
 * resolves and acknowledgements always pass, because an incident opened while the alert was more
 * severe must still close (PagerDuty ignores a resolve or acknowledge for a dedup key it does not know).
 */
export function shouldPage(n: Notification, minSeverity: Severity = 'critical'): boolean {
  return (
    n.status === 'resolved' ||
    n.reason === 'acknowledged' ||
    severityRank(n.severity) >= severityRank(minSeverity)
  );
}

/** The event action for a notification: resolve, acknowledge (someone took it on) or trigger. */
export function pagerDutyAction(n: Notification): PagerDutyAction {
  if (n.status === 'resolved') return 'resolve';
  return n.reason === 'acknowledged' ? 'acknowledge' : 'trigger';
}

function clip(value: string | undefined, max: number = PAGERDUTY_LIMITS.detailValue): string | undefined {
  return value === undefined ? undefined : truncate(stripControl(value), max);
}

/** PagerDuty requires a non-empty source: the `source`/`host` label, else `<service> (<stage>)`. */
function sourceOf(labels: Readonly<Record<string, string>>, stage: string): string {
  const explicit = toSingleLine(labels['source'] ?? labels['host'] ?? '');
  if (explicit !== '') return truncate(explicit, 255);
  const service = toSingleLine(labels['service'] ?? '') || 'vigil';
  return truncate(`${service} (${toSingleLine(stage) || 'unknown stage'})`, 255);
}

/** Renders the event; `action` overrides the one derived from the status (e.g. `acknowledge`). */
export function renderPagerDutyEvent(
  n: Notification,
  opts: LinkOptions & { readonly action?: PagerDutyAction } = {},
): PagerDutyEvent {
  const action = opts.action ?? pagerDutyAction(n);
  const dedupKey = truncate(n.groupKey, PAGERDUTY_LIMITS.dedupKey, '');
  if (action !== 'trigger') return { event_action: action, dedup_key: dedupKey };

  const primary = n.alerts[0];
  const labels = primary?.labels ?? {};
  const total = Math.max(n.totalAlerts, n.alerts.length);
  const vs = primary !== undefined && total <= 1 ? formatValueVsThreshold(primary) : undefined;
  const summaryText = [
    `[${n.stage}]`,
    n.title,
    vs !== undefined ? `(${vs})` : undefined,
    total > 1 ? `(${total} alerts)` : undefined,
  ]
    .filter((p): p is string => p !== undefined)
    .join(' ');
  const links = resolveLinks(n, primary, opts);
  const linkList = [
    links.alarm !== undefined ? { href: links.alarm, text: 'CloudWatch alarm' } : undefined,
    links.dashboard !== undefined ? { href: links.dashboard, text: 'Dashboard' } : undefined,
    links.runbook !== undefined ? { href: links.runbook, text: 'Runbook' } : undefined,
  ].filter((l): l is { href: string; text: string } => l !== undefined);

  const service = labels['service'];
  const alerts = n.alerts.slice(0, PAGERDUTY_MAX_DETAILED_ALERTS).map((a) => ({
    alarm: clip(a.alarmName),
    status: a.status,
    severity: a.severity,
    summary: clip(a.annotations.summary),
    description: clip(a.annotations.description),
    reason: clip(a.annotations.reason),
    value: formatValueVsThreshold(a),
    started: formatTime(a.startsAt),
    region: a.region,
    alarm_arn: a.alarmArn,
    labels: Object.fromEntries(
      Object.entries(a.labels).map(([k, v]): [string, string] => [
        truncate(k, 128),
        truncate(stripControl(v), 1024),
      ]),
    ),
  }));

  return {
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: {
      summary: truncate(toSingleLine(summaryText), PAGERDUTY_LIMITS.summary),
      source: sourceOf(labels, n.stage),
      severity: toPagerDutySeverity(n.severity),
      timestamp:
        primary !== undefined && !Number.isNaN(Date.parse(primary.startsAt))
          ? new Date(primary.startsAt).toISOString()
          : undefined,
      component: clip(labels['component'] ?? service, 255),
      group: clip(labels['group'] ?? labels['team'], 255),
      class: clip(labels['class'] ?? primary?.ruleId ?? primary?.alarmName, 255),
      custom_details: {
        status: n.status,
        stage: n.stage,
        notification_id: n.id,
        group_key: n.groupKey,
        alerts_total: total,
        alerts,
        ...(total > alerts.length ? { alerts_not_listed: total - alerts.length } : {}),
        ...(n.reason !== undefined ? { reason: n.reason } : {}),
        ...(n.digest !== undefined
          ? {
              digest: digestLines(n).map((l) => clip(l)),
              digest_alarms: digestAlarms(n, PAGERDUTY_DIGEST_NAMED_ALARMS).alarms.map(
                (a) => `${a.status}: ${clip(a.name)}`,
              ),
              digest_alarms_not_listed: digestAlarms(n, PAGERDUTY_DIGEST_NAMED_ALARMS).more,
              every_alarm: digestRestLines(n).map((l) => clip(l)),
            }
          : {}),
        ...(n.diagnostics !== undefined
          ? { diagnostics: clip(n.diagnostics, PAGERDUTY_LIMITS.diagnostics) }
          : {}),
      },
    },
    links: linkList,
    client: 'Vigil',
    ...(links.dashboard !== undefined ? { client_url: links.dashboard } : {}),
  };
}
