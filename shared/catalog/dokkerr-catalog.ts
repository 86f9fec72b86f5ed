/** Areas a catalog metric belongs to; dashboards build one row per area. */
export const CATALOG_AREAS = ['system', 'application', 'api', 'database', 'websocket', 'users'] as const;
/** One area of the catalog. */
export type CatalogArea = (typeof CATALOG_AREAS)[number];

/** A metric read straight from CloudWatch. */
export interface CatalogMetricEntry {
  kind: 'metric';
  area: CatalogArea;
  /** `aws`: published by an AWS service; `app`: emitted by the application as embedded metric format. */
  origin: 'aws' | 'app';
  namespace: string;
  metricName: string;
  /** Dimension names, in the order the metric is published with; the set is exact. */
  dimensions: string[];
  /** CloudWatch statistic rules and dashboards read (Average, Sum, p95, ...). */
  statistic: string;
  /** CloudWatch unit (Percent, Count, Milliseconds, ...). */
  unit: string;
  description: string;
  /** Values the metric can take, when its unit does not say (see {@link metricRange}). @default - from the unit */
  range?: MetricRange;
}

/** A metric-math expression over plain catalog metrics. */
export interface CatalogMathEntry {
  kind: 'math';
  area: CatalogArea;
  expression: string;
  /** Expression id -> name of a plain catalog metric. */
  using: Record<string, string>;
  unit: string;
  description: string;
  /** Values the expression can take, when its unit does not say (see {@link metricRange}). @default - from the unit */
  range?: MetricRange;
}

/** The values a metric can take; an open end is unbounded. */
export interface MetricRange {
  min?: number;
  max?: number;
}

/**
 * The values a catalog metric can take: its own `range`, else what its unit allows. Percentages lie
 * in 0..100; counts, rates, sizes and durations are never negative; `None` is unbounded.
 */
export function metricRange(entry: Pick<CatalogEntryData, 'unit' | 'range'>): MetricRange {
  if (entry.range !== undefined) return entry.range;
  if (entry.unit === 'Percent') return { min: 0, max: 100 };
  if (entry.unit === 'None' || entry.unit === '') return {};
  return { min: 0 };
}

/** One catalog entry as plain data (the zod schema in infra validates the same shape). */
export type CatalogEntryData = CatalogMetricEntry | CatalogMathEntry;
/** A metric catalog as plain data: name -> entry. */
export type CatalogData = Record<string, CatalogEntryData>;

const APP = 'Dokkerr/Application';
const API = 'Dokkerr/Api';
const DB = 'Dokkerr/Database';
const WS = 'Dokkerr/WebSocket';
const USERS = 'Dokkerr/Users';

/**
 * The metric catalog of the watched application (Dokkerr): every metric a rule or a dashboard may
 * read, with its CloudWatch source. `origin: 'aws'` metrics come from AWS services; `origin: 'app'`
 * metrics are emitted by the application as embedded metric format.
 */
