import { createHash, createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpLogSearch } from '../../../shared/logs/http-log-search';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

const hmac = (key: Buffer | string, text: string): Buffer => createHmac('sha256', key).update(text).digest();
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
/** RFC 3986 escaping as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
const escape = (text: string): string =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Recomputes a SigV4 signature from the request as received, per AWS's published algorithm. */
function expectedSignature(seen: Seen, secret: string): string {
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

async function serve(
  answer: (seen: Seen) => { status: number; body: string },
): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
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
      const { status, body } = answer(request);
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const QUERY = {
  service: 'checkout',
  level: 'error',
  from: new Date('2026-11-26T13:30:00Z'),
  to: new Date('2026-11-26T14:00:00Z'),
  size: 5,
} as const;

const HIT = {
  _id: 'a1',
  _index: 'logs-application-2026.11.26',
  _source: {
    '@timestamp': '2026-11-26T13:58:00.000Z',
    level: 'error',
    message: 'upstream 503',
    service: 'checkout',
    category: 'application',
    logGroup: '/dokkerr/dev/checkout',
    logStream: 's',
  },
  sort: [1, 'a1'],
};

describe('createHttpLogSearch', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
    process.env.AWS_SESSION_TOKEN = 'session-token-example';
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it('signs the search with SigV4 for service es in the region, and the signature verifies', async () => {
    // Arrange
    const server = await serve(() => ({ status: 200, body: JSON.stringify({ hits: { hits: [HIT] } }) }));
    const search = createHttpLogSearch({ endpoint: server.url, sign: true, region: 'eu-west-1' });
    // Act
    const page = await search(QUERY);
    await server.close();
    // Assert
    const seen = server.seen[0];
    if (!seen) throw new Error('no request reached the server');
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/logs-*/_search?ignore_unavailable=true&allow_no_indices=true');
    expect(String(seen.headers.authorization)).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/es\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
    expect(seen.headers['x-amz-security-token']).toBe('session-token-example');
    const signature = /Signature=([0-9a-f]{64})/.exec(String(seen.headers.authorization))?.[1];
    expect(signature).toBe(expectedSignature(seen, 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'));
    expect(expectedSignature(seen, 'another-secret')).not.toBe(signature);
    expect(JSON.parse(seen.body)).toMatchObject({ size: 5 });
    expect(page.hits.map((h) => h.message)).toEqual(['upstream 503']);
  });

  it('sends no signature when signing is off', async () => {
    const server = await serve(() => ({ status: 200, body: JSON.stringify({ hits: { hits: [] } }) }));
    const page = await createHttpLogSearch({ endpoint: server.url, sign: false })(QUERY);
    await server.close();
    expect(server.seen[0]?.headers.authorization).toBeUndefined();
    expect(page.hits).toEqual([]);
  });

  it('names the status and the start of the body when the domain refuses', async () => {
    const server = await serve(() => ({
      status: 403,
      body: '{"message":"User: arn:aws:sts::1:assumed-role/x is not authorized to perform: es:ESHttpPost"}',
    }));
    const search = createHttpLogSearch({ endpoint: server.url, sign: false });
    await expect(search(QUERY)).rejects.toThrow(/^log search answered 403: .*not authorized/);
    await server.close();
  });

  it('says so when the answer is not JSON', async () => {
    const server = await serve(() => ({ status: 200, body: '<html>gateway</html>' }));
    const search = createHttpLogSearch({ endpoint: server.url, sign: false });
    await expect(search(QUERY)).rejects.toThrow('log search answered with a body that is not JSON');
    await server.close();
  });

  it('refuses to sign without a region', () => {
    expect(() => createHttpLogSearch({ endpoint: 'https://search.example.com', sign: true })).toThrow(
      'a region is needed to sign OpenSearch requests',
    );
  });
});
