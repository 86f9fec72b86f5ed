import { CloudWatchAlarmStates } from '../../../shared/adapters/cloudwatch-alarm-states';
import type { AlarmStateReader, CurrentAlarmState } from '../../../shared/domain/reconcile';
import { devRuntimeConfig } from '../../support/fixtures';
import { createHarness } from '../../support/pipeline-harness';

const CPU_API = 'vigil-dev-high-cpu-api';
const CPU_CHECKOUT = 'vigil-dev-high-cpu-checkout';

function reader(states: Record<string, CurrentAlarmState>): AlarmStateReader & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    read: (names) => {
      calls.push([...names]);
      return Promise.resolve(new Map(names.filter((n) => n in states).map((n) => [n, states[n] ?? null])));
    },
  };
}

describe('stale alert reconciliation', () => {
  it('ends an alert whose alarm was deleted and one whose OK never arrived, through the normal resolve path', async () => {
    // Arrange: two warnings fire and are notified; their alarms later change without telling us
    const states: Record<string, CurrentAlarmState> = {};
    const cloudwatch = reader(states);
    const h = createHarness(devRuntimeConfig(), Date.UTC(2024, 0, 1, 9), cloudwatch);
    await h.alarm(CPU_API, 'ALARM');
    await h.alarm(CPU_CHECKOUT, 'ALARM');
    await h.run(2);
    states[CPU_API] = null;
    states[CPU_CHECKOUT] = { state: 'OK', updatedAt: h.now() + 3600_000 };
    // Act: past the stale threshold (6 h) and the reconcile interval
    await h.run(6 * 60 + 20);
    // Assert
    const resolved = h
      .on('slack')
      .filter((n) => n.status === 'resolved')
      .flatMap((n) => n.alerts.map((a) => a.alarmName));
    expect(resolved.sort()).toEqual([CPU_API, CPU_CHECKOUT].sort());
    expect([...h.store.items.values()].every((r) => r.status === 'resolved')).toBe(true);
    expect(cloudwatch.calls.length).toBeGreaterThan(0);
  });

  it('leaves an alarm that is still in ALARM firing, and does not ask about fresh alerts', async () => {
    const cloudwatch = reader({ [CPU_API]: { state: 'ALARM', updatedAt: 0 } });
    const h = createHarness(devRuntimeConfig(), Date.UTC(2024, 0, 1, 9), cloudwatch);
    await h.alarm(CPU_API, 'ALARM');
    await h.run(60);
    expect(cloudwatch.calls).toEqual([]);
    await h.run(6 * 60);
    expect(cloudwatch.calls.length).toBeGreaterThan(0);
    expect([...h.store.items.values()][0]?.status).toBe('firing');
  });
});

describe('CloudWatchAlarmStates', () => {
  it('reads metric and composite alarms 100 names at a time, paging, and reports deleted ones as null', async () => {
    // Arrange: CloudWatch's JSON protocol answers, times in epoch seconds
    const names = Array.from({ length: 150 }, (_, i) => `alarm-${i}`);
    const answers: unknown[] = [
      {
        MetricAlarms: [{ AlarmName: 'alarm-0', StateValue: 'OK', StateUpdatedTimestamp: 5 }],
        NextToken: 'p2',
      },
      { CompositeAlarms: [{ AlarmName: 'alarm-1', StateValue: 'ALARM', StateUpdatedTimestamp: 6 }] },
      {
        MetricAlarms: [{ AlarmName: 'alarm-120', StateValue: 'INSUFFICIENT_DATA', StateUpdatedTimestamp: 7 }],
      },
    ];
    const calls: {
      operation: string;
      input: { AlarmNames?: string[]; NextToken?: string; AlarmTypes?: string[] };
    }[] = [];
    const cloudwatch = (operation: string, input: unknown): Promise<unknown> => {
      calls.push({ operation, input: input as (typeof calls)[number]['input'] });
      return Promise.resolve(answers.shift() ?? {});
    };
    // Act
    const states = await new CloudWatchAlarmStates(cloudwatch).read(names);
    // Assert
    expect(calls.map((c) => c.operation)).toEqual(['DescribeAlarms', 'DescribeAlarms', 'DescribeAlarms']);
    expect(calls.map((c) => c.input.AlarmNames?.length)).toEqual([100, 100, 50]);
    expect(calls[1]?.input.NextToken).toBe('p2');
    expect(calls[0]?.input.AlarmTypes).toEqual(['MetricAlarm', 'CompositeAlarm']);
    expect(states.get('alarm-0')).toEqual({ state: 'OK', updatedAt: 5000 });
    expect(states.get('alarm-1')).toEqual({ state: 'ALARM', updatedAt: 6000 });
    expect(states.get('alarm-120')).toEqual({ state: 'INSUFFICIENT_DATA', updatedAt: 7000 });
    expect(states.get('alarm-2')).toBeNull();
  });
});
