/**
 * One-click links for email and SMS: a short token that carries the alert, the action, the channel
 * and an expiry, sealed with an HMAC so none of them can be changed. 24 bytes, 32 URL-safe
 * characters, so a link fits an SMS beside its text.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a link can do. */
export const LINK_ACTIONS = ['ack', 'silence-1h'] as const;
/** What a link can do. */
export type LinkAction = (typeof LINK_ACTIONS)[number];
/** Where a link was sent. */
export const LINK_CHANNELS = ['email', 'sms'] as const;
/** Where a link was sent. */
export type LinkChannel = (typeof LINK_CHANNELS)[number];

/** What a token says. */
export interface LinkClaims {
  /** The alert's fingerprint: 20 lower-case hex characters. */
  readonly fingerprint: string;
  readonly action: LinkAction;
  readonly channel: LinkChannel;
  /** Epoch ms, whole minutes: the link works before this time. */
  readonly expiresAt: number;
}

/** Why a token was refused. */
export type LinkTokenProblem = 'malformed' | 'signature' | 'expired';

/** Characters of a token. */
export const LINK_TOKEN_LENGTH = 32;

const FINGERPRINT = /^[0-9a-f]{20}$/;
const TOKEN = /^[A-Za-z0-9_-]{32}$/;
const PAYLOAD_BYTES = 15;
const MAC_BYTES = 9;
// Domain separation: a MAC made for anything else with the same key never verifies here.
const CONTEXT = 'vigil-link-v1\u0000';

function mac(key: string, payload: Buffer): Buffer {
  return createHmac('sha256', key).update(CONTEXT).update(payload).digest().subarray(0, MAC_BYTES);
}

/** Seals the claims into a token; the expiry is rounded down to the minute. */
export function signLinkToken(key: string, claims: LinkClaims): string {
  if (!FINGERPRINT.test(claims.fingerprint)) {
    throw new RangeError(`link token: "${claims.fingerprint}" is not an alert fingerprint`);
  }
  const minutes = Math.floor(claims.expiresAt / 60_000);
  if (!Number.isSafeInteger(minutes) || minutes < 0 || minutes > 0xffffffff) {
    throw new RangeError('link token: expiry out of range');
  }
  const payload = Buffer.alloc(PAYLOAD_BYTES);
  Buffer.from(claims.fingerprint, 'hex').copy(payload, 0);
  payload.writeUInt8((LINK_CHANNELS.indexOf(claims.channel) << 4) | LINK_ACTIONS.indexOf(claims.action), 10);
  payload.writeUInt32BE(minutes, 11);
  return Buffer.concat([payload, mac(key, payload)]).toString('base64url');
}

/**
 * Opens a token: its MAC first (a changed alert, action, channel or expiry fails here), then its
 * expiry. Comparison is constant-time.
 */
export function verifyLinkToken(
  key: string,
  token: string,
  now: number,
):
  | { readonly ok: true; readonly claims: LinkClaims }
  | { readonly ok: false; readonly problem: LinkTokenProblem } {
  if (!TOKEN.test(token)) return { ok: false, problem: 'malformed' };
  const bytes = Buffer.from(token, 'base64url');
  if (bytes.length !== PAYLOAD_BYTES + MAC_BYTES) return { ok: false, problem: 'malformed' };
  const payload = bytes.subarray(0, PAYLOAD_BYTES);
  if (!timingSafeEqual(bytes.subarray(PAYLOAD_BYTES), mac(key, payload))) {
    return { ok: false, problem: 'signature' };
  }
  const code = payload.readUInt8(10);
  const action = LINK_ACTIONS[code & 0x0f];
  const channel = LINK_CHANNELS[code >> 4];
  if (action === undefined || channel === undefined) return { ok: false, problem: 'malformed' };
  const expiresAt = payload.readUInt32BE(11) * 60_000;
  if (now >= expiresAt) return { ok: false, problem: 'expired' };
  return {
    ok: true,
    claims: { fingerprint: payload.subarray(0, 10).toString('hex'), action, channel, expiresAt },
  };
}
