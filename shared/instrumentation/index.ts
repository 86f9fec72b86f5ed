/** Application instrumentation against the metric catalog; see `catalog-metrics.ts`. */
export * from './catalog-metrics';
