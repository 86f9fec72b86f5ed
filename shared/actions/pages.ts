/**
 * The pages a one-click link opens: a confirmation page that names the alert (a link scanner that
 * fetches the link changes nothing), and the result page after the confirming click.
 */
import type { AlertRecord } from '../domain/alert-record';
import type { LinkAction } from '../domain/actions/link-token';
import type { ActionResponse } from './http';

/** What a link does, as a person reads it. */
export const LINK_ACTION_WORDS: Readonly<Record<LinkAction, { verb: string; done: string }>> = {
  ack: { verb: 'Acknowledge', done: 'acknowledged' },
  'silence-1h': { verb: 'Silence for 1 hour', done: 'silenced for 1 hour' },
};

// The token is in the URL: no referrer may carry it away, no cache may keep the page, no frame may
// embed it, and the page runs no script at all.
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function page(status: number, title: string, body: string): ActionResponse {
  return {
    status,
    headers: PAGE_HEADERS,
    body: `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
button{font-size:1.1rem;padding:.6rem 1.4rem;cursor:pointer}dt{font-weight:600}dd{margin:0 0 .5rem 0}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
${body}
</body></html>
`,
  };
}

function alertFacts(alert: AlertRecord, now: number): string {
  const since =
    alert.startsAt === undefined ? '' : new Date(alert.startsAt).toISOString().replace('.000Z', 'Z');
  const minutes =
    alert.startsAt === undefined ? undefined : Math.max(0, Math.round((now - alert.startsAt) / 60_000));
  return `<dl>
<dt>Alert</dt><dd>${escapeHtml(alert.alarmName)}</dd>
<dt>Service</dt><dd>${escapeHtml(alert.labels['service'] ?? 'unknown')} (${escapeHtml(alert.severity)})</dd>
<dt>Summary</dt><dd>${escapeHtml(alert.annotations.summary)}</dd>
<dt>Status</dt><dd>${escapeHtml(alert.status)}${since ? `, since ${escapeHtml(since)}` : ''}${minutes === undefined ? '' : ` (${minutes} min)`}</dd>
${alert.ack ? `<dt>Acknowledged</dt><dd>by ${escapeHtml(alert.ack.by)}</dd>` : ''}
</dl>`;
}

/** The confirmation page: names the alert and asks for the click that acts. */
export function confirmPage(alert: AlertRecord, action: LinkAction, now: number): ActionResponse {
  const words = LINK_ACTION_WORDS[action];
  if (alert.status !== 'firing') {
    return page(
      200,
      `${alert.alarmName} is ${alert.status}`,
      `${alertFacts(alert, now)}
<p>The alert is not firing: there is nothing to ${escapeHtml(words.verb.toLowerCase())}.</p>`,
    );
  }
  return page(
    200,
    `${words.verb} ${alert.alarmName}?`,
    `${alertFacts(alert, now)}
<form method="post"><input type="hidden" name="confirm" value="yes">
<button type="submit">${escapeHtml(words.verb)}</button></form>
<p>Nothing happens until you press the button. The link works once.</p>`,
  );
}

/** The page after the action. */
export function resultPage(alert: AlertRecord, text: string, now: number): ActionResponse {
  return page(200, text, alertFacts(alert, now));
}

/** A refusal as a page (links are opened in a browser). */
export function errorPage(status: number, message: string): ActionResponse {
  return page(status, 'This link cannot be used', `<p>${escapeHtml(message)}</p>`);
}
