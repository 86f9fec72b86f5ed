import { DEFAULT_CATALOG } from '../../../infra/config/catalog';
import { alarmRules, metricCatalogSchema } from '../../../infra/config/schema';
import { loadStageConfig } from '../../../infra/config/stages';
import type { CatalogMetricEntry } from '../../../shared/catalog/dokkerr-catalog';
import { DOKKERR_CATALOG } from '../../../shared/catalog/dokkerr-catalog';
import { CatalogMetricError, createCatalogMetrics } from '../../../shared/instrumentation';
import type { EmfDocument } from '../../support/emf-capture';
import { captureEmf } from '../../support/emf-capture';

const emitted = captureEmf();

function definition(doc: EmfDocument): EmfDocument['_aws']['CloudWatchMetrics'][number] {
  const [only] = doc._aws.CloudWatchMetrics;
  if (!only) throw new Error('EMF document without a metric directive');
  return only;
}

/** The document that carries `metricName` with the given dimension values. */
function documentWith(
  docs: readonly EmfDocument[],
  metricName: string,
  dimensions: Record<string, string>,
): EmfDocument {
  const found = docs.find(
    (doc) =>
      definition(doc).Metrics.some((m) => m.Name === metricName) &&
      Object.entries(dimensions).every(([k, v]) => doc[k] === v),
  );
  if (!found) throw new Error(`no EMF document for ${metricName} ${JSON.stringify(dimensions)}`);
  return found;
}

function plainEntry(name: string): CatalogMetricEntry {
  const entry = DOKKERR_CATALOG[name];
  if (entry?.kind !== 'metric') throw new Error(`${name} is not a plain catalog metric`);
  return entry;
}

/** App-origin metrics the dev rules read, directly or through a math entry, with each rule target. */
function appMetricsReadByRules(): { metric: string; dimensions: Record<string, string> }[] {
  return alarmRules(loadStageConfig('dev')).flatMap((rule) => {
    const entry = DEFAULT_CATALOG[rule.metric];
    const names = entry?.kind === 'math' ? Object.values(entry.using) : [rule.metric];
    return names
      .filter((name) => DEFAULT_CATALOG[name]?.kind === 'metric' && plainEntry(name).origin === 'app')
      .flatMap((metric) => rule.targets.map((t) => ({ metric, dimensions: t.dimensions })));
  });
}

