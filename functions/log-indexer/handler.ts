/** Lambda entry: CloudWatch Logs subscription -> OpenSearch, rejected lines -> SQS. */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { credentialsFromEnv } from '../../shared/adapters/lean-aws';
import { logger, tracing, sourceMappedErrors } from '../../shared/adapters/observability';
import {
  classifyIngestLag,
  INDEXER_BACKFILL_EVENTS_METRIC,
  INDEXER_BACKFILL_METRIC,
  INDEXER_LAG_METRIC,
} from '../../shared/logs/indexer-metrics';
import { createOpenSearchHttp } from '../../shared/logs/opensearch-http';
import { OpenSearchLogIndex } from '../../shared/logs/opensearch-log-index';
import { SqsDeadLetterSink } from '../../shared/logs/sqs-dead-letter-sink';
import { requireEnv } from '../../shared/logs/env';
import { createLogIndexer, readLogIndexerConfig } from './log-indexer';

const config = readLogIndexerConfig();
const region = requireEnv('AWS_REGION');
// Lambda hands its role's credentials to the function in the environment.
const credentials = credentialsFromEnv();
const sqsEndpoint = process.env.AWS_ENDPOINT_URL_SQS ?? process.env.AWS_ENDPOINT_URL;

const indexLogs = createLogIndexer({
  index: new OpenSearchLogIndex(
    createOpenSearchHttp({ endpoint: config.endpoint, sign: true, region, credentials }),
  ),
  deadLetters: new SqsDeadLetterSink({
    queueUrl: config.deadLetterQueueUrl,
    region,
    credentials,
    ...(sqsEndpoint !== undefined && sqsEndpoint !== '' ? { endpoint: sqsEndpoint } : {}),
  }),
  categories: config.categories,
  services: config.services,
  defaultCategory: config.defaultCategory,
  limits: config.limits,
});

// The self-monitoring alarm reads exactly this namespace, metric and dimension set.
const metrics = new Metrics({
  namespace: INDEXER_LAG_METRIC.namespace,
  serviceName: INDEXER_LAG_METRIC.dimensions.service,
});

/** The handler. */
export const handler = middy(async (event: unknown): Promise<void> => {
  const result = await indexLogs(event);
  if (result.status === 'indexed' && result.newestEventAt !== undefined) {
    const lag = classifyIngestLag(result.newestEventAt, Date.now());
    if (lag.kind === 'live') {
      metrics.addMetric(INDEXER_LAG_METRIC.metricName, MetricUnit.Seconds, lag.seconds);
    } else {
      metrics.addMetric(INDEXER_BACKFILL_METRIC.metricName, MetricUnit.Seconds, lag.seconds);
      metrics.addMetric(INDEXER_BACKFILL_EVENTS_METRIC.metricName, MetricUnit.Count, result.events);
    }
  }
  logger.info('log payload processed', { result });
})
  .use(injectLambdaContext(logger))
  .use(tracing.middleware)
  .use(logMetrics(metrics))
  .use(sourceMappedErrors);
