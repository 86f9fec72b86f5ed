/**
 * CloudWatch over its JSON protocol (DescribeAlarms, GetMetricData) for the tick and the rule
 * evaluator. The wire carries times as epoch seconds; these adapters give and take `Date`s, as the
 * SDK's types say.
 */
import type { GetMetricDataCommandInput, GetMetricDataCommandOutput } from '@aws-sdk/client-cloudwatch';
import type { AwsHttp } from './aws-http';
import type { AwsJsonCall } from './aws-json';
import { createAwsJsonClient, endpointOf } from './aws-json';
import type { GetMetricDataSender } from './cloudwatch-metric-data';
import type { LeanAws } from './lean-aws';

/** A CloudWatch client for one Lambda. */
export function createCloudWatchCall(
  aws: LeanAws,
  options: { readonly http?: AwsHttp; readonly maxAttempts?: number } = {},
): AwsJsonCall {
  return createAwsJsonClient({
    signingName: 'monitoring',
    targetPrefix: 'GraniteServiceVersion20100801',
    jsonVersion: '1.0',
    region: aws.region,
    endpoint: endpointOf('monitoring', aws.region, aws.env),
    credentials: aws.credentials,
    ...(options.http ? { http: options.http } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    ...(aws.around ? { around: aws.around('CloudWatch') } : {}),
  });
}

const seconds = (d: Date | undefined): number | undefined =>
  d === undefined ? undefined : d.getTime() / 1000;

/** GetMetricData with `Date`s in and out. */
export async function getMetricData(
  call: AwsJsonCall,
  input: GetMetricDataCommandInput,
): Promise<GetMetricDataCommandOutput> {
  const out = (await call('GetMetricData', {
    ...input,
    StartTime: seconds(input.StartTime),
    EndTime: seconds(input.EndTime),
  })) as Omit<GetMetricDataCommandOutput, '$metadata' | 'MetricDataResults'> & {
    MetricDataResults?: (Omit<
      NonNullable<GetMetricDataCommandOutput['MetricDataResults']>[number],
      'Timestamps'
    > & {
      Timestamps?: number[];
    })[];
  };
  return {
    $metadata: {},
    ...out,
    MetricDataResults: out.MetricDataResults?.map((r) => ({
      ...r,
      Timestamps: r.Timestamps?.map((t) => new Date(t * 1000)),
    })),
  };
}

/** The rule evaluator's GetMetricData sender over the JSON protocol. */
export function httpGetMetricData(call: AwsJsonCall): GetMetricDataSender {
  return { send: (command) => getMetricData(call, command.input) };
}
