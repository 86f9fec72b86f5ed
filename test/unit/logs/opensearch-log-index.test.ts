import { toBulkItem } from '../../../shared/logs/bulk-chunks';
import type { IndexableLog } from '../../../shared/logs/log-document';
import { LogIndexUnavailableError, LogRequestTooLargeError } from '../../../shared/logs/log-errors';
import {
  createOpenSearchHttp,
  OpenSearchLogIndex,
  OpenSearchRequestError,
} from '../../../shared/logs/opensearch-log-index';
import { expectedSignature, startPeer } from '../../support/sigv4-peer';
import type { PeerAnswer, SigV4Peer } from '../../support/sigv4-peer';

const log = (id: string): IndexableLog => ({
  index: 'logs-application-2024.01.01',
  id,
  original: `line ${id}`,
  document: {
    '@timestamp': '2024-01-01T00:00:00.000Z',
    level: 'info',
    message: `line ${id}`,
    category: 'application',
    log_group: '/g',
    log_stream: 's',
    event_id: id,
    event_time: '2024-01-01T00:00:00.000Z',
    format: 'text',
    timestamp_source: 'arrival',
  },
});
const items = ['a', 'b', 'c'].map((id) => toBulkItem(log(id)));

let peer: SigV4Peer | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

async function bulkAgainst(answer: () => PeerAnswer, timeoutMs = 2000) {
  peer = await startPeer(answer);
  return new OpenSearchLogIndex(
    createOpenSearchHttp({ endpoint: peer.url, sign: false, requestTimeoutMs: timeoutMs }),
  ).bulk(items);
}

describe('OpenSearchLogIndex', () => {
  it('sends the NDJSON of every item and maps each item answer, a missing one as throttled', async () => {
    // Arrange
    const answer = {
      status: 200,
      body: JSON.stringify({
        errors: true,
        items: [
          { index: { status: 201 } },
          { index: { status: 400, error: { type: 'mapper_parsing_exception', reason: 'bad field' } } },
        ],
      }),
    };
    // Act
    const results = await bulkAgainst(() => answer);
    // Assert
    expect(peer?.seen[0]?.url).toMatch(/^\/_bulk\?filter_path=/);
    expect(peer?.seen[0]?.body).toBe(items.map((i) => i.ndjson).join(''));
    expect(results).toEqual([
      { id: 'a', status: 201 },
      { id: 'b', status: 400, errorType: 'mapper_parsing_exception', reason: 'bad field' },
      { id: 'c', status: 429, errorType: 'missing_item_result' },
    ]);
  });

  it.each([
    ['413', (): PeerAnswer => ({ status: 413, body: '' }), LogRequestTooLargeError],
    ['429', (): PeerAnswer => ({ status: 429, body: '{"error":"busy"}' }), LogIndexUnavailableError],
    [
      '502 with HTML',
      (): PeerAnswer => ({ status: 502, body: '<html>Bad Gateway</html>' }),
      LogIndexUnavailableError,
    ],
    ['200 with HTML', (): PeerAnswer => ({ status: 200, body: '<html>' }), LogIndexUnavailableError],
    [
      '200 of another shape',
      (): PeerAnswer => ({ status: 200, body: '{"items":[{"index":{}}]}' }),
      LogIndexUnavailableError,
    ],
    ['a reset connection', (): PeerAnswer => 'reset', LogIndexUnavailableError],
    ['no answer in time', (): PeerAnswer => 'hang', LogIndexUnavailableError],
    ['403', (): PeerAnswer => ({ status: 403, body: '{"message":"forbidden"}' }), OpenSearchRequestError],
  ])('maps %s to %p', async (_name, answer, type) => {
    // Arrange / Act
    const bulk = bulkAgainst(answer, 500);
    // Assert
    await expect(bulk).rejects.toBeInstanceOf(type);
  });

  it('signs for es in the region with the given credentials', async () => {
    // Arrange
    peer = await startPeer(() => ({ status: 200, body: '{"items":[]}' }));
    const http = createOpenSearchHttp({
      endpoint: peer.url,
      sign: true,
      region: 'eu-west-1',
      credentials: () => Promise.resolve({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }),
    });
    // Act
    await http.request('POST', '/_bulk', { body: '{}\n', query: { refresh: 'true' } });
    // Assert
    const seen = peer.seen[0];
    if (seen === undefined) throw new Error('nothing reached the peer');
    expect(String(seen.headers.authorization)).toMatch(
      /Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/es\/aws4_request/,
    );
    expect(String(seen.headers.authorization)).toContain(`Signature=${expectedSignature(seen, 'secret')}`);
  });

  it('refuses to sign without credentials or a region', () => {
    // Arrange / Act / Assert
    expect(() => createOpenSearchHttp({ endpoint: 'https://x', sign: true, region: 'eu-west-1' })).toThrow(
      'credentials are needed to sign OpenSearch requests',
    );
    expect(() =>
      createOpenSearchHttp({
        endpoint: 'https://x',
        sign: true,
        credentials: () => Promise.resolve({ accessKeyId: 'a', secretAccessKey: 'b' }),
      }),
    ).toThrow('a region is needed to sign OpenSearch requests');
  });
});
