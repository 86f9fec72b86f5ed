import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import type { GetMetricDataSender } from '../../../shared/adapters/cloudwatch-metric-data';
import { CloudWatchMetricData, MetricDataError } from '../../../shared/adapters/cloudwatch-metric-data';
import { MAX_QUERIES_PER_CALL, planQueries } from '../../../shared/domain/evaluation/query-plan';
import type { QueryBatch } from '../../../shared/domain/evaluation/query-plan';
import type { ScheduledInstance } from '../../../shared/domain/evaluation/rule-spec';

const cw = mockClient(CloudWatchClient);
// The adapter takes any GetMetricData sender; an SDK client (mocked) stands behind this one.
const client = new CloudWatchClient({ region: 'eu-west-1' });
const sender: GetMetricDataSender = {
  send: (command, options) => client.send(new GetMetricDataCommand(command.input), options),
};
const T = Date.parse('2026-11-26T14:10:00Z');
const noSleep = (): Promise<void> => Promise.resolve();

function absenceRule(service: string): ScheduledInstance {
  return {
    ruleId: 'absent',
    target: service,
    alarmName: `vigil-dev-absent-${service}`,
    periodSeconds: 60,
    forSeconds: 0,
    keepFiringForSeconds: 0,
    check: {
      kind: 'absence',
      metric: 'requests',
      source: {
        kind: 'metric',
        namespace: 'Dokkerr/Application',
        metricName: 'Requests',
        stat: 'Sum',
        dimensions: { Service: service },
      },
      afterSeconds: 600,
      severity: 'warning',
    },
  };
}

const batch: QueryBatch = {
  startTime: T - 600_000,
  endTime: T,
  queries: [{ Id: 'q0', ReturnData: true, Expression: 'q1 * 2' }],
};

beforeEach(() => cw.reset());

describe('query batching', () => {
  it('packs 1,200 distinct queries into three calls of at most 500, every id unique and valid', () => {
    // Arrange
    const instances = Array.from({ length: 1200 }, (_, i) => absenceRule(`svc${i}`));
    // Act
    const plan = planQueries(instances, T);
    // Assert
    expect(plan.batches.map((b) => b.queries.length)).toEqual([500, 500, 200]);
    const ids = plan.batches.flatMap((b) => b.queries.map((q) => q.Id));
    expect(new Set(ids).size).toBe(1200);
    expect(ids.every((id) => /^[a-z][a-zA-Z0-9_]*$/.test(id))).toBe(true);
    expect(Math.max(...plan.batches.map((b) => b.queries.length))).toBeLessThanOrEqual(MAX_QUERIES_PER_CALL);
  });

  it('shares one query between rules reading the same metric, dimensions, stat and period', () => {
    // Act
    const plan = planQueries([absenceRule('api'), { ...absenceRule('api'), ruleId: 'other' }], T);
    // Assert
    expect(plan.batches).toHaveLength(1);
    expect(plan.batches[0]?.queries).toHaveLength(1);
  });
});

describe('CloudWatchMetricData', () => {
  it('follows NextToken and merges the pages of one query', async () => {
    // Arrange
    cw.on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [
          {
            Id: 'q0',
            Label: 'q0',
            Timestamps: [new Date(T - 120_000)],
            Values: [1],
            StatusCode: 'PartialData',
          },
        ],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        MetricDataResults: [
          { Id: 'q0', Label: 'q0', Timestamps: [new Date(T - 60_000)], Values: [2], StatusCode: 'Complete' },
        ],
      });
    // Act
    const data = await new CloudWatchMetricData(sender, { sleep: noSleep }).read(batch);
    // Assert
    expect(data.calls).toBe(2);
    expect(data.series.get('q0')).toEqual([
      [
        [T - 120_000, 1],
        [T - 60_000, 2],
      ],
    ]);
    expect(data.failures.size).toBe(0);
    expect(cw.commandCalls(GetMetricDataCommand)[1]?.args[0].input.NextToken).toBe('page-2');
  });

  it('reports a query left PartialData (or failed) after the last page as a failure, keeping the others', async () => {
    // Arrange
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        {
          Id: 'q0',
          Timestamps: [new Date(T - 60_000)],
          Values: [5],
          StatusCode: 'PartialData',
          Messages: [{ Code: 'MaxDatapointsExceeded', Value: 'too many datapoints' }],
        },
        { Id: 'q1', Timestamps: [], Values: [], StatusCode: 'Complete' },
        { Id: 'q2', StatusCode: 'Forbidden' },
      ],
    });
    // Act
    const data = await new CloudWatchMetricData(sender, { sleep: noSleep }).read(batch);
    // Assert
    expect(data.failures.get('q0')).toBe(
      'GetMetricData returned PartialData: MaxDatapointsExceeded too many datapoints',
    );
    expect(data.failures.get('q2')).toMatch(/Forbidden/);
    expect(data.series.get('q1')).toEqual([[]]);
  });

  it('retries throttling with exponential backoff, then succeeds', async () => {
    // Arrange
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    cw.on(GetMetricDataCommand)
      .rejectsOnce(throttled)
      .rejectsOnce(throttled)
      .resolves({ MetricDataResults: [] });
    const waits: number[] = [];
    // Act
    const data = await new CloudWatchMetricData(sender, {
      baseDelayMs: 100,
      sleep: (ms) => Promise.resolve(void waits.push(ms)),
    }).read(batch);
    // Assert
    expect(waits).toEqual([100, 200]);
    expect(data.calls).toBe(1);
  });

  it('gives up after the last attempt with a THROTTLED error naming the attempts', async () => {
    // Arrange
    cw.on(GetMetricDataCommand).rejects(
      Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }),
    );
    const reader = new CloudWatchMetricData(sender, {
      maxAttempts: 3,
      sleep: noSleep,
    });
    // Act
    const error = await reader.read(batch).catch((e: unknown) => e);
    // Assert
    expect(error).toBeInstanceOf(MetricDataError);
    expect(error).toMatchObject({
      code: 'THROTTLED',
      message: expect.stringMatching(/throttled 3 times/) as unknown,
    });
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(3);
  });

  it('does not retry an error that is not throttling', async () => {
    // Arrange
    cw.on(GetMetricDataCommand).rejects(
      Object.assign(new Error('bad query'), { name: 'InvalidParameterValueException' }),
    );
    // Act / Assert
    await expect(new CloudWatchMetricData(sender, { sleep: noSleep }).read(batch)).rejects.toThrow(
      'bad query',
    );
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(1);
  });

  it('refuses a batch of more than 500 queries before calling', async () => {
    // Arrange
    const big: QueryBatch = {
      ...batch,
      queries: Array.from({ length: 501 }, (_, i) => ({ Id: `q${i}`, ReturnData: true, Expression: '1' })),
    };
    // Act / Assert
    await expect(new CloudWatchMetricData(sender).read(big)).rejects.toMatchObject({
      code: 'TOO_MANY_QUERIES',
    });
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(0);
  });

  it('times out a slow call as TIMEOUT', async () => {
    // Arrange
    cw.on(GetMetricDataCommand).callsFake(
      () => new Promise((resolve) => setTimeout(() => resolve({ MetricDataResults: [] }), 200)),
    );
    const reader = new CloudWatchMetricData(sender, {
      timeoutMs: 20,
      sleep: noSleep,
    });
    // Act / Assert
    await expect(reader.read(batch)).rejects.toMatchObject({ code: 'TIMEOUT' });
  });
});
