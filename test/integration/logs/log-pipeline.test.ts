// The indexer, index template and search against a real OpenSearch 2.x node.
import type { Client } from '@opensearch-project/opensearch';
import { createOpenSearchClient } from '../../support/opensearch-client';
import { createLogIndexer } from '../../../functions/log-indexer/log-indexer';
import { runLogsCommand } from '../../../shared/cli/commands/logs';
import { LOG_TEMPLATE_NAME } from '../../../shared/logs/index-template';
import { InMemoryDeadLetterSink } from '../../../shared/logs/log-ports';
import {
  applyLogIndexSetup,
  createOpenSearchHttp,
  OpenSearchLogIndex,
  searchLogs,
} from '../../../shared/logs/opensearch-log-index';
import type { OpenSearchHttp } from '../../../shared/logs/opensearch-log-index';
import { controlPayload, dataPayload, eventId } from '../../fixtures/logs/payloads';
import { startOpenSearchNode } from '../../support/opensearch-node';
import type { RunningOpenSearchNode } from '../../support/opensearch-node';

jest.setTimeout(180_000);

const APP_GROUP = '/aws/lambda/checkout';
const ACCESS_GROUP = '/vigil/nginx/access';
const T0 = Date.UTC(2024, 0, 15, 10, 0, 0);

let node: RunningOpenSearchNode;
let client: Client;
let http: OpenSearchHttp;

function indexer(deadLetters: InMemoryDeadLetterSink) {
  return createLogIndexer({
    index: new OpenSearchLogIndex(http, { refresh: true }),
    deadLetters,
    categories: { [APP_GROUP]: 'application', [ACCESS_GROUP]: 'access' },
    defaultCategory: 'system',
  });
}

async function countDocs(index: string): Promise<number> {
  await client.indices.refresh({ index });
  const response = await client.count({ index });
  return response.body.count;
}

beforeAll(async () => {
  node = await startOpenSearchNode();
  client = createOpenSearchClient({ endpoint: node.url });
  http = createOpenSearchHttp({ endpoint: node.url, sign: false });
  await applyLogIndexSetup(http, { replicas: 0, retentionDays: 7, retention: false });
});

afterAll(async () => {
  await client?.close();
  await node?.stop();
});

const mixedEvents = [
  {
    id: eventId(1),
    timestamp: T0,
    message: JSON.stringify({
      level: 'ERROR',
      message: 'payment gateway timeout',
      service: 'checkout',
      timestamp: '2024-01-15T10:00:00.100Z',
      xray_trace_id: '1-65a4f0e0-abcdef0123456789abcdef01',
      function_request_id: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
      cart: { items: 3, currency: 'EUR' },
    }),
  },
  {
    id: eventId(2),
    timestamp: T0 + 1000,
    message:
      '2024-01-15T10:00:01.000Z\tc6af9ac6-7b61-11e6-9a41-93e812345678\tERROR\tTypeError: x is undefined\n    at handler (/var/task/index.js:10:5)\n    at run (/var/task/index.js:20:3)\n',
  },
  {
    id: eventId(3),
    timestamp: T0 + 2000,
    message: JSON.stringify({
      level: 'INFO',
      message: 'order placed',
      service: 'checkout',
      timestamp: T0 + 2000,
    }),
  },
  {
    id: eventId(4),
    timestamp: T0 + 3000,
    message:
      'REPORT RequestId: c6af9ac6-7b61-11e6-9a41-93e812345678\tDuration: 12.3 ms\tBilled Duration: 13 ms\tMemory Size: 256 MB\tMax Memory Used: 80 MB\t',
  },
];

test('mixed JSON and text lines are found by level, service and time range', async () => {
  // Arrange
  const sink = new InMemoryDeadLetterSink();
  // Act
  const result = await indexer(sink)({ awslogs: { data: dataPayload(APP_GROUP, mixedEvents) } });
  const page = await searchLogs(http, {
    level: 'error',
    service: 'checkout',
    from: new Date(T0 - 60_000),
    to: new Date(T0 + 60_000),
    size: 10,
  });
  // Assert
  expect(result).toMatchObject({ status: 'indexed', indexed: 4, deadLettered: 0, category: 'application' });
  expect(sink.letters).toEqual([]);
  expect(page.hits.map((hit) => hit.message)).toEqual([
    'TypeError: x is undefined\n    at handler (/var/task/index.js:10:5)\n    at run (/var/task/index.js:20:3)',
    'payment gateway timeout',
  ]);
  expect(page.hits[0]?.index).toBe('logs-application-2024.01.15');
  expect(page.hits[1]).toMatchObject({
    traceId: '1-65a4f0e0-abcdef0123456789abcdef01',
    requestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    fields: { cart: { items: 3, currency: 'EUR' } },
  });
});

test('the template maps unknown fields into one flat_object and keeps the mapping closed', async () => {
  // Arrange: the documents of the first test are in place.
  // Act
  const template = await client.transport.request({
    method: 'GET',
    path: `/_index_template/${LOG_TEMPLATE_NAME}`,
  });
  const mapping = await client.indices.getMapping({ index: 'logs-application-2024.01.15' });
  const byField = await searchLogs(http, {
    from: new Date(T0 - 60_000),
    to: new Date(T0 + 60_000),
    size: 10,
    query: 'timeout',
  });
  // Assert
  expect(JSON.stringify(template.body)).toContain('flat_object');
  const properties = mapping.body['logs-application-2024.01.15']?.mappings.properties ?? {};
  expect(properties.fields?.type).toBe('flat_object');
  expect(Object.keys(properties)).not.toContain('cart');
  expect(byField.hits.map((hit) => hit.id)).toEqual([eventId(1)]);
});

