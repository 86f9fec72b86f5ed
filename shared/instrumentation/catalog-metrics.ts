/**
 * Application instrumentation that emits exactly the metrics the alert rules and dashboards read.
 *
 * Every name is a catalog entry (`shared/catalog/dokkerr-catalog.ts`) with `origin: 'app'`; the
 * namespace, metric name, unit and dimension set come from that entry, so a rule can never watch a
 * metric the application spells differently. Metrics are written as CloudWatch embedded metric
 * format (EMF) through Powertools Metrics, one document per namespace and dimension values,
 * buffered until `flush()` (Powertools also flushes a document on its own at 100 values).
 *
 * EMF becomes metrics when the log line reaches CloudWatch Logs with EMF extraction: on Lambda that
 * is automatic; on ECS route stdout through the CloudWatch agent or FireLens.
 *
 * @example
 * ```ts
 * import { createCatalogMetrics } from '../shared/instrumentation/catalog-metrics';
 *
 * const metrics = createCatalogMetrics({ service: 'checkout' });
 *
 * metrics.recordRequest({ endpoint: 'POST /orders', latencyMs: 87, error: false });
 * metrics.recordQuery({ latencyMs: 12 });
 * metrics.record('disk_usage', 71.5); // Service dimension filled from `service`
 * metrics.flush(); // end of a Lambda invocation, or every few seconds in a long-running task
 * ```
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { CatalogData, CatalogMetricEntry } from '../catalog/dokkerr-catalog';
import { DOKKERR_CATALOG, LATENCY_BUCKETS_MS, latencyBucketLabel } from '../catalog/dokkerr-catalog';
import { VigilError } from '../domain/errors';

/** Dimension every application metric carries; filled from the `service` option unless given. */
export const SERVICE_DIMENSION = 'Service';

/** A query slower than this counts in `slow_queries` ("queries slower than 1 s"). */
export const SLOW_QUERY_MS = 1000;

type PowertoolsUnit = (typeof MetricUnit)[keyof typeof MetricUnit];
const UNITS: ReadonlySet<string> = new Set(Object.values(MetricUnit));

/** A metric name or its dimensions do not match the catalog; the message names the metric. */
export class CatalogMetricError extends VigilError {
  /** The catalog name that was recorded. */
  public readonly metric: string;

  public constructor(metric: string, message: string) {
    super('INVALID_CATALOG_METRIC', `metric "${metric}": ${message}`);
    this.name = 'CatalogMetricError';
    this.metric = metric;
  }
}

/** Options of {@link createCatalogMetrics}. */
export interface CatalogMetricsOptions {
  /** Value of the `Service` dimension (the rules' target service, e.g. "checkout"). */
  readonly service: string;
  /**
   * Namespace used instead of each entry's own, e.g. to keep a load test away from the rules.
   * @default - the catalog entry's namespace (what the rules read)
   */
  readonly namespaceOverride?: string;
  /** Catalog to resolve names in. @default DOKKERR_CATALOG */
  readonly catalog?: CatalogData;
}

/** One served request. */
export interface RequestSample {
  /** Endpoint label, e.g. "GET /rooms/:id" (a route, not a raw path, to bound cardinality). */
  readonly endpoint: string;
  readonly latencyMs: number;
  /** The request failed (5xx). */
  readonly error: boolean;
}

/** One database query. */
export interface QuerySample {
  readonly latencyMs: number;
}

/** One relayed WebSocket message. */
export interface WebSocketMessageSample {
  readonly latencyMs: number;
  /** Relaying it failed. @default false */
  readonly error?: boolean;
}

/** A point-in-time view of the WebSocket server. */
export interface WebSocketStateSample {
  readonly connections: number;
  readonly activeRooms: number;
  readonly usersPerRoom: number;
  readonly messagesPerRoom: number;
}

/** One finished user session. */
export interface SessionSample {
  readonly durationSeconds: number;
  /** The session converted (counts 100 % in the conversion-rate average, else 0 %). */
  readonly converted: boolean;
}

/** Records catalog metrics as EMF. */
export interface CatalogMetrics {
  /**
   * Records one value of an `origin: 'app'` catalog metric. `dimensions` must give every dimension of
   * the entry except `Service` (filled from the options) and nothing else.
   * @throws CatalogMetricError for an unknown, AWS-published or math name, a missing or extra
   * dimension, or a non-finite value
   */
  record(name: string, value: number, dimensions?: Readonly<Record<string, string>>): void;
  /** Requests, errors, response time, per-endpoint metrics and the cumulative latency buckets. */
  recordRequest(sample: RequestSample): void;
  /** Query latency and the slow-query count. */
  recordQuery(sample: QuerySample): void;
  /** Connection-pool slots in use. */
  recordPoolInUse(inUse: number): void;
  /** WebSocket message count, latency and errors. */
  recordWebSocketMessage(sample: WebSocketMessageSample): void;
  /** WebSocket connections, rooms, users per room and messages per room. */
  recordWebSocketState(sample: WebSocketStateSample): void;
  /** One user action. */
  recordUserAction(): void;
  /** Session length and conversion. */
  recordSession(sample: SessionSample): void;
  /** Writes every buffered EMF document to stdout. */
  flush(): void;
}

