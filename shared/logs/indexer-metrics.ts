/** The indexer's ingest-lag metric: what the indexer emits and what the self-monitoring alarm reads. */
export const INDEXER_LAG_METRIC = {
  namespace: 'Vigil/LogIndexer',
  metricName: 'IngestLagSeconds',
  unit: 'Seconds',
  statistic: 'Maximum',
  dimensions: { service: 'log-indexer' },
} as const;