describe('catalog metrics as EMF', () => {
  it('covers the app metrics the seed rules alarm on (not a vacuous loop)', () => {
    // Act
    const names = new Set(appMetricsReadByRules().map((m) => m.metric));
    // Assert
    expect([...names].sort()).toEqual(['errors', 'query_latency', 'requests']);
  });

  it.each(appMetricsReadByRules())(
    'emits $metric with the namespace, name, unit and dimension set the rule reads ($dimensions)',
    ({ metric, dimensions }) => {
      // Arrange
      const entry = plainEntry(metric);
      const { Service: service, ...others } = dimensions;
      const metrics = createCatalogMetrics({ service: service ?? 'missing' });
      // Act
      metrics.record(metric, 42, others);
      metrics.flush();
      // Assert
      const docs = emitted();
      expect(docs).toHaveLength(1);
      const doc = documentWith(docs, entry.metricName, dimensions);
      expect(definition(doc)).toEqual({
        Namespace: entry.namespace,
        Dimensions: [entry.dimensions],
        Metrics: [{ Name: entry.metricName, Unit: entry.unit }],
      });
      for (const name of entry.dimensions) expect(doc[name]).toBe(dimensions[name]);
      expect(doc[entry.metricName]).toBe(42);
      expect(doc).not.toHaveProperty('service');
    },
  );

  it.each(
    Object.entries(DOKKERR_CATALOG)
      .filter(([, entry]) => entry.kind === 'metric' && entry.origin === 'app')
      .map(([name]) => name),
  )('emits catalog entry %s exactly as the catalog describes it', (name) => {
    // Arrange
    const entry = plainEntry(name);
    const dimensions = Object.fromEntries(
      entry.dimensions.filter((d) => d !== 'Service').map((d) => [d, `${d.toLowerCase()}-1`]),
    );
    const metrics = createCatalogMetrics({ service: 'api' });
    // Act
    metrics.record(name, 3, dimensions);
    metrics.flush();
    // Assert
    const [doc, ...others] = emitted();
    expect(others).toEqual([]);
    if (!doc) throw new Error('nothing emitted');
    expect(definition(doc)).toEqual({
      Namespace: entry.namespace,
      Dimensions: [entry.dimensions],
      Metrics: [{ Name: entry.metricName, Unit: entry.unit }],
    });
    expect(doc).toMatchObject({ Service: 'api', ...dimensions, [entry.metricName]: 3 });
  });

  it('records a request as service, endpoint and cumulative latency-bucket metrics', () => {
    // Arrange
    const metrics = createCatalogMetrics({ service: 'checkout' });
    // Act
    metrics.recordRequest({ endpoint: 'POST /orders', latencyMs: 120, error: true });
    metrics.flush();
    // Assert
    const docs = emitted();
    const service = documentWith(docs, 'Requests', { Service: 'checkout' });
    expect(definition(service).Namespace).toBe('Dokkerr/Application');
    expect(definition(service).Dimensions).toEqual([['Service']]);
    expect(service).toMatchObject({ Requests: 1, Errors: 1, ResponseTime: 120 });
    const endpoint = documentWith(docs, 'EndpointRequests', { Endpoint: 'POST /orders' });
    expect(definition(endpoint).Dimensions).toEqual([['Service', 'Endpoint']]);
    expect(endpoint).toMatchObject({ EndpointRequests: 1, EndpointErrors: 1, EndpointLatency: 120 });
    const bucket = (le: string) =>
      documentWith(docs, 'EndpointLatencyBucket', { Endpoint: 'POST /orders', Le: le }).EndpointLatencyBucket;
    expect(['10', '50', '100', '200', '500', '1000', '+Inf'].map(bucket)).toEqual([0, 0, 0, 1, 1, 1, 1]);
    expect(definition(documentWith(docs, 'EndpointLatencyBucket', { Le: '+Inf' })).Dimensions).toEqual([
      ['Service', 'Endpoint', 'Le'],
    ]);
  });

  it('buffers values until flush and writes one document per namespace and dimension values', () => {
    // Arrange
    const metrics = createCatalogMetrics({ service: 'api' });
    // Act
    metrics.recordRequest({ endpoint: 'GET /rooms', latencyMs: 5, error: false });
    metrics.recordRequest({ endpoint: 'GET /rooms', latencyMs: 7, error: false });
    const beforeFlush = emitted();
    metrics.flush();
    // Assert
    expect(beforeFlush).toEqual([]);
    const docs = emitted();
    // service-level, endpoint-level, and seven buckets
    expect(docs).toHaveLength(9);
    expect(documentWith(docs, 'Requests', { Service: 'api' })).toMatchObject({
      Requests: [1, 1],
      Errors: [0, 0],
      ResponseTime: [5, 7],
    });
  });

  it('counts slow queries over 1 s next to the query latency', () => {
    // Arrange
    const metrics = createCatalogMetrics({ service: 'api' });
    // Act
    metrics.recordQuery({ latencyMs: 30 });
    metrics.recordQuery({ latencyMs: 1500 });
    metrics.flush();
    // Assert
    const doc = documentWith(emitted(), 'QueryLatency', { Service: 'api' });
    expect(definition(doc).Namespace).toBe('Dokkerr/Database');
    expect(doc).toMatchObject({ QueryLatency: [30, 1500], SlowQueries: [0, 1] });
  });

  it('records WebSocket and user metrics under their own namespaces', () => {
    // Arrange
    const metrics = createCatalogMetrics({ service: 'realtime' });
    // Act
    metrics.recordWebSocketMessage({ latencyMs: 9, error: true });
    metrics.recordWebSocketState({ connections: 40, activeRooms: 3, usersPerRoom: 13, messagesPerRoom: 2 });
    metrics.recordUserAction();
    metrics.recordSession({ durationSeconds: 300, converted: true });
    metrics.flush();
    // Assert
    const docs = emitted();
    const ws = documentWith(docs, 'ActiveConnections', { Service: 'realtime' });
    expect(definition(ws).Namespace).toBe('Dokkerr/WebSocket');
    expect(ws).toMatchObject({
      Messages: 1,
      MessageLatency: 9,
      Errors: 1,
      ActiveConnections: 40,
      ActiveRooms: 3,
      UsersPerRoom: 13,
      MessagesPerRoom: 2,
    });
    const users = documentWith(docs, 'Actions', { Service: 'realtime' });
    expect(definition(users).Namespace).toBe('Dokkerr/Users');
    expect(users).toMatchObject({ Actions: 1, SessionDuration: 300, ConversionRate: 100 });
    expect(definition(users).Metrics).toContainEqual({ Name: 'SessionDuration', Unit: 'Seconds' });
  });

  it('writes to the override namespace when one is given', () => {
    // Arrange
    const metrics = createCatalogMetrics({ service: 'api', namespaceOverride: 'Dokkerr/LoadTest' });
    // Act
    metrics.record('disk_usage', 71.5);
    metrics.flush();
    // Assert
    const doc = documentWith(emitted(), 'DiskUsedPercent', { Service: 'api' });
    expect(definition(doc)).toEqual({
      Namespace: 'Dokkerr/LoadTest',
      Dimensions: [['Service']],
      Metrics: [{ Name: 'DiskUsedPercent', Unit: 'Percent' }],
    });
  });
});

