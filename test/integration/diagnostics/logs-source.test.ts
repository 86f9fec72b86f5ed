// The logs diagnostics source against a real OpenSearch 2.x node, fed through the log indexer.
import { createLogIndexer } from '../../../functions/log-indexer/log-indexer';
import { createLogsSource } from '../../../shared/diagnostics/logs-source';
import { runWithBudget } from '../../../shared/domain/diagnostics';
import { createHttpLogSearch } from '../../../shared/logs/http-log-search';
import { InMemoryDeadLetterSink } from '../../../shared/logs/log-ports';
import {
  applyLogIndexSetup,
  createOpenSearchHttp,
  OpenSearchLogIndex,
  searchLogs,
} from '../../../shared/logs/opensearch-log-index';
import type { OpenSearchHttp } from '../../../shared/logs/opensearch-log-index';
import { dataPayload, eventId } from '../../fixtures/logs/payloads';
import { startOpenSearchNode } from '../../support/opensearch-node';
import type { RunningOpenSearchNode } from '../../support/opensearch-node';

jest.setTimeout(180_000);

const GROUP = '/dokkerr/dev/checkout';
const T0 = Date.UTC(2026, 10, 26, 14, 0, 0);

let node: RunningOpenSearchNode;
let client: OpenSearchHttp;

const line = (n: number, at: number, level: string, message: string, service = 'checkout') => ({
  id: eventId(n, 7),
  timestamp: at,
  message: JSON.stringify({
    level,
    message,
    service,
    timestamp: new Date(at).toISOString(),
    xray_trace_id: n === 3 ? '1-6745f0e0-0123456789abcdef01234567' : undefined,
  }),
});

beforeAll(async () => {
  node = await startOpenSearchNode();
  client = createOpenSearchHttp({ endpoint: node.url, sign: false });
  await applyLogIndexSetup(client, { replicas: 0, retentionDays: 7, retention: false });
  const indexer = createLogIndexer({
    index: new OpenSearchLogIndex(client, { refresh: true }),
    deadLetters: new InMemoryDeadLetterSink(),
    categories: { [GROUP]: 'application' },
    defaultCategory: 'system',
  });
  await indexer({
    awslogs: {
      data: dataPayload(GROUP, [
        line(1, T0 - 45 * 60_000, 'ERROR', 'too old: before the window'),
        line(2, T0 - 20 * 60_000, 'ERROR', 'payment gateway timeout after 3000 ms'),
        line(3, T0 - 10 * 60_000, 'FATAL', 'connection pool exhausted'),
        line(4, T0 - 5 * 60_000, 'INFO', 'order placed'),
        line(5, T0 - 4 * 60_000, 'ERROR', 'card declined by issuer', 'api'),
        line(6, T0 - 2 * 60_000, 'ERROR', `upstream 503\n    at fetch (/var/task/index.js:1:1)`),
      ]),
    },
  });
});

afterAll(async () => {
  await node?.stop();
});

function query() {
  return {
    incidentId: 'checkout-1',
    service: 'checkout',
    alarmName: 'vigil-dev-high-error-rate-checkout',
    from: T0 - 30 * 60_000,
    until: T0,
  };
}

test("the Lambdas' HTTP search returns exactly what the adapter's search returns", async () => {
  // Arrange
  const http = createHttpLogSearch({ endpoint: node.url, sign: false });
  const search = {
    service: 'checkout',
    level: 'error',
    from: new Date(T0 - 60 * 60_000),
    to: new Date(T0),
    size: 2,
  } as const;
  // Act
  const viaHttp = await http(search);
  const viaClient = await searchLogs(client, search);
  const nextViaHttp = await http({ ...search, cursor: viaHttp.nextCursor });
  // Assert
  expect(viaHttp).toEqual(viaClient);
  expect(viaHttp.hits.map((h) => h.message.split('\n')[0])).toEqual([
    'upstream 503',
    'payment gateway timeout after 3000 ms',
  ]);
  expect(nextViaHttp.hits.map((h) => h.message)).toEqual(['too old: before the window']);
});

test('the newest error and fatal lines of the service in the window, newest first', async () => {
  // Arrange
  const source = createLogsSource(createHttpLogSearch({ endpoint: node.url, sign: false }), {
    lines: 5,
    dashboardsUrl: 'https://logs.example.com/_dashboards',
  });
  // Act
  const found = await runWithBudget(source, query(), 10_000);
  // Assert
  expect(found.status).toBe('ok');
  expect(found.summary).toBe(
    [
      'newest 3 error lines:',
      '13:58:00 ERROR upstream 503',
      '13:50:00 FATAL connection pool exhausted',
      '13:40:00 ERROR payment gateway timeout after 3000 ms',
      '(trace 1-6745f0e0-0123456789abcdef01234567)',
    ].join('\n'),
  );
  expect(found.links[0]?.url).toContain('https://logs.example.com/_dashboards/app/discover');
});

test('a service without error lines is empty; an unreachable node is a note', async () => {
  // Arrange
  const source = createLogsSource(createHttpLogSearch({ endpoint: node.url, sign: false }));
  const unreachable = createLogsSource(createHttpLogSearch({ endpoint: 'http://127.0.0.1:9', sign: false }));
  // Act
  const empty = await runWithBudget(source, { ...query(), service: 'realtime' }, 10_000);
  const note = await runWithBudget(unreachable, query(), 10_000);
  // Assert
  expect(empty).toMatchObject({ status: 'empty', summary: 'no error lines' });
  expect(note.status).toBe('error');
  expect(note.summary).toMatch(/^unavailable: /);
});
