/** SMS rendering that always fits one segment, and the SNS message attributes for SMS. */
import type { Notification } from '../notification';
import { digestHeadline } from './digest';
import { formatValue, formatValueVsThreshold, toSingleLine } from './text';

/** Septets in one GSM-7 segment. */
export const SMS_GSM7_LIMIT = 160;
/** UTF-16 code units in one UCS-2 segment. */
export const SMS_UCS2_LIMIT = 70;

const GSM7_BASIC = new Set(
  Array.from(
    '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
  ),
);
// Extension-table characters cost an escape septet plus their own.
const GSM7_EXTENDED = new Set(Array.from('^{}\\[~]|€'));

/** How a text is encoded as SMS and what it costs. */
export interface SmsSegmentInfo {
  readonly encoding: 'GSM-7' | 'UCS-2';
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  readonly units: number;
  /** The one-segment limit for that encoding. */
  readonly limit: number;
}

function gsmCost(ch: string): number | undefined {
  if (GSM7_BASIC.has(ch)) return 1;
  if (GSM7_EXTENDED.has(ch)) return 2;
  return undefined;
}

/** Encoding and size of `text` as one SMS. */
export function smsSegmentInfo(text: string): SmsSegmentInfo {
  let septets = 0;
  for (const ch of text) {
    const cost = gsmCost(ch);
    if (cost === undefined) return { encoding: 'UCS-2', units: text.length, limit: SMS_UCS2_LIMIT };
    septets += cost;
  }
  return { encoding: 'GSM-7', units: septets, limit: SMS_GSM7_LIMIT };
}

/** True when `text` is one SMS segment. */
export function fitsOneSegment(text: string): boolean {
  const info = smsSegmentInfo(text);
  return info.units <= info.limit;
}

/** Folds typographic characters to GSM-7 equivalents so more text fits into 160 rather than 70. */
function foldTowardsGsm(text: string): string {
  return text
    .replace(/[\u2018\u2019\u201a\u2032]/g, "'")
    .replace(/[\u201c\u201d\u201e\u2033]/g, '"')
    .replace(/[\u2013\u2014\u2212]/g, '-')
    .replace(/\u2026/g, '...')
    .replace(/[\u00a0\u2000-\u200b]/g, ' ');
}

function isGsm(text: string): boolean {
  return smsSegmentInfo(text).encoding === 'GSM-7';
}

/** Cuts `middle` so `prefix + middle + suffix` is one segment in the encoding the whole text needs. */
function fitMiddle(prefix: string, middle: string, suffix: string): string {
  const whole = prefix + middle + suffix;
  if (fitsOneSegment(whole)) return whole;
  const gsm = isGsm(whole);
  const ellipsis = gsm ? '...' : '…';
  const cost = (s: string): number => (gsm ? smsSegmentInfo(s).units : s.length);
  const limit = gsm ? SMS_GSM7_LIMIT : SMS_UCS2_LIMIT;
  const budget = limit - cost(prefix) - cost(suffix) - cost(ellipsis);
  let used = 0;
  let kept = '';
  for (const ch of middle) {
    const c = gsm ? (gsmCost(ch) ?? 1) : ch.length;
    if (used + c > budget) break;
    used += c;
    kept += ch;
  }
  const fitted = prefix + kept.trimEnd() + ellipsis + suffix;
  // Prefix and suffix are ASCII, so this only triggers if they alone overflow: keep the id.
  return fitsOneSegment(fitted) ? fitted : (prefix.trim() + suffix).slice(0, SMS_UCS2_LIMIT);
}

// Every character counts in an SMS: skip the value when the summary already states it.
function mentionsValue(summary: string, a: { readonly value?: number; readonly unit?: string }): boolean {
  return a.value !== undefined && summary.includes(formatValue(a.value, a.unit));
}

/** Short alert id shown in the SMS (prefix of the group key), enough to find the alert from the CLI. */
export function smsAlertId(n: Notification): string {
  return (
    toSingleLine(n.groupKey)
      .replace(/[^A-Za-z0-9._:-]/g, '')
      .slice(0, 12) || 'unknown'
  );
}

/** Characters of text an SMS keeps beside its acknowledge link; a longer link is left out. */
export const SMS_MIN_TEXT_WITH_LINK = 40;

/** How an SMS is rendered. */
export interface SmsRenderOptions {
  /** The one-click acknowledge link; it takes the place of the `id:` (its page names the alert). @default none */
  readonly ackUrl?: string;
}

