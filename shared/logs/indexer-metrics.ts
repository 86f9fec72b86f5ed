/**
 * The indexer's lag metrics: what the indexer emits, what the self-monitoring alarm reads and what
 * the dashboard draws. A payload whose newest line is older than {@link BACKFILL_AFTER_SECONDS}
 * is a backfill or a replay, not a pipeline falling behind: its age goes to `BackfillLagSeconds`
 * (drawn, never alarmed), so it is visible without paging anyone.
 */
export const INDEXER_LAG_METRIC = {
  namespace: 'Vigil/LogIndexer',
  metricName: 'IngestLagSeconds',
  unit: 'Seconds',
  statistic: 'Maximum',
  dimensions: { service: 'log-indexer' },
} as const;

/** Age of the newest line of payloads classed as backfill (dashboard only). */
export const INDEXER_BACKFILL_METRIC = {
  namespace: INDEXER_LAG_METRIC.namespace,
  metricName: 'BackfillLagSeconds',
  unit: 'Seconds',
  statistic: 'Maximum',
  dimensions: INDEXER_LAG_METRIC.dimensions,
} as const;

/** Lines indexed from backfill payloads (dashboard only). */
export const INDEXER_BACKFILL_EVENTS_METRIC = {
  namespace: INDEXER_LAG_METRIC.namespace,
  metricName: 'BackfillEvents',
  unit: 'Count',
  statistic: 'Sum',
  dimensions: INDEXER_LAG_METRIC.dimensions,
} as const;

/**
 * One hour. The live lag alarm fires at a minute behind for five minutes, so a pipeline that
 * falls behind pages long before its lag could pass an hour; a payload whose newest line is an
 * hour old was written old (a backfill, a replay, a redriven dead letter).
 */
export const BACKFILL_AFTER_SECONDS = 3600;

/** How one payload's lag is reported. */
export interface IngestLag {
  readonly kind: 'live' | 'backfill';
  /** Seconds from the newest line's event time to now (0 for lines from the future). */
  readonly seconds: number;
}

/** Classifies a payload by the event time of its newest line. */
export function classifyIngestLag(
  newestEventAt: number,
  now: number,
  backfillAfterSeconds: number = BACKFILL_AFTER_SECONDS,
): IngestLag {
  const seconds = Math.max(0, (now - newestEventAt) / 1000);
  return { kind: seconds > backfillAfterSeconds ? 'backfill' : 'live', seconds };
}