export const DOKKERR_CATALOG: CatalogData = {
  // System
  cpu_usage: {
    kind: 'metric',
    area: 'system',
    origin: 'aws',
    namespace: 'AWS/ECS',
    metricName: 'CPUUtilization',
    dimensions: ['ClusterName', 'ServiceName'],
    statistic: 'Average',
    unit: 'Percent',
    description: 'ECS service CPU utilisation',
  },
  memory_usage: {
    kind: 'metric',
    area: 'system',
    origin: 'aws',
    namespace: 'AWS/ECS',
    metricName: 'MemoryUtilization',
    dimensions: ['ClusterName', 'ServiceName'],
    statistic: 'Average',
    unit: 'Percent',
    description: 'ECS service memory utilisation',
  },
  disk_usage: {
    kind: 'metric',
    area: 'system',
    origin: 'app',
    namespace: APP,
    metricName: 'DiskUsedPercent',
    dimensions: ['Service'],
    statistic: 'Maximum',
    unit: 'Percent',
    description: 'Disk used on the busiest task',
  },
  network_in: {
    kind: 'metric',
    area: 'system',
    origin: 'app',
    namespace: APP,
    metricName: 'NetworkBytesIn',
    dimensions: ['Service'],
    statistic: 'Sum',
    unit: 'Bytes',
    description: 'Bytes received',
  },
  network_out: {
    kind: 'metric',
    area: 'system',
    origin: 'app',
    namespace: APP,
    metricName: 'NetworkBytesOut',
    dimensions: ['Service'],
    statistic: 'Sum',
    unit: 'Bytes',
    description: 'Bytes sent',
  },
  // Application
  requests: {
    kind: 'metric',
    area: 'application',
    origin: 'app',
    namespace: APP,
    metricName: 'Requests',
    dimensions: ['Service'],
    statistic: 'Sum',
    unit: 'Count',
    description: 'Requests served',
  },
  errors: {
    kind: 'metric',
    area: 'application',
    origin: 'app',
    namespace: APP,
    metricName: 'Errors',
    dimensions: ['Service'],
    statistic: 'Sum',
    unit: 'Count',
    description: 'Requests that failed (5xx)',
  },
  error_rate: {
    kind: 'math',
    area: 'application',
    unit: 'Percent',
    expression: 'IF(requests > 0, 100 * errors / requests, 0)',
    using: { errors: 'errors', requests: 'requests' },
    description: 'Errors as a percentage of requests',
  },
  request_rate: {
    kind: 'math',
    area: 'application',
    unit: 'Count/Second',
    expression: 'requests / PERIOD(requests)',
    using: { requests: 'requests' },
    description: 'Requests per second',
  },
  response_time: {
    kind: 'metric',
    area: 'application',
    origin: 'app',
    namespace: APP,
    metricName: 'ResponseTime',
    dimensions: ['Service'],
    statistic: 'p95',
    unit: 'Milliseconds',
    description: 'Response time, 95th percentile',
  },
  active_users: {
    kind: 'metric',
    area: 'application',
    origin: 'app',
    namespace: APP,
    metricName: 'ActiveUsers',
    dimensions: ['Service'],
    statistic: 'Maximum',
    unit: 'Count',
    description: 'Concurrently active users',
  },
  queue_size: {
    kind: 'metric',
    area: 'application',
    origin: 'aws',
    namespace: 'AWS/SQS',
    metricName: 'ApproximateNumberOfMessagesVisible',
    dimensions: ['QueueName'],
    statistic: 'Maximum',
    unit: 'Count',
    description: 'Messages waiting in the work queue',
  },
  // API
  api_latency: {
    kind: 'metric',
    area: 'api',
    origin: 'aws',
    namespace: 'AWS/ApiGateway',
    metricName: 'Latency',
    dimensions: ['ApiName', 'Stage'],
    statistic: 'p95',
    unit: 'Milliseconds',
    description: 'API Gateway latency p95',
  },
  api_requests: {
    kind: 'metric',
    area: 'api',
    origin: 'aws',
    namespace: 'AWS/ApiGateway',
    metricName: 'Count',
    dimensions: ['ApiName', 'Stage'],
    statistic: 'Sum',
    unit: 'Count',
    description: 'API requests',
  },
  api_5xx: {
    kind: 'metric',
    area: 'api',
    origin: 'aws',
    namespace: 'AWS/ApiGateway',
    metricName: '5XXError',
    dimensions: ['ApiName', 'Stage'],
    statistic: 'Sum',
    unit: 'Count',
    description: 'API 5xx responses',
  },
  endpoint_latency: {
    kind: 'metric',
    area: 'api',
    origin: 'app',
    namespace: API,
    metricName: 'EndpointLatency',
    dimensions: ['Service', 'Endpoint'],
    statistic: 'p95',
    unit: 'Milliseconds',
    description: 'Latency per endpoint, 95th percentile',
  },
  endpoint_requests: {
    kind: 'metric',
    area: 'api',
    origin: 'app',
    namespace: API,
    metricName: 'EndpointRequests',
    dimensions: ['Service', 'Endpoint'],
    statistic: 'Sum',
    unit: 'Count',
    description: 'Requests per endpoint',
  },
  endpoint_errors: {
    kind: 'metric',
    area: 'api',
    origin: 'app',
    namespace: API,
    metricName: 'EndpointErrors',
    dimensions: ['Service', 'Endpoint'],
    statistic: 'Sum',
    unit: 'Count',
    description: 'Errors per endpoint',
  },
  endpoint_latency_bucket: {
    kind: 'metric',
    area: 'api',
    origin: 'app',
    namespace: API,
    metricName: 'EndpointLatencyBucket',
    dimensions: ['Service', 'Endpoint', 'Le'],
    statistic: 'Sum',
    unit: 'Count',
    description:
      'Requests at or under a latency bound, cumulative like a Prometheus histogram: Le is 10, 50, 100, 200, 500, 1000 or +Inf (ms)',
  },
  // Database
  db_connections: {
    kind: 'metric',
    area: 'database',
    origin: 'aws',
    namespace: 'AWS/RDS',
    metricName: 'DatabaseConnections',
    dimensions: ['DBInstanceIdentifier'],
    statistic: 'Maximum',
    unit: 'Count',
    description: 'Open connections',
  },
  query_latency: {
    kind: 'metric',
    area: 'database',
    origin: 'app',
    namespace: DB,
    metricName: 'QueryLatency',
    dimensions: ['Service'],
    statistic: 'Average',
    unit: 'Milliseconds',
    description: 'Query latency seen by the service',
  },
  slow_queries: {
    kind: 'metric',
    area: 'database',
    origin: 'app',
    namespace: DB,
    metricName: 'SlowQueries',
    dimensions: ['Service'],
    statistic: 'Sum',
    unit: 'Count',
    description: 'Queries slower than 1 s',
  },
  deadlocks: {
    kind: 'metric',
    area: 'database',
    origin: 'aws',
    namespace: 'AWS/RDS',
    metricName: 'Deadlocks',
    dimensions: ['DBInstanceIdentifier'],
    statistic: 'Sum',
    unit: 'Count/Second',
    description: 'Deadlocks',
  },
  db_pool_in_use: {
    kind: 'metric',
    area: 'database',
    origin: 'app',
    namespace: DB,
    metricName: 'PoolConnectionsInUse',
    dimensions: ['Service'],
    statistic: 'Maximum',
    unit: 'Count',
    description: 'Connection pool slots in use',
  },
  // WebSocket
  ws_connections: {
    kind: 'metric',
    area: 'websocket',
    origin: 'app',
    namespace: WS,
    metricName: 'ActiveConnections',
    dimensions: ['Service'],
    statistic: 'Maximum',
    unit: 'Count',
    description: 'Open WebSocket connections',
  },
  ws_messages: {
    kind: 'metric',
    area: 'websocket',
    origin: 'app',
    namespace: WS,
    metricName: 'Messages',
    dimensions: ['Service'],
    statistic: 'Sum',
    unit: 'Count',
    description: 'Messages relayed',
  },
  ws_latency: {
    kind: 'metric',
    area: 'websocket',
    origin: 'app',
    namespace: WS,
    metricName: 'MessageLatency',
    dimensions: ['Service'],
    statistic: 'p95',
    unit: 'Milliseconds',
    description: 'Message latency p95',
  },
  ws_errors: {
    kind: 'metric',
    area: 'websocket',
    origin: 'app',
    namespace: WS,
    metricName: 'Errors',
    dimensions: ['Service'],
    statistic: 'Sum',
    unit: 'Count',
    description: 'WebSocket errors',
  },
  ws_active_rooms: {
    kind: 'metric',
    area: 'websocket',
    origin: 'app',
    namespace: WS,
    metricName: 'ActiveRooms',
    dimensions: ['Service'],
    statistic: 'Maximum',
    unit: 'Count',
    description: 'Rooms with at least one member',
  },
  ws_users_per_room: {
    kind: 'metric',
    area: 'websocket',
    origin: 'app',
    namespace: WS,
    metricName: 'UsersPerRoom',
    dimensions: ['Service'],
    statistic: 'Average',
    unit: 'Count',
    description: 'Members per room',
  },
  ws_messages_per_room: {
    kind: 'metric',
    area: 'websocket',
    origin: 'app',
    namespace: WS,
    metricName: 'MessagesPerRoom',
    dimensions: ['Service'],
    statistic: 'Average',
    unit: 'Count',
    description: 'Messages per room',
  },
  // User activity
  user_actions: {
    kind: 'metric',
    area: 'users',
    origin: 'app',
    namespace: USERS,
    metricName: 'Actions',
    dimensions: ['Service'],
    statistic: 'Sum',
    unit: 'Count',
    description: 'User actions',
  },
  session_duration: {
    kind: 'metric',
    area: 'users',
    origin: 'app',
    namespace: USERS,
    metricName: 'SessionDuration',
    dimensions: ['Service'],
    statistic: 'Average',
    unit: 'Seconds',
    description: 'Session length',
  },
  conversion_rate: {
    kind: 'metric',
    area: 'users',
    origin: 'app',
    namespace: USERS,
    metricName: 'ConversionRate',
    dimensions: ['Service'],
    statistic: 'Average',
    unit: 'Percent',
    description: 'Sessions that converted',
  },
};

/** Upper bounds (ms) of the cumulative latency buckets of `endpoint_latency_bucket`; `+Inf` follows. */
export const LATENCY_BUCKETS_MS = [10, 50, 100, 200, 500, 1000] as const;

/** Value of the `Le` dimension for a bucket bound, or `+Inf` for the catch-all bucket. */
export function latencyBucketLabel(boundMs: number | 'inf'): string {
  return boundMs === 'inf' ? '+Inf' : String(boundMs);
}
