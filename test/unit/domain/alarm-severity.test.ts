import { pickAlarmSeverity, withSeverity } from '../../../shared/domain/alarm-severity';
import type { AlarmStateChange } from '../../../shared/domain/alarm-event';
import type { AlertIdentity } from '../../../shared/domain/alert-identity';
import type { AlertRecord } from '../../../shared/domain/alert-record';
import type { BatchData, MetricDataReader } from '../../../shared/domain/evaluation/evaluator';
import type { SeverityLadder } from '../../../shared/domain/evaluation/rule-spec';

const T0 = Date.UTC(2026, 10, 26, 14, 6, 0);
const ALARM = 'vigil-dev-high-cpu-api';

const LADDER: SeverityLadder = {
  periodSeconds: 60,
  levels: [
    {
      severity: 'critical',
      when: {
        metric: 'memory_usage',
        source: {
          kind: 'metric',
          namespace: 'AWS/ECS',
          metricName: 'MemoryUtilization',
          stat: 'Average',
          dimensions: { ClusterName: 'dokkerr-dev', ServiceName: 'api' },
        },
        comparison: '>',
        threshold: 90,
      },
    },
  ],
};

const IDENTITY: AlertIdentity = {
  ruleId: 'high-cpu',
  matched: true,
  severity: 'warning',
  labels: { alertname: 'high-cpu', service: 'api', severity: 'warning' },
  annotations: { summary: 'api: CPU above 80% for 5 minutes' },
  insufficientData: 'keep',
};

function change(state: AlarmStateChange['state'], timestamp = T0): AlarmStateChange {
  return { source: 'alarm-action', alarmName: ALARM, kind: 'metric', state, timestamp, reason: 'test' };
}

/** A reader that serves memory at `percent` for every minute of the batch, counting its calls. */
function memoryAt(percent: number): MetricDataReader & { calls: number } {
  const reader = {
    calls: 0,
    read(batch: Parameters<MetricDataReader['read']>[0]): Promise<BatchData> {
      reader.calls++;
      const points: [number, number][] = [];
      for (let t = batch.startTime; t < batch.endTime; t += 60_000) points.push([t, percent]);
      const series = new Map(batch.queries.filter((q) => q.ReturnData).map((q) => [q.Id, [points]]));
      return Promise.resolve({ series, failures: new Map(), calls: 1 });
    },
  };
  return reader;
}

function firing(severity: AlertRecord['severity'], reason: string): AlertRecord {
  return {
    fingerprint: 'f',
    alarmName: ALARM,
    status: 'firing',
    severity,
    labels: { ...IDENTITY.labels, severity },
    annotations: { ...IDENTITY.annotations, severityReason: reason },
    alarmState: 'ALARM',
    lastChangeAt: T0 - 60_000,
    notified: ['slack'],
    version: 1,
  };
}

describe('severity of an alarm-driven alert from its related metrics', () => {
  it('takes the first level that holds, and says why', async () => {
    // Arrange
    const metrics = memoryAt(95);
    // Act
    const pick = await pickAlarmSeverity(
      { metrics, budgetMs: 1000 },
      LADDER,
      change('ALARM'),
      IDENTITY,
      undefined,
    );
    // Assert
    expect(pick).toEqual({ severity: 'critical', reason: 'critical: memory_usage = 95 > 90' });
    expect(withSeverity(IDENTITY, pick)).toMatchObject({
      severity: 'critical',
      labels: { severity: 'critical' },
      annotations: { severityReason: 'critical: memory_usage = 95 > 90' },
    });
  });

  it("keeps the rule's own severity when no level holds", async () => {
    // Arrange / Act
    const pick = await pickAlarmSeverity(
      { metrics: memoryAt(40), budgetMs: 1000 },
      LADDER,
      change('ALARM'),
      IDENTITY,
      undefined,
    );
    // Assert
    expect(pick).toEqual({
      severity: 'warning',
      reason: "warning, the rule's own: no level holds: memory_usage = 40, not > 90",
    });
  });

  it("falls back to the rule's own severity when GetMetricData fails", async () => {
    // Arrange
    const metrics: MetricDataReader = { read: () => Promise.reject(new Error('Throttling: Rate exceeded')) };
    // Act
    const pick = await pickAlarmSeverity(
      { metrics, budgetMs: 1000 },
      LADDER,
      change('ALARM'),
      IDENTITY,
      undefined,
    );
    // Assert
    expect(pick?.severity).toBe('warning');
    expect(pick?.reason).toMatch(
      /^warning, the rule's own: related metrics unavailable: GetMetricData failed/,
    );
  });

  it('pages within the budget when the read hangs, and a firing alert keeps its severity', async () => {
    // Arrange
    const metrics: MetricDataReader = { read: () => new Promise<never>(() => undefined) };
    const current = firing('critical', 'critical: memory_usage = 95 > 90');
    // Act
    const started = Date.now();
    const pick = await pickAlarmSeverity(
      { metrics, budgetMs: 50 },
      LADDER,
      change('ALARM', T0 + 60_000),
      IDENTITY,
      current,
    );
    // Assert
    expect(Date.now() - started).toBeLessThan(1000);
    expect(pick).toEqual({
      severity: 'critical',
      reason: 'critical, kept: related metrics unavailable: no answer within 50 ms',
    });
  });

  it('reads nothing for a duplicate, and a resolve keeps the severity the alert fired with', async () => {
    // Arrange
    const metrics = memoryAt(95);
    const current = firing('critical', 'critical: memory_usage = 95 > 90');
    // Act
    const duplicate = await pickAlarmSeverity(
      { metrics, budgetMs: 1000 },
      LADDER,
      change('ALARM', current.lastChangeAt),
      IDENTITY,
      current,
    );
    const resolve = await pickAlarmSeverity(
      { metrics, budgetMs: 1000 },
      LADDER,
      change('OK'),
      IDENTITY,
      current,
    );
    // Assert
    expect(duplicate).toBeUndefined();
    expect(resolve).toEqual({ severity: 'critical', reason: 'critical: memory_usage = 95 > 90' });
    expect(metrics.calls).toBe(0);
  });

  it('leaves an alarm without a ladder, or one the evaluator already graded, alone', async () => {
    // Arrange
    const metrics = memoryAt(95);
    // Act
    const none = await pickAlarmSeverity(
      { metrics, budgetMs: 1000 },
      undefined,
      change('ALARM'),
      IDENTITY,
      undefined,
    );
    const graded = await pickAlarmSeverity(
      { metrics, budgetMs: 1000 },
      LADDER,
      { ...change('ALARM'), severity: 'info' },
      IDENTITY,
      undefined,
    );
    // Assert
    expect([none, graded]).toEqual([undefined, undefined]);
    expect(metrics.calls).toBe(0);
  });
});
