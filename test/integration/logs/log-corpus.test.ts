// The corpus of real-world line shapes through the indexer into a real OpenSearch 2.x node: every
// document read back says the level, time, service and message its case expects, and a search
// for errors returns every error and fatal line, and nothing else.
import type { Client } from '@opensearch-project/opensearch';
import { createLogIndexer } from '../../../functions/log-indexer/log-indexer';
import { runLogsCommand } from '../../../shared/cli/commands/logs';
import { indexNameFor } from '../../../shared/logs/log-document';
import type { LogCategory, LogDocument } from '../../../shared/logs/log-document';
import { InMemoryDeadLetterSink } from '../../../shared/logs/log-ports';
import type { LogHit } from '../../../shared/logs/log-search-query';
import {
  applyLogIndexSetup,
  createOpenSearchHttp,
  OpenSearchLogIndex,
  searchLogs,
} from '../../../shared/logs/opensearch-log-index';
import type { OpenSearchHttp } from '../../../shared/logs/opensearch-log-index';
import { buildCorpus, CORPUS_GROUPS, CORPUS_T0, errorCases } from '../../fixtures/logs/corpus';
import type { CorpusCase, CorpusGroup } from '../../fixtures/logs/corpus';
import { dataPayload, eventId } from '../../fixtures/logs/payloads';
import type { FixtureEvent } from '../../fixtures/logs/payloads';
import { createOpenSearchClient } from '../../support/opensearch-client';
import { startOpenSearchNode } from '../../support/opensearch-node';
import type { RunningOpenSearchNode } from '../../support/opensearch-node';

jest.setTimeout(300_000);

// Payloads of at most this many events, as CloudWatch batches a busy stream.
const EVENTS_PER_PAYLOAD = 40;

let node: RunningOpenSearchNode;
let client: Client;
let http: OpenSearchHttp;
const corpus: CorpusCase[] = buildCorpus();
/** The document id of each case: its first event's id. */
const idOf = new Map<CorpusCase, string>();
const stored = new Map<string, { index: string; source: LogDocument }>();
const results: Awaited<ReturnType<ReturnType<typeof createLogIndexer>>>[] = [];
const deadLetters = new InMemoryDeadLetterSink();
let events = 0;

/** Every event of every case, grouped by log group in time order, cut into payloads. */
function payloads(): { group: CorpusGroup; events: FixtureEvent[] }[] {
  const byGroup = new Map<CorpusGroup, FixtureEvent[]>();
  corpus.forEach((c, n) => {
    const list = byGroup.get(c.group) ?? [];
    c.events.forEach((message, e) => {
      const id = eventId(n * 100 + e, 17);
      if (e === 0) idOf.set(c, id);
      list.push({ id, timestamp: c.arrivalMs + e, message });
    });
    byGroup.set(c.group, list);
  });
  const out: { group: CorpusGroup; events: FixtureEvent[] }[] = [];
  for (const [group, list] of byGroup) {
    list.sort((a, b) => a.timestamp - b.timestamp);
    events += list.length;
    // A case's events stay in one payload: cut only where the next event starts a new case.
    let current: FixtureEvent[] = [];
    const firstIds = new Set(idOf.values());
    for (const event of list) {
      if (current.length >= EVENTS_PER_PAYLOAD && firstIds.has(event.id)) {
        out.push({ group, events: current });
        current = [];
      }
      current.push(event);
    }
    if (current.length > 0) out.push({ group, events: current });
  }
  return out;
}

beforeAll(async () => {
  node = await startOpenSearchNode();
  client = createOpenSearchClient({ endpoint: node.url });
  http = createOpenSearchHttp({ endpoint: node.url, sign: false, requestTimeoutMs: 60_000 });
  await applyLogIndexSetup(http, { replicas: 0, retentionDays: 7, retention: false });
  const categories: Record<string, LogCategory> = {};
  for (const group of Object.values(CORPUS_GROUPS)) categories[group.name] = group.category;
  const indexer = createLogIndexer({
    index: new OpenSearchLogIndex(http),
    deadLetters,
    categories,
    defaultCategory: 'application',
    // What the stage config gives: the access group is named explicitly, the others are derived.
    services: { [CORPUS_GROUPS.access.name]: CORPUS_GROUPS.access.service },
  });
  for (const payload of payloads()) {
    results.push(
      await indexer({
        awslogs: { data: dataPayload(CORPUS_GROUPS[payload.group].name, payload.events, 'corpus-1') },
      }),
    );
  }
  await client.indices.refresh({ index: 'logs-*' });
  for (let from = 0; ; from += 500) {
    const page = await client.search({
      index: 'logs-*',
      body: { query: { match_all: {} }, size: 500, from, sort: [{ event_id: 'asc' }] },
    });
    const hits = page.body.hits.hits as { _id: string; _index: string; _source: LogDocument }[];
    for (const hit of hits) stored.set(hit._id, { index: hit._index, source: hit._source });
    if (hits.length < 500) break;
  }
});

afterAll(async () => {
  await client?.close();
  await node?.stop();
});