/**
 * Renders one SMS segment: `[CRITICAL] checkout: Error rate above 5% 7.2% > 5% id:ab12cd34ef56`,
 * or with an acknowledge link `[CRITICAL] checkout: Error rate above 5% 7.2% > 5% https://.../l/...`.
 * At most 160 GSM-7 septets, or 70 UTF-16 units when the text needs UCS-2 (emoji, CJK); a link
 * goes only into a GSM-7 message that keeps at least {@link SMS_MIN_TEXT_WITH_LINK} characters of text.
 */
export function renderSms(n: Notification, opts: SmsRenderOptions = {}): string {
  if (n.digest !== undefined) return renderDigestSms(n);
  const primary = n.alerts[0];
  const tag =
    n.status === 'resolved' ? `[RESOLVED ${n.severity.toUpperCase()}]` : `[${n.severity.toUpperCase()}]`;
  const service = primary?.labels['service'];
  const total = Math.max(n.totalAlerts, n.alerts.length);
  const headline = digestHeadline(n);
  const summary =
    headline !== undefined
      ? `${n.title}: ${headline}`
      : total > 1
        ? `${n.title} (${total} alerts)`
        : (primary?.annotations.summary ?? n.title);
  const vs =
    n.status === 'firing' && total <= 1 && primary !== undefined && !mentionsValue(summary, primary)
      ? formatValueVsThreshold(primary)
      : undefined;
  const middleRaw = [service !== undefined ? `${service}:` : undefined, summary, vs]
    .filter((p): p is string => p !== undefined && p !== '')
    .join(' ');
  const middle = foldTowardsGsm(toSingleLine(middleRaw));
  const link = opts.ackUrl === undefined ? undefined : ` ${opts.ackUrl}`;
  if (link !== undefined && n.status === 'firing') {
    const withLink = fitMiddle(`${tag} `, middle, link);
    const info = smsSegmentInfo(withLink);
    const text = withLink.length - tag.length - link.length - 1;
    if (
      info.encoding === 'GSM-7' &&
      withLink.endsWith(link) &&
      text >= Math.min(SMS_MIN_TEXT_WITH_LINK, middle.length)
    ) {
      return withLink;
    }
  }
  return fitMiddle(`${tag} `, middle, ` id:${smsAlertId(n)}`);
}

/**
 * A storm digest in one segment: `[CRITICAL] Storm: 48 firing, 3 resolved; svc00 12, svc01 9
 * digest:s1201-0301.2`; `vigil digests show <id>` lists every alarm it covers.
 */
function renderDigestSms(n: Notification): string {
  const d = n.digest;
  const tag =
    n.status === 'resolved' ? `[RESOLVED ${n.severity.toUpperCase()}]` : `[${n.severity.toUpperCase()}]`;
  const services = Object.entries(d?.byService ?? {})
    .sort(([, a], [, b]) => b - a)
    .slice(0, 3)
    .map(([svc, count]) => `${svc} ${count}`)
    .join(', ');
  const counts = `Storm: ${d?.firing ?? 0} firing, ${d?.resolved ?? 0} resolved`;
  const middle = foldTowardsGsm(toSingleLine(services === '' ? counts : `${counts}; ${services}`));
  const id =
    toSingleLine(d?.id ?? '')
      .replace(/[^A-Za-z0-9._:-]/g, '')
      .slice(0, 24) || smsAlertId(n);
  return fitMiddle(`${tag} `, middle, ` digest:${id}`);
}

/** SMS delivery settings from config. */
export interface SmsSettings {
  /** Alphanumeric sender id (1-11 characters, at least one letter); not supported in every country. */
  readonly senderId?: string;
  /** `Transactional` (delivery-optimised, for alerts) or `Promotional`. */
  readonly smsType?: 'Transactional' | 'Promotional';
}

/** A string SNS message attribute; structurally what the SNS client's `MessageAttributeValue` accepts. */
export interface SnsStringAttribute {
  readonly DataType: 'String';
  readonly StringValue: string;
}

const SENDER_ID = /^(?=.*[A-Za-z])[A-Za-z0-9]{1,11}$/;

/** True when `senderId` is a valid SNS alphanumeric sender id. */
export function isValidSenderId(senderId: string): boolean {
  return SENDER_ID.test(senderId);
}

/** Message attributes for an SNS Publish that reaches SMS subscribers: transactional, with the sender id. */
export function smsPublishAttributes(settings: SmsSettings = {}): Record<string, SnsStringAttribute> {
  const attributes: Record<string, SnsStringAttribute> = {
    'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: settings.smsType ?? 'Transactional' },
  };
  if (settings.senderId !== undefined) {
    if (!isValidSenderId(settings.senderId)) {
      throw new RangeError('senderId must be 1-11 letters or digits with at least one letter');
    }
    attributes['AWS.SNS.SMS.SenderID'] = { DataType: 'String', StringValue: settings.senderId };
  }
  return attributes;
}
