import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { parseScenario, ScenarioError } from '../../../shared/replay/scenario';
import { SimulatedCloudWatch, parseExpression } from '../../../shared/replay/simulated-cloudwatch';

const START = Date.parse('2026-11-26T14:00:00Z');
const MIN = 60_000;

function scenario(metrics: unknown[]) {
  return parseScenario({ start: '2026-11-26T14:00:00Z', duration: 'PT2H', events: [], metrics });
}

function stat(
  id: string,
  metricName: string,
  stat: string,
  service = 'checkout',
  returnData = true,
): MetricDataQuery {
  return {
    Id: id,
    ReturnData: returnData,
    MetricStat: {
      Metric: {
        Namespace: 'Dokkerr/Application',
        MetricName: metricName,
        Dimensions: [{ Name: 'Service', Value: service }],
      },
      Period: 60,
      Stat: stat,
    },
  };
}

const window = (fromMin: number, toMin: number) => ({
  StartTime: new Date(START + fromMin * MIN),
  EndTime: new Date(START + toMin * MIN),
});

describe('scenario metrics section', () => {
  it('parses series with ISO offsets into ms', () => {
    // Act
    const parsed = scenario([
      {
        metric: 'requests',
        dimensions: { Service: 'checkout' },
        points: [
          ['PT1M', 42.5],
          ['PT2M', 43],
        ],
      },
    ]);
    // Assert
    expect(parsed.metrics[0]?.points).toEqual([
      [60_000, 42.5],
      [120_000, 43],
    ]);
  });

  it('names the point of an offset past the end', () => {
    // Act / Assert
    expect(() => scenario([{ metric: 'requests', dimensions: {}, points: [['PT3H', 1]] }])).toThrow(
      /^metrics\[0\]\.points\[0\]\[0\]: PT3H is after the end/,
    );
  });

  it('refuses a math metric and names the field', () => {
    // Arrange
    const parsed = scenario([{ metric: 'error_rate', dimensions: { Service: 'checkout' }, points: [] }]);
    // Act / Assert
    expect(() => SimulatedCloudWatch.fromScenario(parsed)).toThrow(ScenarioError);
    expect(() => SimulatedCloudWatch.fromScenario(parsed)).toThrow(
      /^metrics\[0\]\.metric: "error_rate" is metric math/,
    );
  });

  it('refuses wrong dimensions for the catalog metric', () => {
    // Arrange
    const parsed = scenario([{ metric: 'cpu_usage', dimensions: { ServiceName: 'checkout' }, points: [] }]);
    // Act / Assert
    expect(() => SimulatedCloudWatch.fromScenario(parsed)).toThrow(
      /^metrics\[0\]\.dimensions: .*missing ClusterName/,
    );
  });
});

