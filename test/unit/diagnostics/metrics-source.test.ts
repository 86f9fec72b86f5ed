import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { createMetricsSource } from '../../../shared/diagnostics/metrics-source';
import type { DiagnosticsMetric } from '../../../shared/domain/runtime-config';
import { summarizeSeries } from '../../../shared/domain/diagnostics';

const cw = mockClient(CloudWatchClient);
const UNTIL = Date.UTC(2026, 10, 26, 14, 30);
const FROM = UNTIL - 30 * 60_000;
const ALARM = 'vigil-dev-high-error-rate-checkout';

const app = (metricName: string, stat: string) => ({
  namespace: 'Dokkerr/Application',
  metricName,
  dimensions: { Service: 'checkout' },
  stat,
});
const METRICS: DiagnosticsMetric[] = [
  {
    name: 'error_rate',
    role: 'alarm',
    unit: 'Percent',
    math: {
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      using: { errors: app('Errors', 'Sum'), requests: app('Requests', 'Sum') },
    },
  },
  { name: 'response_time', role: 'related', unit: 'Milliseconds', metric: app('ResponseTime', 'p95') },
];

const minutes = (n: number) => Array.from({ length: n }, (_, i) => new Date(UNTIL - (n - 1 - i) * 60_000));

function query(signal = new AbortController().signal) {
  return { incidentId: 'inc-1', service: 'checkout', alarmName: ALARM, from: FROM, until: UNTIL, signal };
}

beforeEach(() => cw.reset());

describe('metrics source (GetMetricData)', () => {
  it("reads the alarm's math metric and the related metric over the window, and summarises each", async () => {
    // Arrange
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'm0', Timestamps: minutes(4).reverse(), Values: [14, 9, 1, 0.5] },
        { Id: 'm1', Timestamps: minutes(4), Values: [800, 810, 790, 805] },
      ],
    });
    const source = createMetricsSource(new CloudWatchClient({ region: 'eu-west-1' }), {
      metrics: { [ALARM]: METRICS },
      region: 'eu-west-1',
    });
    // Act
    const found = await source(query());
    // Assert
    const input = cw.commandCalls(GetMetricDataCommand)[0]?.args[0].input;
    expect(input?.StartTime).toEqual(new Date(FROM));
    expect(input?.EndTime).toEqual(new Date(UNTIL));
    expect(input?.MetricDataQueries).toEqual([
      expect.objectContaining({ Id: 'm0_errors', ReturnData: false }),
      expect.objectContaining({ Id: 'm0_requests', ReturnData: false }),
      expect.objectContaining({
        Id: 'm0',
        Expression: 'IF(m0_requests > 0, 100 * m0_errors / m0_requests, 0)',
        ReturnData: true,
      }),
      expect.objectContaining({
        Id: 'm1',
        MetricStat: {
          Metric: {
            Namespace: 'Dokkerr/Application',
            MetricName: 'ResponseTime',
            Dimensions: [{ Name: 'Service', Value: 'checkout' }],
          },
          Period: 60,
          Stat: 'p95',
        },
      }),
    ]);
    expect(found.summary).toBe(
      'error_rate 14 % (min 0.5, max 14, rising); response_time 805 ms (min 790, max 810, flat)',
    );
    expect(found.links[0]?.url).toContain('#alarmsV2:alarm/vigil-dev-high-error-rate-checkout');
    expect(found.empty).toBe(false);
  });

  it('follows NextToken and says when a metric had no datapoints', async () => {
    // Arrange
    cw.on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [{ Id: 'm1', Timestamps: minutes(1), Values: [700] }],
        NextToken: 't',
      })
      .resolvesOnce({
        MetricDataResults: [{ Id: 'm1', Timestamps: [new Date(UNTIL - 120_000)], Values: [900] }],
      });
    const source = createMetricsSource(new CloudWatchClient({ region: 'eu-west-1' }), {
      metrics: { [ALARM]: METRICS },
      region: 'eu-west-1',
    });
    // Act
    const found = await source(query());
    // Assert
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(2);
    expect(cw.commandCalls(GetMetricDataCommand)[1]?.args[0].input.NextToken).toBe('t');
    expect(found.summary).toBe('error_rate: no datapoints; response_time 700 ms (min 700, max 900, falling)');
  });

  it('an alarm without configured metrics is empty, and a throttled call throws for the budget to note', async () => {
    // Arrange
    cw.on(GetMetricDataCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    const source = createMetricsSource(new CloudWatchClient({ region: 'eu-west-1' }), {
      metrics: { [ALARM]: METRICS },
      region: 'eu-west-1',
    });
    // Act
    const none = await source({ ...query(), alarmName: 'other' });
    const failing = source(query());
    // Assert
    expect(none).toMatchObject({ empty: true, summary: 'no metrics configured for this alarm' });
    await expect(failing).rejects.toThrow('Rate exceeded');
  });
});

describe('summarizeSeries', () => {
  it('takes the newest point as current whatever the order', () => {
    // Arrange
    const points = [
      { at: 3, value: 30 },
      { at: 1, value: 10 },
      { at: 2, value: 20 },
    ];
    // Act
    const summary = summarizeSeries(points);
    // Assert
    expect(summary).toEqual({ current: 30, min: 10, max: 30, trend: 'rising', points: 3 });
    expect(summarizeSeries([])).toBeUndefined();
  });
});
