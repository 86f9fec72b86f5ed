// Fault scenarios of the log path: the real indexer against a real OpenSearch node, through a proxy
// that answers 429, 413 and 5xx, resets connections and loses answers after the node applied the
// bulk; then the node itself is killed and restarted in the middle of the bulks.
import type { Client } from '@opensearch-project/opensearch';
import { ingestLogPayload } from '../../../shared/logs/ingest-log-payload';
import type { IngestLogResult } from '../../../shared/logs/ingest-log-payload';
import { InMemoryDeadLetterSink } from '../../../shared/logs/log-ports';
import type { LogIndex } from '../../../shared/logs/log-ports';
import {
  applyLogIndexSetup,
  createOpenSearchHttp,
  OpenSearchLogIndex,
} from '../../../shared/logs/opensearch-log-index';
import { createOpenSearchClient } from '../../support/opensearch-client';
import { dataPayload, eventId } from '../../fixtures/logs/payloads';
import { DeliveryTally, rowFromTally } from '../../support/fault-tally';
import type { FaultProxy, ProxyAction } from '../../support/fault-proxy';
import { startFaultProxy } from '../../support/fault-proxy';
import { startOpenSearchNode } from '../../support/opensearch-node';
import type { RunningOpenSearchNode } from '../../support/opensearch-node';
import { invokeAsync } from './alarm-fault-kit';

jest.setTimeout(300_000);

const SUITE = 'log path';
let node: RunningOpenSearchNode;
let direct: Client;

beforeAll(async () => {
  node = await startOpenSearchNode();
  direct = createOpenSearchClient({ endpoint: node.url });
  await applyLogIndexSetup(createOpenSearchHttp({ endpoint: node.url, sign: false }), {
    replicas: 0,
    retentionDays: 7,
    retention: false,
    shards: 1,
  });
});

afterAll(async () => {
  await direct?.close();
  await node?.stop();
});

/** Payloads of `lines` log lines each, on one day, with ids unique to the scenario. */
function payloads(salt: number, count: number, lines: number, day: number, padding: number) {
  const ids: string[] = [];
  const data = Array.from({ length: count }, (_, p) =>
    dataPayload(
      '/aws/lambda/checkout',
      Array.from({ length: lines }, (_, n) => {
        const id = eventId(p * lines + n, salt);
        ids.push(id);
        return {
          id,
          timestamp: Date.UTC(2024, 5, day, 0, 0, 0) + n,
          message: JSON.stringify({ level: 'info', message: `line ${p}/${n}`, padding: 'x'.repeat(padding) }),
        };
      }),
      `stream-${p}`,
    ),
  );
  return { data, ids, index: `logs-application-2024.06.${String(day).padStart(2, '0')}` };
}

/** Every document id in an index, each as often as it is stored. */
async function storedIds(index: string): Promise<string[]> {
  await direct.indices.refresh({ index });
  const response = await direct.search({
    index,
    body: { query: { match_all: {} }, size: 10_000, _source: false },
  });
  return (response.body.hits.hits as { _id: string }[]).map((hit) => hit._id);
}

/**
 * Ingests like Lambda: a payload whose retries ran out is invoked again, twice at most, after
 * `retryDelay` (Lambda waits about one and then two minutes).
 */
async function ingestAll(
  data: readonly string[],
  deps: Parameters<typeof ingestLogPayload>[1],
  retryDelay: () => Promise<void> = () => Promise.resolve(),
) {
  const results: IngestLogResult[] = [];
  let redelivered = 0;
  const outcomes = await Promise.all(
    data.map((payload) =>
      invokeAsync(
        async () => {
          results.push(await ingestLogPayload(payload, deps));
        },
        2,
        retryDelay,
      ),
    ),
  );
  for (const o of outcomes) redelivered += o.attempts - 1;
  return { results, redelivered, failed: outcomes.filter((o) => o.deadLettered).length };
}