test('the corpus holds at least 300 lines across the shapes, and every payload is indexed whole', () => {
  // Arrange
  const formats = new Set(corpus.map((c) => c.expected.format).filter((f) => f !== undefined));
  const levels = new Set(corpus.map((c) => c.expected.level));
  // Act
  const indexed = results.reduce((n, r) => n + (r.status === 'indexed' ? r.indexed : 0), 0);
  const merged = results.reduce((n, r) => n + (r.status === 'indexed' ? r.merged : 0), 0);
  // Assert
  expect(events).toBeGreaterThanOrEqual(300);
  expect(events).toBe(corpus.reduce((n, c) => n + c.events.length, 0));
  expect([...formats].sort()).toEqual(
    [
      'alb',
      'apigw',
      'clf',
      'combined',
      'json',
      'lambda-platform',
      'lambda-runtime',
      'logfmt',
      'syslog',
      'text',
    ].sort(),
  );
  expect([...levels].sort()).toEqual(['debug', 'error', 'fatal', 'info', 'warn']);
  expect(results.every((r) => r.status === 'indexed' && r.deadLettered === 0)).toBe(true);
  expect(deadLetters.letters).toEqual([]);
  expect(indexed).toBe(corpus.length);
  expect(merged).toBe(events - corpus.length);
  expect(stored.size).toBe(corpus.length);
});

test.each(corpus.map((c) => [c.name, c] as const))(
  '%s: level, time, service and message as expected',
  (_name, c) => {
    // Arrange
    const doc = stored.get(idOf.get(c) ?? '');
    if (doc === undefined) throw new Error(`case ${c.name} was not stored`);
    // Act
    const { source, index } = doc;
    // Assert
    expect({
      level: source.level,
      timestamp: source['@timestamp'],
      service: source.service,
      message: source.message,
    }).toEqual({
      level: c.expected.level,
      timestamp: c.expected.timestamp,
      service: c.expected.service,
      message: c.expected.message,
    });
    expect(index).toBe(indexNameFor(CORPUS_GROUPS[c.group].category, Date.parse(c.expected.timestamp)));
    if (c.expected.requestId !== undefined) expect(source.request_id).toBe(c.expected.requestId);
    if (c.expected.format !== undefined) expect(source.format).toBe(c.expected.format);
    if (c.expected.notes !== undefined)
      expect([...(source.notes ?? [])].sort()).toEqual([...c.expected.notes].sort());
    expect(source.timestamp_source).toBe(
      (source.notes ?? []).includes('timestamp:out_of_range') ||
        c.expected.timestamp === new Date(c.arrivalMs).toISOString()
        ? 'arrival'
        : 'line',
    );
  },
);

test('an error search returns every error and fatal line of the corpus, and nothing else', async () => {
  // Arrange
  const expected = errorCases(corpus).map((c) => idOf.get(c));
  const query = {
    minLevel: 'error',
    from: new Date(CORPUS_T0 - 11 * 86_400_000),
    to: new Date(CORPUS_T0 + 2 * 86_400_000),
    size: 25,
  } as const;
  // Act
  const found: LogHit[] = [];
  let cursor: string | undefined;
  do {
    const page = await searchLogs(http, cursor === undefined ? query : { ...query, cursor });
    found.push(...page.hits);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  // Assert
  expect(expected.length).toBeGreaterThan(60);
  expect(found.map((h) => h.id).sort()).toEqual([...expected].sort());
  expect(new Set(found.map((h) => h.level))).toEqual(new Set(['error', 'fatal']));
});

test('the CLI search --level error finds the same lines, and --only-level error leaves fatal out', async () => {
  // Arrange
  const run = async (...flags: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runLogsCommand(
      [
        'search',
        ...flags,
        '--from',
        new Date(CORPUS_T0 - 11 * 86_400_000).toISOString(),
        '--to',
        new Date(CORPUS_T0 + 2 * 86_400_000).toISOString(),
        '--size',
        '1000',
        '--json',
        '--endpoint',
        node.url,
      ],
      { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env: {} },
    );
    return {
      code,
      err: err.join(''),
      ids: out
        .join('')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as LogHit).id),
    };
  };
  const errors = errorCases(corpus);
  // Act
  const orWorse = await run('--level', 'ERROR');
  const exactly = await run('--level', 'error', '--only-level');
  // Assert
  expect(orWorse).toMatchObject({ code: 0, err: '' });
  expect(orWorse.ids.sort()).toEqual(errors.map((c) => idOf.get(c)).sort());
  expect(exactly.ids.sort()).toEqual(
    errors
      .filter((c) => c.expected.level === 'error')
      .map((c) => idOf.get(c))
      .sort(),
  );
});

test('a service search finds lines by their own service and by their log group', async () => {
  // Arrange
  const window = {
    from: new Date(CORPUS_T0 - 11 * 86_400_000),
    to: new Date(CORPUS_T0 + 2 * 86_400_000),
    size: 1000,
  };
  // Act
  const gateway = await searchLogs(http, { ...window, service: 'gateway' });
  const payments = await searchLogs(http, { ...window, service: 'payments' });
  // Assert
  expect(gateway.hits.map((h) => h.id).sort()).toEqual(
    corpus
      .filter((c) => c.expected.service === 'gateway')
      .map((c) => idOf.get(c))
      .sort(),
  );
  expect(payments.hits.length).toBe(corpus.filter((c) => c.expected.service === 'payments').length);
  expect(payments.hits.length).toBeGreaterThan(0);
});
