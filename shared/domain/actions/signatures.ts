/** Request signatures of the peers that call the action endpoint: Slack and PagerDuty. */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Why a signed request was refused. */
export type SignatureProblem = 'missing' | 'malformed' | 'stale' | 'mismatch';

/** Outcome of a signature check. */
export type SignatureCheck =
  { readonly ok: true } | { readonly ok: false; readonly problem: SignatureProblem };

/** How far Slack's request timestamp may be from now, either way. */
export const SLACK_TOLERANCE_SECONDS = 300;
/** Most `v1=` signatures a PagerDuty header may carry (one per active secret). */
const MAX_PAGERDUTY_SIGNATURES = 10;

function sameHex(expected: Buffer, hex: string): boolean {
  if (!/^[0-9a-f]{64}$/i.test(hex)) return false;
  return timingSafeEqual(expected, Buffer.from(hex, 'hex'));
}

/**
 * Slack's request signing: `X-Slack-Signature` is `v0=` + hex HMAC-SHA256 of
 * `v0:<X-Slack-Request-Timestamp>:<raw body>` with the app's signing secret; the timestamp must be
 * within five minutes of now. Compared in constant time.
 */
export function verifySlackSignature(input: {
  readonly secret: string;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
  readonly rawBody: string;
  /** Epoch ms. */
  readonly now: number;
}): SignatureCheck {
  const { timestamp, signature } = input;
  if (timestamp === undefined || signature === undefined) return { ok: false, problem: 'missing' };
  if (!/^\d{1,12}$/.test(timestamp) || !signature.startsWith('v0='))
    return { ok: false, problem: 'malformed' };
  if (Math.abs(input.now / 1000 - Number(timestamp)) > SLACK_TOLERANCE_SECONDS) {
    return { ok: false, problem: 'stale' };
  }
  const expected = createHmac('sha256', input.secret).update(`v0:${timestamp}:${input.rawBody}`).digest();
  return sameHex(expected, signature.slice(3)) ? { ok: true } : { ok: false, problem: 'mismatch' };
}

/**
 * PagerDuty's webhook signing (v3): `X-PagerDuty-Signature` holds one or more comma-separated
 * `v1=<hex>` values, each an HMAC-SHA256 of the raw body with one of the subscription's secrets;
 * any one matching is enough. Compared in constant time.
 */
export function verifyPagerDutySignature(input: {
  readonly secret: string;
  readonly header: string | undefined;
  readonly rawBody: string;
}): SignatureCheck {
  if (input.header === undefined || input.header.trim() === '') return { ok: false, problem: 'missing' };
  const parts = input.header.split(',').map((p) => p.trim());
  if (parts.length > MAX_PAGERDUTY_SIGNATURES) return { ok: false, problem: 'malformed' };
  const expected = createHmac('sha256', input.secret).update(input.rawBody).digest();
  let matched = false;
  for (const part of parts) {
    // Every candidate is compared, so the time taken does not tell which one matched.
    if (part.startsWith('v1=') && sameHex(expected, part.slice(3))) matched = true;
  }
  return matched ? { ok: true } : { ok: false, problem: 'mismatch' };
}
