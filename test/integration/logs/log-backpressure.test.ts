// Throttling: a node with a one-slot write queue answers 429; nothing may be lost or duplicated.
import type { BulkItem } from '../../../shared/logs/bulk-chunks';
import { ingestLogPayload } from '../../../shared/logs/ingest-log-payload';
import { LogIndexUnavailableError } from '../../../shared/logs/log-errors';
import { InMemoryDeadLetterSink } from '../../../shared/logs/log-ports';
import type { BulkItemResult, LogIndex } from '../../../shared/logs/log-ports';
import {
  applyLogIndexSetup,
  createOpenSearchHttp,
  OpenSearchLogIndex,
} from '../../../shared/logs/opensearch-log-index';
import type { OpenSearchHttp } from '../../../shared/logs/opensearch-log-index';
import type { Client } from '@opensearch-project/opensearch';
import { createOpenSearchClient } from '../../support/opensearch-client';
import { dataPayload, eventId } from '../../fixtures/logs/payloads';
import { startOpenSearchNode } from '../../support/opensearch-node';
import type { RunningOpenSearchNode } from '../../support/opensearch-node';

jest.setTimeout(240_000);

/** Counts what the real index answered, passing every call through. */
class CountingLogIndex implements LogIndex {
  public throttledItems = 0;
  public throttledRequests = 0;
  public constructor(private readonly inner: LogIndex) {}
  public async bulk(items: readonly BulkItem[]): Promise<readonly BulkItemResult[]> {
    try {
      const results = await this.inner.bulk(items);
      this.throttledItems += results.filter((result) => result.status === 429).length;
      return results;
    } catch (error) {
      if (error instanceof LogIndexUnavailableError) this.throttledRequests += 1;
      throw error;
    }
  }
}

let node: RunningOpenSearchNode;
let client: OpenSearchHttp;
let direct: Client;

beforeAll(async () => {
  node = await startOpenSearchNode({
    settings: { 'thread_pool.write.size': '1', 'thread_pool.write.queue_size': '1' },
  });
  client = createOpenSearchHttp({ endpoint: node.url, sign: false });
  direct = createOpenSearchClient({ endpoint: node.url });
  await applyLogIndexSetup(client, { replicas: 0, retentionDays: 7, retention: false, shards: 2 });
});

afterAll(async () => {
  await direct?.close();
  await node?.stop();
});

test('concurrent bulks against a saturated write queue lose and duplicate nothing', async () => {
  // Arrange: 8 payloads of 400 lines, sent in bulks of 25 so many requests race for one queue slot.
  const payloads = Array.from({ length: 8 }, (_, p) =>
    dataPayload(
      '/aws/lambda/busy',
      Array.from({ length: 400 }, (_, n) => ({
        id: eventId(n, p + 1),
        timestamp: Date.UTC(2024, 4, 1, 0, 0, 0) + n,
        message: JSON.stringify({ level: 'info', message: `line ${p}/${n}`, padding: 'x'.repeat(200) }),
      })),
      `stream-${p}`,
    ),
  );
  const index = new CountingLogIndex(new OpenSearchLogIndex(client));
  const sink = new InMemoryDeadLetterSink();
  const deps = {
    index,
    deadLetters: sink,
    categories: {},
    defaultCategory: 'application' as const,
    limits: { maxBytes: 1024 * 1024, maxCount: 25 },
    retry: { maxAttempts: 30, baseDelayMs: 20, maxDelayMs: 500 },
  };
  // Act
  const results = await Promise.all(payloads.map((payload) => ingestLogPayload(payload, deps)));
  await direct.indices.refresh({ index: 'logs-application-2024.05.01' });
  const count = await direct.count({ index: 'logs-application-2024.05.01' });
  // Assert
  expect(index.throttledItems + index.throttledRequests).toBeGreaterThan(0);
  expect(results.every((result) => result.status === 'indexed' && result.indexed === 400)).toBe(true);
  expect(sink.letters).toEqual([]);
  expect(count.body.count).toBe(3200);
});
