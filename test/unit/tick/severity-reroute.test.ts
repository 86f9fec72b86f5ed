import type { AlarmStateChange } from '../../../shared/domain/alarm-event';
import type { Severity } from '../../../shared/domain/alert';
import { handleAlarmChange } from '../../../shared/domain/alert-service';
import { devRuntimeConfig, recordingLog } from '../../support/fixtures';
import { createHarness } from '../../support/pipeline-harness';

const ALARM = 'vigil-dev-cpu-memory-pressure-checkout';
const config = devRuntimeConfig();

function harness() {
  const h = createHarness(config);
  let n = 0;
  const emit = (state: 'ALARM' | 'OK', severity: Severity) => {
    const change: AlarmStateChange = {
      source: 'evaluator',
      alarmName: ALARM,
      kind: 'metric',
      state,
      timestamp: h.now(),
      reason: `${severity}: test`,
      severity,
    };
    return handleAlarmChange(
      {
        config,
        store: h.store,
        clock: h.now,
        log: recordingLog(),
        claimant: `eval-${++n}`,
        publisher: {
          publish: (channel, notification) =>
            Promise.resolve(void h.sent.push({ at: h.now(), channel, notification })),
        },
      },
      change,
    );
  };
  return { h, emit };
}

describe('a severity change re-routes the alert', () => {
  it('pages the critical route at once and leaves no warning member behind to repeat or escalate', async () => {
    // Arrange: warning told on Slack through its group
    const { h, emit } = harness();
    await emit('ALARM', 'warning');
    await h.run(1);
    const warningGroup = h.on('slack')[0]?.groupKey;
    // Act: critical now
    h.advance(60_000);
    const outcome = await emit('ALARM', 'critical');
    await h.run(40);
    // Assert
    expect(outcome.result).toBe('severity-changed');
    expect([...outcome.published].sort()).toEqual(['email', 'slack', 'sms']);
    const fromWarningGroup = h.sent.filter((s) => s.notification.groupKey === warningGroup);
    // Only the first warning: the moved-out member neither repeats nor escalates (15m email, 30m sms).
    expect(fromWarningGroup.map((s) => `${s.channel} ${s.notification.reason ?? ''}`)).toEqual([
      'slack group',
    ]);
    const members = h.groups.allMembers().map(({ key, member }) => ({ key, m: member }));
    expect(members.filter(({ m }) => m.alert.status === 'firing' && m.movedOut !== true)).toHaveLength(1);
    expect(members.find(({ m }) => m.movedOut !== true)?.m.alert.severity).toBe('critical');
  });

  it('sends the resolve to every channel that was told, on both routes', async () => {
    // Arrange
    const { h, emit } = harness();
    await emit('ALARM', 'warning');
    await h.run(1);
    h.advance(60_000);
    await emit('ALARM', 'critical');
    await h.run(1);
    // Act
    h.advance(60_000);
    await emit('OK', 'critical');
    await h.run(6);
    // Assert
    const resolves = h.sent.filter((s) => s.notification.status === 'resolved').map((s) => s.channel);
    // Slack twice (the warning group told it, and the critical page did), email and SMS once.
    expect(resolves.sort()).toEqual(['email', 'slack', 'slack', 'sms']);
  });

  it('falls back to warning: the warning route hears it again and the critical group keeps quiet', async () => {
    // Arrange
    const { h, emit } = harness();
    await emit('ALARM', 'warning');
    await h.run(1);
    h.advance(60_000);
    await emit('ALARM', 'critical');
    await h.run(1);
    const before = h.sent.length;
    // Act
    h.advance(60_000);
    const outcome = await emit('ALARM', 'warning');
    await h.run(6);
    // Assert
    expect(outcome.result).toBe('severity-changed');
    const after = h.sent.slice(before);
    expect(after.map((s) => `${s.channel} ${s.notification.status} ${s.notification.severity}`)).toEqual([
      'slack firing warning',
    ]);
  });
});
