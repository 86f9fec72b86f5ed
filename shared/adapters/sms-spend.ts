import type { AwsJsonCall } from './aws-json';
import { getMetricData } from './cloudwatch-http';

/**
 * Reads the account's SMS spend this month (SNS publishes `SMSMonthToDateSpentUSD` in AWS/SNS);
 * undefined when no datapoint is there yet.
 */
export function cloudWatchSmsSpend(
  cloudwatch: AwsJsonCall,
  clock: () => number,
): () => Promise<number | undefined> {
  return async () => {
    const now = clock();
    const out = await getMetricData(cloudwatch, {
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
    });
    return out.MetricDataResults?.[0]?.Values?.[0];
  };
}