function resolveEntry(catalog: CatalogData, name: string): CatalogMetricEntry {
  const entry = Object.hasOwn(catalog, name) ? catalog[name] : undefined;
  if (entry === undefined) throw new CatalogMetricError(name, 'is not in the metric catalog');
  if (entry.kind !== 'metric')
    throw new CatalogMetricError(name, 'is metric math; record the metrics it uses instead');
  if (entry.origin !== 'app')
    throw new CatalogMetricError(name, `is published by AWS (${entry.namespace}), not by the application`);
  return entry;
}

function unitOf(name: string, entry: CatalogMetricEntry): PowertoolsUnit {
  if (!UNITS.has(entry.unit))
    throw new CatalogMetricError(name, `has unit "${entry.unit}", which CloudWatch does not know`);
  return entry.unit as PowertoolsUnit;
}

/**
 * Creates a recorder for one service. Names are checked against the catalog on every call, so a
 * typo fails in the first test that exercises it, not silently in production.
 */
export function createCatalogMetrics(options: CatalogMetricsOptions): CatalogMetrics {
  const catalog = options.catalog ?? DOKKERR_CATALOG;
  if (options.service.trim() === '') throw new CatalogMetricError('(any)', 'the service option is empty');
  // One Powertools instance per namespace and dimension values: an EMF document has one of each.
  const documents = new Map<string, Metrics>();

  const documentFor = (namespace: string, dimensions: Record<string, string>): Metrics => {
    const key = JSON.stringify([namespace, Object.entries(dimensions)]);
    const existing = documents.get(key);
    if (existing) return existing;
    const metrics = new Metrics({ namespace, serviceName: options.service });
    // Powertools adds a lower-case `service` dimension by default; the catalog's set is exact.
    metrics.clearDefaultDimensions();
    // Default (not per-request) dimensions survive Powertools' own flush at 100 values.
    metrics.setDefaultDimensions(dimensions);
    documents.set(key, metrics);
    return metrics;
  };

  const record = (name: string, value: number, given: Readonly<Record<string, string>> = {}): void => {
    const entry = resolveEntry(catalog, name);
    const unit = unitOf(name, entry);
    if (!Number.isFinite(value)) throw new CatalogMetricError(name, `value ${value} is not a finite number`);
    const extra = Object.keys(given).filter((d) => !entry.dimensions.includes(d));
    if (extra.length > 0)
      throw new CatalogMetricError(
        name,
        `dimension(s) ${extra.join(', ')} are not in its set (${entry.dimensions.join(', ')})`,
      );
    const supplied: Record<string, string> = entry.dimensions.includes(SERVICE_DIMENSION)
      ? { [SERVICE_DIMENSION]: options.service, ...given }
      : { ...given };
    const missing = entry.dimensions.filter((d) => (supplied[d] ?? '').trim() === '');
    if (missing.length > 0) throw new CatalogMetricError(name, `missing dimension(s) ${missing.join(', ')}`);
    const dimensions = Object.fromEntries(entry.dimensions.map((d) => [d, supplied[d] ?? '']));
    documentFor(options.namespaceOverride ?? entry.namespace, dimensions).addMetric(
      entry.metricName,
      unit,
      value,
    );
  };

  return {
    record,
    recordRequest: ({ endpoint, latencyMs, error }) => {
      const failed = error ? 1 : 0;
      record('requests', 1);
      // Zero on success keeps the error-rate math defined in every period with traffic.
      record('errors', failed);
      record('response_time', latencyMs);
      record('endpoint_requests', 1, { Endpoint: endpoint });
      record('endpoint_errors', failed, { Endpoint: endpoint });
      record('endpoint_latency', latencyMs, { Endpoint: endpoint });
      for (const bound of LATENCY_BUCKETS_MS) {
        record('endpoint_latency_bucket', latencyMs <= bound ? 1 : 0, {
          Endpoint: endpoint,
          Le: latencyBucketLabel(bound),
        });
      }
      record('endpoint_latency_bucket', 1, { Endpoint: endpoint, Le: latencyBucketLabel('inf') });
    },
    recordQuery: ({ latencyMs }) => {
      record('query_latency', latencyMs);
      record('slow_queries', latencyMs > SLOW_QUERY_MS ? 1 : 0);
    },
    recordPoolInUse: (inUse) => record('db_pool_in_use', inUse),
    recordWebSocketMessage: ({ latencyMs, error = false }) => {
      record('ws_messages', 1);
      record('ws_latency', latencyMs);
      record('ws_errors', error ? 1 : 0);
    },
    recordWebSocketState: ({ connections, activeRooms, usersPerRoom, messagesPerRoom }) => {
      record('ws_connections', connections);
      record('ws_active_rooms', activeRooms);
      record('ws_users_per_room', usersPerRoom);
      record('ws_messages_per_room', messagesPerRoom);
    },
    recordUserAction: () => record('user_actions', 1),
    recordSession: ({ durationSeconds, converted }) => {
      record('session_duration', durationSeconds);
      record('conversion_rate', converted ? 100 : 0);
    },
    flush: () => {
      for (const metrics of documents.values()) {
        if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      }
      documents.clear();
    },
  };
}