describe('log path under faults', () => {
  it('429, 413, 5xx, resets and lost answers from the domain lose and duplicate nothing', async () => {
    // Arrange: the proxy refuses bulks over 48 KiB (413) and disturbs every other bulk in turn.
    const { data, ids, index } = payloads(41, 6, 300, 1, 400);
    let bulks = 0;
    const faults: Record<string, number> = {};
    const decide = (request: { path: string; bytes: number }): ProxyAction => {
      if (!request.path.startsWith('/_bulk')) return { kind: 'forward' };
      bulks++;
      const pick = (action: ProxyAction, name: string): ProxyAction => {
        faults[name] = (faults[name] ?? 0) + 1;
        return action;
      };
      if (request.bytes > 48 * 1024)
        return pick({ kind: 'respond', status: 413, body: '{"status":413}' }, '413');
      switch (bulks % 8) {
        case 1:
          return pick(
            { kind: 'respond', status: 429, body: '{"error":"too_many_requests","status":429}' },
            '429',
          );
        case 3:
          return pick({ kind: 'respond', status: 503, body: '{"error":"unavailable","status":503}' }, '503');
        case 4:
          return pick({ kind: 'forward-then-fail', status: 500 }, 'applied-then-500');
        case 6:
          return pick({ kind: 'reset' }, 'reset');
        case 7:
          return pick({ kind: 'respond', status: 502, body: 'Bad Gateway' }, '502');
        default:
          return { kind: 'forward' };
      }
    };
    const proxy: FaultProxy = await startFaultProxy(node.url, decide);
    const client = createOpenSearchHttp({ endpoint: proxy.url, sign: false, requestTimeoutMs: 10_000 });
    const sink = new InMemoryDeadLetterSink();
    const tally = new DeliveryTally();
    tally.expect(...ids);
    // Act
    const run = await ingestAll(data, {
      index: new OpenSearchLogIndex(client),
      deadLetters: sink,
      categories: {},
      defaultCategory: 'application',
      limits: { maxBytes: 1024 * 1024, maxCount: 100 },
      retry: { maxAttempts: 12, baseDelayMs: 5, maxDelayMs: 100 },
    });
    await proxy.stop();
    const stored = await storedIds(index);
    for (const id of stored) tally.saw(id);
    const counts = tally.counts();
    const injected = Object.values(faults).reduce((a, b) => a + b, 0);
    rowFromTally(SUITE, 'OpenSearch 429/413/5xx/reset via proxy', counts, {
      faults: injected,
      events: ids.length,
      note: `${Object.entries(faults)
        .map(([k, v]) => `${v}x ${k}`)
        .join(
          ', ',
        )} over ${bulks} bulks; 413 split, _id makes resends overwrites; ${sink.letters.length} dead letters`,
    });
    // Assert
    expect(faults['413']).toBeGreaterThan(0);
    expect(faults['applied-then-500']).toBeGreaterThan(0);
    expect(run.failed).toBe(0);
    expect(sink.letters).toEqual([]);
    expect(counts.lostKeys).toEqual([]);
    expect(stored).toHaveLength(ids.length);
    expect(counts.duplicated + counts.unexpected).toBe(0);
  });

  it('a node killed and restarted in the middle of the bulks loses and duplicates nothing', async () => {
    // Arrange: the node is killed (SIGKILL) once a few bulks have been answered, while others are in flight.
    const { data, ids, index } = payloads(42, 8, 400, 2, 200);
    const client = createOpenSearchHttp({ endpoint: node.url, sign: false, requestTimeoutMs: 5_000 });
    const real = new OpenSearchLogIndex(client);
    let answered = 0;
    let restart: Promise<void> | undefined;
    let restartMs = 0;
    let failedBulks = 0;
    const index_: LogIndex = {
      bulk: async (items) => {
        try {
          const results = await real.bulk(items);
          answered++;
          if (answered === 6) {
            const killedAt = Date.now();
            restart = node.restart('SIGKILL').then(() => {
              restartMs = Date.now() - killedAt;
            });
          }
          return results;
        } catch (error) {
          failedBulks++;
          throw error;
        }
      },
    };
    const sink = new InMemoryDeadLetterSink();
    const tally = new DeliveryTally();
    tally.expect(...ids);
    // Act
    const run = await ingestAll(
      data,
      {
        index: index_,
        deadLetters: sink,
        categories: {},
        defaultCategory: 'application',
        limits: { maxBytes: 1024 * 1024, maxCount: 25 },
        retry: { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 8_000 },
      },
      async () => {
        // A Lambda retry comes a minute or more later: by then a restart that took less is over.
        await restart;
      },
    );
    await restart;
    const stored = await storedIds(index);
    for (const id of stored) tally.saw(id);
    const counts = tally.counts();
    rowFromTally(SUITE, 'OpenSearch node killed + restarted mid-bulk', counts, {
      faults: 1,
      events: ids.length,
      note: `SIGKILL after 6 bulks, healthy again after ${Math.round(restartMs / 1000)} s; ${failedBulks} bulk attempts failed while down, ${run.redelivered} payload re-invocations; acknowledged bulks survived (translog)`,
    });
    // Assert
    expect(restart).toBeDefined();
    // Lambda's two retries come about one and three minutes after the first try.
    expect(restartMs).toBeLessThan(180_000);
    expect(failedBulks).toBeGreaterThan(0);
    expect(run.failed).toBe(0);
    expect(sink.letters).toEqual([]);
    expect(counts.lostKeys).toEqual([]);
    expect(stored).toHaveLength(ids.length);
    expect(counts.duplicated + counts.unexpected).toBe(0);
  });
});