describe('catalog metric validation', () => {
  const metrics = createCatalogMetrics({ service: 'api' });

  it.each([
    ['an unknown name', 'request_count', {}, /metric "request_count": is not in the metric catalog/],
    ['an AWS-published metric', 'cpu_usage', {}, /metric "cpu_usage": is published by AWS \(AWS\/ECS\)/],
    ['a math entry', 'error_rate', {}, /metric "error_rate": is metric math/],
    [
      'a missing dimension',
      'endpoint_requests',
      {},
      /metric "endpoint_requests": missing dimension\(s\) Endpoint/,
    ],
    [
      'an extra dimension',
      'requests',
      { Region: 'eu-west-1' },
      /metric "requests": dimension\(s\) Region are not in its set \(Service\)/,
    ],
  ])('rejects %s with a typed error naming the metric', (_case, name, dimensions, message) => {
    // Act
    const act = () => metrics.record(name, 1, dimensions);
    // Assert
    expect(act).toThrow(CatalogMetricError);
    expect(act).toThrow(message);
  });

  it('rejects a non-finite value', () => {
    // Act / Assert
    expect(() => metrics.record('requests', Number.NaN)).toThrow(
      /metric "requests": value NaN is not a finite/,
    );
  });

  it('emits nothing for a rejected record', () => {
    // Act
    expect(() => metrics.record('endpoint_latency', 5)).toThrow(CatalogMetricError);
    metrics.flush();
    // Assert
    expect(emitted()).toEqual([]);
  });
});

describe('catalog and rules agree', () => {
  it('the infra catalog is the shared data and passes the schema', () => {
    // Act
    const parsed = metricCatalogSchema.safeParse(DOKKERR_CATALOG);
    // Assert
    expect(DEFAULT_CATALOG).toBe(DOKKERR_CATALOG);
    expect(parsed.success).toBe(true);
  });

  it.each(['dev', 'prod'])(
    'every rule metric of %s resolves to catalog metrics its targets can fill',
    (stage) => {
      // Arrange
      const config = loadStageConfig(stage);
      const { catalog } = config;
      const rules = alarmRules(config);
      // Act
      const unresolved = rules.flatMap((rule) => {
        const entry = catalog[rule.metric];
        if (!entry) return [`${rule.id}: ${rule.metric} not in catalog`];
        const used = entry.kind === 'math' ? Object.values(entry.using) : [rule.metric];
        return used.flatMap((name) => {
          const plain = catalog[name];
          if (plain?.kind !== 'metric') return [`${rule.id}: ${name} is not a plain metric`];
          return rule.targets.flatMap((t) =>
            plain.dimensions
              .filter((d) => !(d in t.dimensions))
              .map((d) => `${rule.id}/${t.service}: ${name} needs ${d}`),
          );
        });
      });
      // Assert
      expect(rules.length).toBeGreaterThan(0);
      expect(unresolved).toEqual([]);
    },
  );
});
