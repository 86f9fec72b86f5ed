import type { AlarmStateChange } from '../../../shared/domain/alarm-event';
import type { AlertIdentity } from '../../../shared/domain/alert-identity';
import type { AlertRecord } from '../../../shared/domain/alert-record';
import { decideTransition } from '../../../shared/domain/state-machine';

const warning: AlertIdentity = {
  ruleId: 'cpu-memory-pressure',
  matched: true,
  severity: 'warning',
  labels: { service: 'checkout', severity: 'warning', alertname: 'cpu-memory-pressure' },
  annotations: { summary: 'CPU pressure' },
  insufficientData: 'keep',
};
const critical: AlertIdentity = {
  ...warning,
  severity: 'critical',
  labels: { ...warning.labels, severity: 'critical' },
};

function change(state: AlarmStateChange['state'], timestamp: number): AlarmStateChange {
  return { source: 'evaluator', alarmName: 'a', kind: 'metric', state, timestamp, reason: '' };
}

function firing(identity: AlertIdentity, notified: AlertRecord['notified']): AlertRecord {
  const decision = decideTransition({
    current: undefined,
    change: change('ALARM', 60_000),
    identity,
    fingerprint: 'fp',
    routeChannels: [],
    now: 60_000,
  });
  if (decision.kind !== 'write') throw new Error('expected a write');
  return { ...decision.next, notified, version: 1 };
}

describe('severity change of a firing alert', () => {
  it("is its own effect, in the same episode, with an outbox to the new route's untold immediate channels", () => {
    // Arrange
    const current = firing(warning, ['slack']);
    // Act
    const decision = decideTransition({
      current,
      change: change('ALARM', 120_000),
      identity: critical,
      fingerprint: 'fp',
      routeChannels: ['slack', 'email', 'sms'],
      now: 120_000,
    });
    // Assert
    expect(decision).toMatchObject({
      kind: 'write',
      effect: 'severity-changed',
      next: {
        status: 'firing',
        severity: 'critical',
        startsAt: 60_000,
        episodeSeverities: ['warning', 'critical'],
        outbox: { status: 'firing', channels: ['email', 'sms'], id: 'fp:firing:120000' },
      },
    });
  });

  it('sends nothing from the handler when the new route has no immediate channel left to tell', () => {
    // Arrange
    const current = firing(critical, ['slack', 'email', 'sms']);
    // Act
    const decision = decideTransition({
      current,
      change: change('ALARM', 120_000),
      identity: warning,
      fingerprint: 'fp',
      routeChannels: [],
      now: 120_000,
    });
    // Assert
    expect(decision.kind === 'write' && decision.effect).toBe('severity-changed');
    expect(decision.kind === 'write' && decision.next.outbox).toBeUndefined();
  });

  it('stays still-firing with no outbox when the severity did not change', () => {
    // Arrange
    const current = firing(warning, []);
    // Act
    const decision = decideTransition({
      current,
      change: change('ALARM', 120_000),
      identity: warning,
      fingerprint: 'fp',
      routeChannels: ['slack'],
      now: 120_000,
    });
    // Assert
    expect(decision).toMatchObject({ kind: 'write', effect: 'still-firing' });
    expect(decision.kind === 'write' && decision.next.outbox).toBeUndefined();
  });
});
