import { cloudWatchSmsSpend } from '../../../shared/adapters/sms-spend';
import { parseRuntimeConfig } from '../../../shared/domain/runtime-config';
import { runTick } from '../../../shared/domain/tick/run-tick';
import { createCached } from '../../../shared/domain/cached';
import { devRuntimeConfig } from '../../support/fixtures';
import { createHarness } from '../../support/pipeline-harness';

const capped = () =>
  parseRuntimeConfig({
    ...devRuntimeConfig(),
    budgets: { perSecond: { email: 10, sms: 20, slack: 1 }, smsMonthlySpendCapUsd: 50 },
  });

describe('SMS monthly spend cap', () => {
  it('near the cap, the tick sends SMS content to email instead and records the pause', async () => {
    // Arrange: a warning that escalates to SMS after 30 minutes, with spend at 46 of 50 USD
    const h = createHarness(capped());
    await h.alarm('vigil-dev-high-cpu-api', 'ALARM');
    // Act
    for (let i = 0; i < 35; i++) {
      h.advance(60_000);
      await runTick({
        config: capped(),
        store: h.store,
        groups: h.groups,
        publisher: {
          publish: (channel, n) =>
            Promise.resolve(void h.sent.push({ at: h.now(), channel, notification: n })),
        },
        clock: () => h.now(),
        log: h.log,
        claimant: `t${i}`,
        smsSpend: () => Promise.resolve(i < 10 ? 10 : 46),
      });
    }
    // Assert: no SMS; the 30-minute step reached email (which already had the 15-minute step)
    expect(h.on('sms')).toHaveLength(0);
    expect(h.on('email').length).toBeGreaterThanOrEqual(1);
    expect((await h.groups.getTickState())?.smsPaused).toBe(true);
    expect(h.log.lines.some((l) => /SMS paused/.test(l.message))).toBe(true);
  });

  it('keeps the last decision when the spend cannot be read', async () => {
    const h = createHarness(capped());
    const tick = (spend: () => Promise<number | undefined>) =>
      runTick({
        config: capped(),
        store: h.store,
        groups: h.groups,
        publisher: { publish: () => Promise.resolve() },
        clock: () => h.now(),
        log: h.log,
        claimant: 'x',
        smsSpend: spend,
      });
    await tick(() => Promise.resolve(49));
    await tick(() => Promise.reject(new Error('throttled')));
    expect((await h.groups.getTickState())?.smsPaused).toBe(true);
    await tick(() => Promise.resolve(undefined));
    expect((await h.groups.getTickState())?.smsPaused).toBe(true);
    await tick(() => Promise.resolve(1));
    expect((await h.groups.getTickState())?.smsPaused).toBe(false);
  });

  it('reads SMSMonthToDateSpentUSD, newest first', async () => {
    // Arrange: CloudWatch's JSON protocol, times in epoch seconds
    const calls: { operation: string; input: Record<string, unknown> }[] = [];
    const cloudwatch = (operation: string, input: unknown): Promise<unknown> => {
      calls.push({ operation, input: input as Record<string, unknown> });
      return Promise.resolve({
        MetricDataResults: [{ Id: 'spend', Values: [12.5, 12.1], Timestamps: [1, 0] }],
      });
    };
    // Act
    const spent = await cloudWatchSmsSpend(cloudwatch, () => Date.UTC(2024, 0, 1))();
    // Assert
    const input = calls[0]?.input as {
      ScanBy?: string;
      EndTime?: number;
      MetricDataQueries?: { MetricStat?: { Metric?: unknown } }[];
    };
    expect(calls[0]?.operation).toBe('GetMetricData');
    expect(spent).toBe(12.5);
    expect(input.ScanBy).toBe('TimestampDescending');
    expect(input.EndTime).toBe(Date.UTC(2024, 0, 1) / 1000);
    expect(input.MetricDataQueries?.[0]?.MetricStat?.Metric).toEqual({
      Namespace: 'AWS/SNS',
      MetricName: 'SMSMonthToDateSpentUSD',
    });
  });

  it('the alarm handler follows the pause, reading it at most once a minute', async () => {
    // Arrange
    let reads = 0;
    let now = 0;
    const flag = createCached(
      () => Promise.resolve(++reads > 0),
      () => now,
    );
    // Act
    await flag();
    now = 30_000;
    await flag();
    now = 61_000;
    await flag();
    // Assert
    expect(reads).toBe(2);
  });
});
