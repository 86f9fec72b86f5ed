import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';

/**
 * Reads the account's SMS spend this month (SNS publishes `SMSMonthToDateSpentUSD` in AWS/SNS);
 * undefined when no datapoint is there yet.
 */
export function cloudWatchSmsSpend(
  cloudwatch: CloudWatchClient,
  clock: () => number,
): () => Promise<number | undefined> {
  return async () => {
    const now = clock();
    const out = await cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(now - 6 * 3600_000),
        EndTime: new Date(now),
        ScanBy: 'TimestampDescending',
        MetricDataQueries: [
          {
            Id: 'spend',
            MetricStat: {
              Metric: { Namespace: 'AWS/SNS', MetricName: 'SMSMonthToDateSpentUSD' },
              Period: 300,
              Stat: 'Maximum',
            },
          },
        ],
      }),
    );
    return out.MetricDataResults?.[0]?.Values?.[0];
  };
}
