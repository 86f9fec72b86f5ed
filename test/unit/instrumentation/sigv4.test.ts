import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import * as fc from 'fast-check';
import { createSigV4Signer, uriEscape } from '../../../shared/adapters/sigv4';

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytesOf = (data: SourceData): Buffer =>
  typeof data === 'string'
    ? Buffer.from(data, 'utf8')
    : data instanceof ArrayBuffer
      ? Buffer.from(data)
      : Buffer.from(data.buffer, data.byteOffset, data.byteLength);

/** SHA-256 and HMAC-SHA-256 in the shape the SDK's signer takes. */
class Sha256 {
  private readonly hash;
  public constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(secret));
  }
  public update(data: SourceData): void {
    this.hash.update(bytesOf(data));
  }
  public digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

const segment = fc.stringMatching(/^[A-Za-z0-9._~*,:@!$'()+=%-]{0,12}$/);
const requestArb = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
  segments: fc.array(fc.oneof(segment, fc.constantFrom('.', '..', '')), { maxLength: 5 }),
  trailingSlash: fc.boolean(),
  query: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 12 }), { maxKeys: 4 }),
  headers: fc.dictionary(
    fc.constantFrom('x-amz-target', 'Content-Type', 'x-custom', 'User-Agent', 'X-Amzn-Trace-Id', 'date'),
    fc.string({ maxLength: 16 }).map((v) => ` ${v.replace(/[^\x20-\x7e]/g, 'x')}  two  spaces `),
    { maxKeys: 4 },
  ),
  body: fc.option(fc.string({ maxLength: 64 }), { nil: undefined }),
  sessionToken: fc.option(fc.string({ minLength: 1, maxLength: 12 }), { nil: undefined }),
  applyChecksum: fc.boolean(),
  at: fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }),
});

describe('SigV4 signer', () => {
  it('signs every generated request exactly as the SDK signer does', async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, async (r) => {
        // Arrange
        const path = `/${r.segments.map(uriEscape).join('/')}${r.trailingSlash ? '/' : ''}`;
        const credentials = () =>
          Promise.resolve({
            accessKeyId: 'AKIDEXAMPLE',
            secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
            ...(r.sessionToken === undefined ? {} : { sessionToken: r.sessionToken }),
          });
        const headers = { ...r.headers, host: 'dynamodb.eu-west-1.amazonaws.com' };
        const signingDate = new Date(r.at);
        const ours = createSigV4Signer({
          service: 'dynamodb',
          region: 'eu-west-1',
          credentials,
          applyChecksum: r.applyChecksum,
        });
        const sdk = new SignatureV4({
          service: 'dynamodb',
          region: 'eu-west-1',
          credentials,
          sha256: Sha256,
          applyChecksum: r.applyChecksum,
        });

        // Act
        const mine = await ours.sign(
          {
            method: r.method,
            path,
            query: r.query,
            headers,
            ...(r.body === undefined ? {} : { body: r.body }),
          },
          { signingDate },
        );
        const theirs = await sdk.sign(
          {
            method: r.method,
            protocol: 'https:',
            hostname: 'dynamodb.eu-west-1.amazonaws.com',
            path,
            query: r.query,
            headers,
            ...(r.body === undefined ? {} : { body: r.body }),
          },
          { signingDate },
        );

        // Assert
        expect(mine.headers).toEqual(theirs.headers);
      }),
      { numRuns: 500 },
    );
  });

  it('reuses the signing key within a day and derives a new one the next day', async () => {
    // Arrange
    const signer = createSigV4Signer({
      service: 'sqs',
      region: 'eu-west-1',
      credentials: () => Promise.resolve({ accessKeyId: 'AKID', secretAccessKey: 'secret' }),
    });
    const request = {
      method: 'POST',
      path: '/',
      headers: { host: 'sqs.eu-west-1.amazonaws.com' },
      body: '{}',
    };

    // Act
    const first = await signer.sign(request, { signingDate: new Date('2026-12-01T23:59:59Z') });
    const again = await signer.sign(request, { signingDate: new Date('2026-12-01T23:59:59Z') });
    const next = await signer.sign(request, { signingDate: new Date('2026-12-02T00:00:01Z') });

    // Assert
    expect(again.headers['authorization']).toBe(first.headers['authorization']);
    expect(next.headers['authorization']).toContain('Credential=AKID/20261202/eu-west-1/sqs/aws4_request');
    expect(next.headers['authorization']).not.toBe(first.headers['authorization']);
  });
});
