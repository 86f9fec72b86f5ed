/** Links of a notification: CloudWatch console, dashboard and runbook, validated for safe embedding. */
import type { Notification, NotifiedAlert } from '../notification';

/** Where links point when the notification does not say. */
export interface LinkOptions {
  /** Region used for the console link when an alert carries none. */
  readonly consoleRegion?: string;
  /** Dashboard URL used when neither the notification nor the alert names one. */
  readonly dashboardUrl?: string;
}

/** Resolved, safe links; each is an absolute http(s) URL or absent. */
export interface NotificationLinks {
  readonly alarm?: string;
  readonly dashboard?: string;
  readonly runbook?: string;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
// Three links must fit one 3000-character Slack section.
const MAX_URL_LENGTH = 900;

/**
 * Returns the URL normalised when it is absolute http(s) and short enough, else undefined.
 * Characters that end a Slack link or a quoted attribute (`|`, `<`, `>`, `"`, space) come out percent-encoded.
 */
export function safeUrl(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const href = url.href.replace(/[|<>"'` ]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return href.length <= MAX_URL_LENGTH ? href : undefined;
}

function consoleHost(region: string): string {
  if (region.startsWith('cn-')) return 'console.amazonaws.cn';
  if (region.startsWith('us-gov-')) return 'console.amazonaws-us-gov.com';
  return `${region}.console.aws.amazon.com`;
}

/** CloudWatch console URL of an alarm in its region (commercial, China and GovCloud partitions). */
export function alarmConsoleUrl(region: string, alarmName: string): string | undefined {
  if (!REGION.test(region)) return undefined;
  const host = consoleHost(region);
  return `https://${host}/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(alarmName)}`;
}

/** CloudWatch console list of the alarms in ALARM in a region: works with no configuration at all. */
export function alarmListConsoleUrl(region: string | undefined): string | undefined {
  if (region === undefined || !REGION.test(region)) return undefined;
  const host = consoleHost(region);
  return `https://${host}/cloudwatch/home?region=${region}#alarmsV2:?~(state~'ALARM)`;
}

/** Region of an alarm ARN (`arn:aws:cloudwatch:<region>:...`), when it is one. */
function regionOfArn(arn: string | undefined): string | undefined {
  const region = arn?.split(':')[3];
  return region !== undefined && REGION.test(region) ? region : undefined;
}

/** Links for one alert within a notification: the notification's own links win, then the alert's. */
export function resolveLinks(
  n: Notification,
  alert: NotifiedAlert | undefined,
  opts: LinkOptions = {},
): NotificationLinks {
  const region = alert?.region ?? regionOfArn(alert?.alarmArn) ?? opts.consoleRegion;
  const built =
    alert !== undefined && region !== undefined ? alarmConsoleUrl(region, alert.alarmName) : undefined;
  return {
    alarm: safeUrl(n.links.alarm) ?? safeUrl(alert?.annotations.alarmUrl) ?? built,
    dashboard:
      safeUrl(n.links.dashboard) ?? safeUrl(alert?.annotations.dashboardUrl) ?? safeUrl(opts.dashboardUrl),
    runbook: safeUrl(n.links.runbook) ?? safeUrl(alert?.annotations.runbookUrl),
  };
}