describe('SimulatedCloudWatch GetMetricData', () => {
  const cw = SimulatedCloudWatch.fromScenario(
    scenario([
      {
        metric: 'requests',
        dimensions: { Service: 'checkout' },
        points: [
          ['PT1M', 100],
          ['PT1M30S', 20],
          ['PT2M', 60],
          ['PT3M', 0],
        ],
      },
      {
        metric: 'errors',
        dimensions: { Service: 'checkout' },
        points: [
          ['PT1M', 6],
          ['PT2M', 3],
        ],
      },
      { metric: 'requests', dimensions: { Service: 'api' }, points: [['PT1M', 999]] },
    ]),
  );

  it('aggregates per period with the statistic, newest first, within StartTime/EndTime', async () => {
    // Act
    const out = await cw.send(
      new GetMetricDataCommand({
        ...window(0, 3),
        MetricDataQueries: [stat('sum', 'Requests', 'Sum'), stat('avg', 'Requests', 'Average')],
      }),
    );
    // Assert
    const [sum, avg] = out.MetricDataResults ?? [];
    expect(sum?.Timestamps).toEqual([new Date(START + 2 * MIN), new Date(START + MIN)]);
    expect(sum?.Values).toEqual([60, 120]);
    expect(avg?.Values).toEqual([60, 60]);
    expect(out.NextToken).toBeUndefined();
  });

  it('evaluates the catalog math (IF, PERIOD) over hidden metric queries', async () => {
    // Act
    const out = await cw.send(
      new GetMetricDataCommand({
        ...window(0, 4),
        ScanBy: 'TimestampAscending',
        MetricDataQueries: [
          stat('errors', 'Errors', 'Sum', 'checkout', false),
          stat('requests', 'Requests', 'Sum', 'checkout', false),
          { Id: 'rate', Expression: 'IF(requests > 0, 100 * errors / requests, 0)' },
          { Id: 'rps', Expression: 'requests / PERIOD(requests)' },
        ],
      }),
    );
    // Assert
    const [rate, rps] = out.MetricDataResults ?? [];
    expect(rate?.Values).toEqual([5, 5]);
    expect(rps?.Values).toEqual([2, 1, 0]);
  });

  it('serves an anomaly band from the preceding buckets, as an upper and a lower edge', async () => {
    // Arrange
    const points = Array.from({ length: 20 }, (_, i) => [`PT${i + 1}M`, i % 2 === 0 ? 10 : 12]);
    const band = SimulatedCloudWatch.fromScenario(
      scenario([
        { metric: 'requests', dimensions: { Service: 'checkout' }, points: [...points, ['PT21M', 50]] },
      ]),
    );
    // Act
    const out = await band.send(
      new GetMetricDataCommand({
        ...window(21, 22),
        MetricDataQueries: [
          stat('m', 'Requests', 'Sum'),
          { Id: 'ad', Expression: 'ANOMALY_DETECTION_BAND(m, 2)' },
        ],
      }),
    );
    // Assert
    const results = out.MetricDataResults ?? [];
    expect(results.map((r) => r.Id)).toEqual(['m', 'ad', 'ad']);
    expect(results[0]?.Values).toEqual([50]);
    expect(results[1]?.Values?.[0]).toBeCloseTo(13);
    expect(results[2]?.Values?.[0]).toBeCloseTo(9);
  });

  it('pages with NextToken and marks a cut result PartialData', async () => {
    // Arrange
    const small = SimulatedCloudWatch.fromScenario(
      scenario([
        {
          metric: 'requests',
          dimensions: { Service: 'checkout' },
          points: [
            ['PT1M', 1],
            ['PT2M', 2],
            ['PT3M', 3],
          ],
        },
      ]),
      undefined,
      { maxDatapointsPerPage: 2 },
    );
    const input = { ...window(0, 4), MetricDataQueries: [stat('r', 'Requests', 'Sum')] };
    // Act
    const first = await small.send(new GetMetricDataCommand(input));
    const second = await small.send(new GetMetricDataCommand({ ...input, NextToken: first.NextToken }));
    // Assert
    expect(first.MetricDataResults?.[0]?.StatusCode).toBe('PartialData');
    expect(first.MetricDataResults?.[0]?.Values).toEqual([3, 2]);
    expect(second.MetricDataResults?.[0]?.Values).toEqual([1]);
    expect(second.MetricDataResults?.[0]?.StatusCode).toBe('Complete');
    expect(second.NextToken).toBeUndefined();
  });

  it('refuses more than 500 queries in one call', async () => {
    // Arrange
    const queries = Array.from({ length: 501 }, (_, i) => stat(`q${i}`, 'Requests', 'Sum'));
    // Act / Assert
    await expect(
      cw.send(new GetMetricDataCommand({ ...window(0, 1), MetricDataQueries: queries })),
    ).rejects.toThrow(/1 to 500 queries, got 501/);
  });

  it('fails a call when told to, as a throttled CloudWatch would', async () => {
    // Arrange
    const throttled = new SimulatedCloudWatch([], {
      failWith: () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }),
    });
    // Act / Assert
    await expect(
      throttled.send(
        new GetMetricDataCommand({ ...window(0, 1), MetricDataQueries: [stat('r', 'Requests', 'Sum')] }),
      ),
    ).rejects.toThrow('Rate exceeded');
  });

  it('names the bad part of an expression', () => {
    // Act / Assert
    expect(() => parseExpression('a + * b')).toThrow(/expression "a \+ \* b": unexpected "\*"/);
  });
});