test('a CONTROL_MESSAGE indexes nothing', async () => {
  // Arrange
  const sink = new InMemoryDeadLetterSink();
  const before = await countDocs('logs-*');
  // Act
  const result = await indexer(sink)({ awslogs: { data: controlPayload() } });
  // Assert
  expect(result).toEqual({ status: 'skipped', reason: 'control_message' });
  expect(await countDocs('logs-*')).toBe(before);
});

test('redelivering the same payload creates no duplicates', async () => {
  // Arrange
  const sink = new InMemoryDeadLetterSink();
  const events = [1, 2, 3].map((n) => ({ id: eventId(n, 7), timestamp: T0 + n, message: `GET line ${n}` }));
  const payload = dataPayload('/unmapped/group', events);
  // Act
  await indexer(sink)({ awslogs: { data: payload } });
  await indexer(sink)({ awslogs: { data: payload } });
  // Assert
  expect(await countDocs('logs-system-2024.01.15')).toBe(3);
});

test('one unmappable document is dead-lettered with its reason and the rest are indexed', async () => {
  // Arrange: a higher-priority template (drift) maps fields.attempt as long for this day's index.
  await client.transport.request({
    method: 'PUT',
    path: '/_index_template/legacy-access',
    body: {
      index_patterns: ['logs-access-2024.02.01'],
      priority: 500,
      template: {
        mappings: { dynamic: false, properties: { fields: { properties: { attempt: { type: 'long' } } } } },
      },
    },
  });
  const day = Date.UTC(2024, 1, 1, 8);
  const events = [
    { id: eventId(1, 9), timestamp: day, message: JSON.stringify({ message: 'ok one', attempt: 1 }) },
    { id: eventId(2, 9), timestamp: day + 1, message: JSON.stringify({ message: 'bad', attempt: 'third' }) },
    { id: eventId(3, 9), timestamp: day + 2, message: JSON.stringify({ message: 'ok two', attempt: 2 }) },
  ];
  const sink = new InMemoryDeadLetterSink();
  // Act
  const result = await indexer(sink)({ awslogs: { data: dataPayload(ACCESS_GROUP, events) } });
  // Assert
  expect(result).toMatchObject({ status: 'indexed', indexed: 2, deadLettered: 1 });
  expect(await countDocs('logs-access-2024.02.01')).toBe(2);
  expect(sink.letters).toHaveLength(1);
  expect(sink.letters[0]).toMatchObject({
    code: 'mapper_parsing_exception',
    eventId: eventId(2, 9),
    original: events[1]?.message,
    logGroup: ACCESS_GROUP,
  });
  expect(sink.letters[0]?.reason).toContain('fields.attempt');
});

test('a payload that is not gzip is dead-lettered whole with a clear reason', async () => {
  // Arrange
  const sink = new InMemoryDeadLetterSink();
  const raw = Buffer.from('plain text, not gzip').toString('base64');
  // Act
  const result = await indexer(sink)({ awslogs: { data: raw } });
  // Assert
  expect(result).toEqual({ status: 'rejected', code: 'NOT_GZIP' });
  expect(sink.letters).toEqual([expect.objectContaining({ code: 'NOT_GZIP', original: raw })]);
});

test('search pages newest first with a cursor and no overlap', async () => {
  // Arrange
  const sink = new InMemoryDeadLetterSink();
  const base = Date.UTC(2024, 2, 3, 12);
  const events = Array.from({ length: 25 }, (_, n) => ({
    id: eventId(n, 11),
    timestamp: base + n * 1000,
    message: JSON.stringify({ level: 'warn', service: 'pager', message: `slow call ${n}` }),
  }));
  await indexer(sink)({ awslogs: { data: dataPayload(APP_GROUP, events) } });
  const query = { service: 'pager', from: new Date(base), to: new Date(base + 3_600_000), size: 10 };
  // Act
  const first = await searchLogs(http, query);
  const second = await searchLogs(http, { ...query, cursor: first.nextCursor });
  const third = await searchLogs(http, { ...query, cursor: second.nextCursor });
  // Assert
  const messages = [...first.hits, ...second.hits, ...third.hits].map((hit) => hit.message);
  expect(messages).toEqual(Array.from({ length: 25 }, (_, n) => `slow call ${24 - n}`));
  expect(third.nextCursor).toBeUndefined();
});

test('the logs search command prints matching lines as JSON', async () => {
  // Arrange
  const out: string[] = [];
  const err: string[] = [];
  const io = { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s), env: {} };
  // Act
  const code = await runLogsCommand(
    [
      'search',
      '--service',
      'checkout',
      '--level',
      'error',
      '--from',
      '2024-01-15T09:00:00Z',
      '--to',
      '2024-01-15T11:00:00Z',
      '--json',
      '--endpoint',
      node.url,
    ],
    io,
  );
  // Assert
  expect(err.join('')).toBe('');
  expect(code).toBe(0);
  const lines = out
    .join('')
    .trim()
    .split('\n')
    .map((line): unknown => JSON.parse(line));
  expect(lines).toEqual([
    expect.objectContaining({ message: expect.stringContaining('TypeError: x is undefined') }),
    expect.objectContaining({ message: 'payment gateway timeout' }),
  ]);
});
