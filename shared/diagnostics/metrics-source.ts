import type { GetMetricDataCommandOutput, MetricDataQuery, MetricStat } from '@aws-sdk/client-cloudwatch';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { DiagnosticsCollector, DiagnosticsQuery } from '../domain/diagnostics';
import { formatSeriesLine, summarizeSeries } from '../domain/diagnostics';
import type { DiagnosticsMetric } from '../domain/runtime-config';
import { alarmConsoleUrl } from './console-links';

/** What the source needs of a CloudWatch client (the SDK client, or the replay's simulated one). */
export interface MetricDataReader {
  send(
    command: GetMetricDataCommand,
    options?: { abortSignal?: AbortSignal },
  ): Promise<GetMetricDataCommandOutput>;
}

/** Options of {@link createMetricsSource}. */
export interface MetricsSourceOptions {
  /** Metrics to read per alarm name: the alarm's own first, then the related ones. */
  readonly metrics: Readonly<Record<string, readonly DiagnosticsMetric[]>>;
  readonly region: string;
  /** Datapoint period in seconds. @default 60 */
  readonly periodSeconds?: number;
}

const MAX_PAGES = 5;

function metricStat(m: NonNullable<DiagnosticsMetric['metric']>, periodSeconds: number): MetricStat {
  return {
    Metric: {
      Namespace: m.namespace,
      MetricName: m.metricName,
      Dimensions: Object.entries(m.dimensions).map(([Name, Value]) => ({ Name, Value })),
    },
    Period: periodSeconds,
    Stat: m.stat,
  };
}

/** The GetMetricData queries for an alarm's metrics: one returned series per metric, math inputs hidden. */
export function buildMetricQueries(
  metrics: readonly DiagnosticsMetric[],
  periodSeconds: number,
): MetricDataQuery[] {
  return metrics.flatMap((m, i): MetricDataQuery[] => {
    const id = `m${i}`;
    if (m.metric)
      return [{ Id: id, Label: m.name, MetricStat: metricStat(m.metric, periodSeconds), ReturnData: true }];
    if (!m.math) return [];
    const ids = Object.keys(m.math.using);
    // Query ids are unique across the request, so each expression's inputs get the metric's prefix.
    const expression = ids.reduce(
      (text, used) => text.replace(new RegExp(`\\b${used}\\b`, 'g'), `${id}_${used}`),
      m.math.expression,
    );
    return [
      ...Object.entries(m.math.using).map(([used, stat]): MetricDataQuery => ({
        Id: `${id}_${used}`,
        MetricStat: metricStat(stat, periodSeconds),
        ReturnData: false,
      })),
      { Id: id, Label: m.name, Expression: expression, Period: periodSeconds, ReturnData: true },
    ];
  });
}

/**
 * Metrics evidence: GetMetricData for the alarm's own metric and its rule's related metrics over
 * the window, each summarised as current, min/max and trend.
 */
export function createMetricsSource(
  client: MetricDataReader,
  options: MetricsSourceOptions,
): DiagnosticsCollector {
  const period = options.periodSeconds ?? 60;
  return async (query: DiagnosticsQuery) => {
    const metrics = options.metrics[query.alarmName] ?? [];
    if (metrics.length === 0) {
      return { summary: 'no metrics configured for this alarm', links: [], empty: true };
    }
    const series = new Map<string, { at: number; value: number }[]>();
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const out = await client.send(
        new GetMetricDataCommand({
          MetricDataQueries: buildMetricQueries(metrics, period),
          StartTime: new Date(query.from),
          EndTime: new Date(query.until),
          ScanBy: 'TimestampDescending',
          NextToken: nextToken,
        }),
        { abortSignal: query.signal },
      );
      for (const result of out.MetricDataResults ?? []) {
        const points = series.get(result.Id ?? '') ?? [];
        (result.Timestamps ?? []).forEach((t, i) => {
          const value = result.Values?.[i];
          if (value !== undefined) points.push({ at: t.getTime(), value });
        });
        series.set(result.Id ?? '', points);
      }
      nextToken = out.NextToken;
      pages++;
    } while (nextToken && pages < MAX_PAGES);
    const lines = metrics.map((m, i) =>
      formatSeriesLine(m.name, m.unit, summarizeSeries(series.get(`m${i}`) ?? [])),
    );
    const empty = metrics.every((_, i) => (series.get(`m${i}`) ?? []).length === 0);
    return {
      summary: lines.join('; '),
      links: [{ label: 'alarm', url: alarmConsoleUrl(options.region, query.alarmName) }],
      empty,
    };
  };
}
