/**
 * AWS Signature Version 4 over node:crypto, for the lean clients: the canonical request, string to
 * sign and signing key exactly as AWS specifies them (and as the SDK's signer computes them; a test
 * compares the two over generated requests and checks AWS's published test vectors).
 */
import { createHash, createHmac } from 'node:crypto';
import type { AwsCredentialsProvider } from './aws-http';

/** The request to sign: its path as sent (percent-encoded) and its decoded query parameters. */
export interface SignableRequest {
  readonly method: string;
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  /** Must hold `host`. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** Signs requests for one service and region. */
export interface SigV4Signer {
  /** The request's headers plus `x-amz-date`, the session token, the payload hash and `authorization`. */
  sign(
    request: SignableRequest,
    options?: { readonly signingDate?: Date },
  ): Promise<{ readonly headers: Record<string, string> }>;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
// Headers a proxy or the HTTP stack may change in flight, which AWS leaves out of the signature.
const UNSIGNED_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'cache-control',
  'connection',
  'expect',
  'from',
  'keep-alive',
  'max-forwards',
  'pragma',
  'referer',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'x-amzn-trace-id',
]);
const GENERATED_HEADERS: ReadonlySet<string> = new Set(['authorization', 'x-amz-date', 'date']);

const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
const hmac = (key: string | Buffer, text: string): Buffer =>
  createHmac('sha256', key).update(text, 'utf8').digest();

/** RFC 3986 encoding: encodeURIComponent plus the characters it leaves alone that AWS encodes. */
export function uriEscape(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The canonical URI: dot segments and empty segments removed, then encoded once more (not S3). */
function canonicalPath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${
    segments.length > 0 && path.endsWith('/') ? '/' : ''
  }`;
  return uriEscape(normalized).replace(/%2F/g, '/');
}

function canonicalQuery(query: Readonly<Record<string, string>>): string {
  return Object.entries(query)
    .filter(([name]) => name.toLowerCase() !== 'x-amz-signature')
    .map(([name, value]) => [uriEscape(name), `${uriEscape(name)}=${uriEscape(value)}`] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, pair]) => pair)
    .join('&');
}

const amzDate = (date: Date): string =>
  date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');

/** A SigV4 signer; `applyChecksum` adds `x-amz-content-sha256` (on by default, as in the SDK). */
export function createSigV4Signer(options: {
  readonly service: string;
  readonly region: string;
  readonly credentials: AwsCredentialsProvider;
  readonly applyChecksum?: boolean;
}): SigV4Signer {
  const applyChecksum = options.applyChecksum ?? true;
  // The signing key changes with the day and the credentials: one HMAC chain per day, not per request.
  let cachedKey: { readonly id: string; readonly key: Buffer } | undefined;
  const signingKey = (secret: string, accessKeyId: string, day: string): Buffer => {
    const id = `${accessKeyId}/${day}`;
    if (cachedKey?.id === id) return cachedKey.key;
    const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), options.region), options.service), 'aws4_request');
    cachedKey = { id, key };
    return key;
  };

  return {
    async sign(request, signOptions = {}) {
      const credentials = await options.credentials();
      const longDate = amzDate(signOptions.signingDate ?? new Date());
      const day = longDate.slice(0, 8);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (!GENERATED_HEADERS.has(name.toLowerCase())) headers[name] = value;
      }
      headers['x-amz-date'] = longDate;
      if (credentials.sessionToken !== undefined) headers['x-amz-security-token'] = credentials.sessionToken;
      const given = Object.keys(headers).find((name) => name.toLowerCase() === 'x-amz-content-sha256');
      const payloadHash = given !== undefined ? (headers[given] ?? '') : sha256Hex(request.body ?? '');
      if (given === undefined && applyChecksum) headers['x-amz-content-sha256'] = payloadHash;

      const signed = Object.entries(headers)
        .map(([name, value]) => [name.toLowerCase(), value.trim().replace(/\s+/g, ' ')] as const)
        .filter(
          ([name]) => !UNSIGNED_HEADERS.has(name) && !name.startsWith('proxy-') && !name.startsWith('sec-'),
        )
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const signedHeaders = signed.map(([name]) => name).join(';');
      const canonicalRequest = [
        request.method,
        canonicalPath(request.path),
        canonicalQuery(request.query ?? {}),
        signed.map(([name, value]) => `${name}:${value}\n`).join(''),
        signedHeaders,
        payloadHash,
      ].join('\n');
      const scope = `${day}/${options.region}/${options.service}/aws4_request`;
      const stringToSign = `${ALGORITHM}\n${longDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
      const signature = createHmac(
        'sha256',
        signingKey(credentials.secretAccessKey, credentials.accessKeyId, day),
      )
        .update(stringToSign, 'utf8')
        .digest('hex');
      headers['authorization'] =
        `${ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, ` +
        `SignedHeaders=${signedHeaders}, Signature=${signature}`;
      return { headers };
    },
  };
}
