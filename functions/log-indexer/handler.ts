/** Lambda entry: CloudWatch Logs subscription -> OpenSearch, rejected lines -> SQS. */
import { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { INDEXER_LAG_METRIC } from '../../shared/logs/indexer-metrics';
import { createOpenSearchClient, OpenSearchLogIndex } from '../../shared/logs/opensearch-log-index';
import { SqsDeadLetterSink } from '../../shared/logs/sqs-dead-letter-sink';
import { requireEnv } from '../../shared/logs/env';
import { createLogIndexer, readLogIndexerConfig } from './log-indexer';

const logger = new Logger();
const tracer = new Tracer();
const config = readLogIndexerConfig();
const region = requireEnv('AWS_REGION');
const openSearch = createOpenSearchClient({ endpoint: config.endpoint, sign: true, region });
const sqs = tracer.captureAWSv3Client(new SQSClient({ region }));

const indexLogs = createLogIndexer({
  index: new OpenSearchLogIndex(openSearch),
  deadLetters: new SqsDeadLetterSink(sqs, config.deadLetterQueueUrl),
  categories: config.categories,
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
    metrics.addMetric(
      INDEXER_LAG_METRIC.metricName,
      MetricUnit.Seconds,
      Math.max(0, (Date.now() - result.newestEventAt) / 1000),
    );
  }
  logger.info('log payload processed', { result });
})
  .use(injectLambdaContext(logger))
  .use(captureLambdaHandler(tracer))
  .use(logMetrics(metrics));
