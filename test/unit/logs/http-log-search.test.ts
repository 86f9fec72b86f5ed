import { createHttpLogSearch } from '../../../shared/logs/http-log-search';
import { expectedSignature, startPeer } from '../../support/sigv4-peer';
import type { SeenRequest } from '../../support/sigv4-peer';

const serve = (answer: (seen: SeenRequest) => { status: number; body: string }) => startPeer(answer);

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
