// Throughput of the log indexer end to end into a real OpenSearch node, against a direct bulk of
// the same documents with the official client, payload by payload in turns. Part of `npm run bench`; alone:
// npx tsx test/bench/log-indexer.bench.ts [--json] [--runs N] [--lines N]
import { parseArgs } from 'node:util';
import type { Client } from '@opensearch-project/opensearch';
import { ingestLogPayload, logsOfPayload } from '../../shared/logs/ingest-log-payload';
import type { IndexableLog } from '../../shared/logs/log-document';
import { InMemoryDeadLetterSink } from '../../shared/logs/log-ports';
import {
  applyLogIndexSetup,
  createOpenSearchHttp,
  OpenSearchLogIndex,
} from '../../shared/logs/opensearch-log-index';
import type { OpenSearchHttp } from '../../shared/logs/opensearch-log-index';
import { decodeSubscriptionPayload } from '../../shared/logs/subscription-payload';
import { createOpenSearchClient } from '../support/opensearch-client';
import { dataPayload, eventId } from '../fixtures/logs/payloads';
import type { FixtureEvent } from '../fixtures/logs/payloads';
import { startOpenSearchNode } from '../support/opensearch-node';
import type { Figures } from './figures';
import { figureOf, ratioFigure } from './figures';

const LOG_GROUP = '/aws/lambda/bench';
const EVENTS_PER_PAYLOAD = 500;

