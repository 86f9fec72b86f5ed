// A local HTTP peer for the log pipeline's signed HTTP adapters: records what it receives, answers
// as told, and recomputes SigV4 signatures per AWS's published algorithm (independently of the
// signer under test).
import { createHash, createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the peer received it. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** What the peer answers; `reset` closes the connection without an answer. */
export type PeerAnswer = { readonly status: number; readonly body: string } | 'reset' | 'hang';

const hmac = (key: Buffer | string, text: string): Buffer => createHmac('sha256', key).update(text).digest();
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
/** RFC 3986 escaping as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
const escape = (text: string): string =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Recomputes a SigV4 signature from the request as received. */
export function expectedSignature(seen: SeenRequest, secret: string): string {
  const auth = String(seen.headers.authorization);
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(auth)?.[1]?.split(';') ?? [];
  const scope = /Credential=[^/]+\/([^,]+)/.exec(auth)?.[1] ?? '';
  const [date = '', region = '', service = ''] = scope.split('/');
  const url = new URL(seen.url, 'http://x');
  const query = [...url.searchParams.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${escape(k)}=${escape(v)}`)
    .join('&');
  const canonical = [
    seen.method,
    // Outside S3 the path is escaped once more than it travelled.
    url.pathname.split('/').map(escape).join('/'),
    query,
    ...signedHeaders.map((h) => `${h}:${String(seen.headers[h]).trim()}`),
    '',
    signedHeaders.join(';'),
    sha256(seen.body),
  ].join('\n');
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    String(seen.headers['x-amz-date']),
    scope,
    sha256(canonical),
  ].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
  return hmac(key, stringToSign).toString('hex');
}

/** A running peer. */
export interface SigV4Peer {
  readonly url: string;
  readonly seen: SeenRequest[];
  close(): Promise<void>;
}

/** Starts a peer on 127.0.0.1 that answers each request with `answer(request)`. */
export async function startPeer(answer: (seen: SeenRequest) => PeerAnswer): Promise<SigV4Peer> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(request);
      const reply = answer(request);
      if (reply === 'reset') {
        req.socket.destroy();
        return;
      }
      if (reply === 'hang') return;
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