interface Stats {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

function stats(values: readonly number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  return { min: sorted[0] ?? 0, median, max: sorted[sorted.length - 1] ?? 0 };
}

const REQUEST_ID = 'c6af9ac6-7b61-11e6-9a41-93e812345678';

/**
 * A realistic mix of the shapes the parser reads: Powertools JSON, Lambda's JSON format, runtime
 * lines of Node.js (with a stack trace), Python and Java, platform REPORT lines, combined access
 * logs, syslog, logfmt and timed plain text.
 */
export function makeLogEvents(lines: number, salt: number, day: number): FixtureEvent[] {
  return Array.from({ length: lines }, (_, n) => {
    const timestamp = day + n;
    const iso = new Date(timestamp).toISOString();
    const id = eventId(n, salt);
    const at = (message: string): FixtureEvent => ({ id, timestamp, message });
    switch (n % 10) {
      case 0:
        return at(
          JSON.stringify({
            level: n % 20 === 0 ? 'ERROR' : 'INFO',
            message: `order ${n} processed`,
            service: 'checkout',
            timestamp: iso,
            xray_trace_id: `1-65a4f0e0-${String(n).padStart(24, '0')}`,
            function_request_id: `c6af9ac6-7b61-11e6-9a41-${String(n).padStart(12, '0')}`,
            cold_start: false,
            cart: { items: n % 7, currency: 'EUR', total: n * 1.5 },
          }),
        );
      case 1:
        return at(
          `${iso}\t${REQUEST_ID}\tERROR\tError: call ${n} failed\n    at handler (/var/task/index.js:10:5)\n    at run (/var/task/index.js:20:3)\n`,
        );
      case 2:
        return at(
          `REPORT RequestId: ${REQUEST_ID}\tDuration: ${n % 300}.25 ms\tBilled Duration: 300 ms\tMemory Size: 256 MB\tMax Memory Used: 91 MB\t\n`,
        );
      case 3:
        return at(
          `203.0.113.${n % 250} - - [10/Oct/2023:13:55:36 +0000] "GET /cart/${n} HTTP/1.1" 200 ${n % 9000} "-" "k6/0.50"`,
        );
      case 4:
        return at(`[INFO]\t${iso}\t${REQUEST_ID}\tpayment ${n} authorised\n`);
      case 5:
        return at(
          `${iso.slice(0, 10)} ${iso.slice(11, 19)} ${REQUEST_ID} WARN  InventoryClient - slow reply for sku-${n}`,
        );
      case 6:
        return at(`<14>Oct 10 13:55:36 ip-10-0-0-${n % 250} cron[${n}]: job ${n} finished`);
      case 7:
        return at(`time=${iso} level=info msg="cache refreshed" keys=${n} took=${n % 90}ms`);
      case 8:
        return at(
          JSON.stringify({
            timestamp: iso,
            level: 'INFO',
            requestId: REQUEST_ID,
            message: `fetched ${n} rows`,
            db: { table: 'orders', rows: n, ms: n % 40 },
          }),
        );
      default:
        return at(`${iso} [main] INFO  com.example.Worker - batch ${n} committed`);
    }
  });
}

function toPayloads(events: readonly FixtureEvent[]): string[] {
  const payloads: string[] = [];
  for (let start = 0; start < events.length; start += EVENTS_PER_PAYLOAD) {
    payloads.push(dataPayload(LOG_GROUP, events.slice(start, start + EVENTS_PER_PAYLOAD)));
  }
  return payloads;
}

async function resetIndices(client: Client): Promise<void> {
  await client.indices.delete({ index: 'logs-*', ignore_unavailable: true });
}

const READING = {
  categories: { [LOG_GROUP]: 'application' as const },
  defaultCategory: 'application' as const,
};

// The direct bulk writes the same documents to their own indices, so both paths create, never update.
const BASELINE_PREFIX = 'logs-baseline-';

/** One payload through the indexer: decode, parse, bulk, check every item. Returns ms. */
async function indexPayload(deps: Parameters<typeof ingestLogPayload>[1], payload: string): Promise<number> {
  const started = performance.now();
  const result = await ingestLogPayload(payload, deps);
  const ms = performance.now() - started;
  if (result.status !== 'indexed' || result.deadLettered > 0)
    throw new Error(`unexpected ${JSON.stringify(result)}`);
  return ms;
}

/** The same payload's documents (parsed beforehand) in one bulk with the official client. Returns ms. */
async function bulkDirect(client: Client, batch: readonly IndexableLog[]): Promise<number> {
  const started = performance.now();
  const body = batch.flatMap((log) => [
    { index: { _index: log.index.replace(/^logs-[a-z]+-/, BASELINE_PREFIX), _id: log.id } },
    log.document,
  ]);
  const response = await client.bulk({ body });
  const ms = performance.now() - started;
  if (response.body.errors) throw new Error('direct bulk reported errors');
  return ms;
}

/**
 * One run: payload by payload, the indexer and the direct bulk of the same documents take turns
 * (who goes first alternates), so a burst of load from elsewhere on the machine falls on both.
 */
async function runInterleaved(
  client: Client,
  http: OpenSearchHttp,
  payloads: readonly string[],
  documents: readonly IndexableLog[][],
): Promise<{ indexerMs: number; directMs: number }> {
  const deps = { ...READING, index: new OpenSearchLogIndex(http), deadLetters: new InMemoryDeadLetterSink() };
  let indexerMs = 0;
  let directMs = 0;
  for (let p = 0; p < payloads.length; p += 1) {
    const payload = payloads[p] ?? '';
    const batch = documents[p] ?? [];
    if (p % 2 === 0) {
      indexerMs += await indexPayload(deps, payload);
      directMs += await bulkDirect(client, batch);
    } else {
      directMs += await bulkDirect(client, batch);
      indexerMs += await indexPayload(deps, payload);
    }
  }
  return { indexerMs, directMs };
}

/** Options of {@link runLogIndexerBench}. */
export interface LogIndexerBenchOptions {
  readonly runs: number;
  readonly lines: number;
}

/** Raw rates of each run, indexer and direct bulk side by side (lines/s). */
export interface LogIndexerRates {
  readonly indexer: number[];
  readonly direct: number[];
}

/** Starts the OpenSearch node, runs both paths `runs` times after one warm-up, stops the node. */
export async function measureLogIndexer(options: LogIndexerBenchOptions): Promise<LogIndexerRates> {
  const { runs, lines } = options;
  const node = await startOpenSearchNode();
  const client = createOpenSearchClient({ endpoint: node.url, requestTimeoutMs: 120_000 });
  const http = createOpenSearchHttp({ endpoint: node.url, sign: false, requestTimeoutMs: 120_000 });
  try {
    await applyLogIndexSetup(http, { replicas: 0, retentionDays: 7, retention: false });
    const indexerRates: number[] = [];
    const directRates: number[] = [];
    // One untimed warm-up of each path, so JIT and index creation do not skew the first run.
    for (let run = -1; run < runs; run += 1) {
      const day = Date.UTC(2024, 6, 1);
      const payloads = toPayloads(makeLogEvents(lines, run + 100, day));
      // The direct path sends exactly the documents the indexer builds, parsed before the clock starts.
      const documents = payloads.map((payload) => logsOfPayload(decodeSubscriptionPayload(payload), READING));
      await resetIndices(client);
      const { indexerMs, directMs } = await runInterleaved(client, http, payloads, documents);
      if (run >= 0) {
        indexerRates.push((lines / indexerMs) * 1000);
        directRates.push((lines / directMs) * 1000);
      }
    }
    return { indexer: indexerRates, direct: directRates };
  } finally {
    await client.close();
    await node.stop();
  }
}

/** The benchmark section: indexer and direct rates, and their per-run ratio (target >= 0.9). */
export async function runLogIndexerBench(options: LogIndexerBenchOptions): Promise<Figures> {
  const rates = await measureLogIndexer(options);
  return {
    'log indexer into OpenSearch': figureOf(rates.indexer, 'lines/s'),
    'direct bulk of the same documents': figureOf(rates.direct, 'lines/s'),
    'log indexer / direct bulk': ratioFigure(rates.indexer, rates.direct, { op: '>=', value: 0.9 }),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      runs: { type: 'string', default: '9' },
      lines: { type: 'string', default: '20000' },
    },
  });
  const runs = Number(values.runs);
  const lines = Number(values.lines);
  const rates = await measureLogIndexer({ runs, lines });
  const indexer = stats(rates.indexer);
  const direct = stats(rates.direct);
  const report = {
    opensearch: '2.19.6 (single node, 512 MiB heap, 127.0.0.1)',
    lines,
    runs,
    eventsPerPayload: EVENTS_PER_PAYLOAD,
    indexerLinesPerSecond: indexer,
    directBulkLinesPerSecond: direct,
    medianRatio: indexer.median / direct.median,
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } else {
    const row = (name: string, s: Stats) =>
      `${name.padEnd(22)}${s.min.toFixed(0).padStart(10)}${s.median.toFixed(0).padStart(10)}${s.max.toFixed(0).padStart(10)}`;
    process.stdout.write(
      [
        `${lines} lines x ${runs} runs, payloads of ${EVENTS_PER_PAYLOAD} events (lines/s)`,
        `${'path'.padEnd(22)}${'min'.padStart(10)}${'median'.padStart(10)}${'max'.padStart(10)}`,
        row('indexer end to end', indexer),
        row('direct bulk', direct),
        `median ratio indexer/direct: ${report.medianRatio.toFixed(2)}`,
        '',
      ].join('\n'),
    );
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
