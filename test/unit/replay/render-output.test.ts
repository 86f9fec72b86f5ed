import type { Channel } from '../../../shared/domain/alert';
import { formatJsonLines, formatTimeline } from '../../../shared/replay/render-output';
import type { ReplayResult } from '../../../shared/replay/run-scenario';
import { channelText, toReplayMessage } from '../../../shared/replay/run-scenario';
import { aNotification, criticalFiring, criticalResolved } from '../../fixtures/delivery/notifications';

const AT = Date.UTC(2026, 10, 26, 14, 5, 0);

function resultWith(overrides: Partial<ReplayResult> = {}): ReplayResult {
  const firing = toReplayMessage(AT, criticalFiring);
  const resolved = toReplayMessage(AT + 600_000, { ...criticalResolved, channel: 'email' });
  return {
    stage: 'dev',
    start: '2026-11-26T14:00:00.000Z',
    duration: 'PT1H',
    messages: [firing, resolved],
    timeline: [
      {
        type: 'event',
        at: '2026-11-26T14:05:00.000Z',
        kind: 'alarm-action',
        attempt: 2,
        attempts: 3,
        changes: ['prod-checkout-5xx-rate ALARM'],
        outcomes: ['duplicate'],
      },
      { type: 'message', message: firing },
      { type: 'message', message: resolved, delivery: 'undelivered' },
    ],
    summary: {
      notifications: { slack: 1, email: 1, sms: 0, pagerduty: 0 },
      alertsFiring: 0,
      alertsResolved: 1,
      undelivered: 1,
    },
    deadLettered: 0,
    failedInvocations: 0,
    forwardedChannels: [],
    alerts: [],
    ...overrides,
  };
}

describe('replay output', () => {
  it('writes one JSON line per message with exactly the documented keys, then the summary line', () => {
    // Arrange
    const result = resultWith();
    // Act
    const lines = formatJsonLines(result).map((line): unknown => JSON.parse(line));
    // Assert
    expect(lines).toHaveLength(3);
    expect(lines[0]).toEqual({
      at: '2026-11-26T14:05:00.000Z',
      channel: 'slack',
      status: 'firing',
      severity: 'critical',
      groupKey: criticalFiring.groupKey,
      alerts: ['prod-checkout-5xx-rate'],
      resolved: [],
      reason: null,
      text: expect.stringContaining('checkout') as unknown,
    });
    expect(Object.keys(lines[1] ?? {})).toEqual([
      'at',
      'channel',
      'status',
      'severity',
      'groupKey',
      'alerts',
      'resolved',
      'reason',
      'text',
    ]);
    expect(lines[2]).toEqual({
      summary: {
        notifications: { slack: 1, email: 1, sms: 0, pagerduty: 0 },
        alertsFiring: 0,
        alertsResolved: 1,
        undelivered: 1,
      },
    });
  });

  it('keeps every JSON line on one line even when alert text holds newlines', () => {
    // Arrange
    const hostile = aNotification({ title: 'line one\nline two\r\n{"summary":1}' });
    const result = resultWith({ messages: [toReplayMessage(AT, hostile)] });
    // Act
    const lines = formatJsonLines(result);
    // Assert
    expect(lines.every((line) => !line.includes('\n'))).toBe(true);
    expect(lines).toHaveLength(2);
  });

  it.each<[Channel, RegExp]>([
    ['slack', /^🔴 .*checkout/],
    ['email', /^\[CRITICAL\] /],
    ['sms', /^\[CRITICAL\] .* id:/],
    ['pagerduty', /^\[prod\] /],
  ])('shows on %s the first line a person reads', (channel, expected) => {
    // Arrange
    const n = { ...criticalFiring, channel, stage: 'prod' };
    // Act
    const text = channelText(n);
    // Assert
    expect(text).toMatch(expected);
    expect(text).not.toMatch(/\n/);
  });

  it('prints a timeline with inputs, messages, delivery marks and the summary', () => {
    // Arrange
    const result = resultWith({ forwardedChannels: ['email'] });
    // Act
    const text = formatTimeline(result, 'vigil replay: test');
    // Assert
    const lines = text.split('\n');
    expect(lines[0]).toBe('vigil replay: test');
    expect(text).toContain(
      '14:05:00  <- alarm-action (delivery 2/3): prod-checkout-5xx-rate ALARM -> duplicate',
    );
    expect(lines.find((l) => l.startsWith('14:05:00  -> slack'))).toMatch(
      /slack +firing +critical +prod-checkout-5xx-rate +🔴/,
    );
    expect(lines.find((l) => l.startsWith('14:15:00  -> email'))).toMatch(/resolved .*\[UNDELIVERED\]$/);
    expect(text).toContain('Summary: 2 notification(s) (slack 1, email 1, sms 0, pagerduty 0)');
    expect(text).toContain('alerts at the end: 0 firing, 1 resolved');
    expect(text).toContain(
      'delivery: email through the forwarder Lambdas to a local receiver; captured at the publish: slack, sms, pagerduty',
    );
  });

  it('folds a run of like events into one line, and prints operator actions as inputs', () => {
    // Arrange
    const arrival = (i: number) => ({
      type: 'event' as const,
      at: `2026-11-26T14:27:0${i}.000Z`,
      kind: 'eventbridge' as const,
      attempt: 1,
      attempts: 1,
      changes: [`worker-${i} ALARM`],
      outcomes: ['fired'],
    });
    const result = resultWith({
      timeline: [
        { type: 'action', at: '2026-11-26T14:09:00.000Z', text: 'ack worker-9 by alice: on it' },
        ...[0, 1, 2, 3, 4].map(arrival),
        { ...arrival(5), outcomes: ['duplicate'] },
      ],
    });
    // Act
    const lines = formatTimeline(result, 'vigil replay: test').split('\n');
    // Assert
    expect(lines).toContain('14:09:00  <- ack worker-9 by alice: on it');
    expect(lines).toContain(
      '14:27:00  <- eventbridge x5 until 14:27:04: worker-0 .. worker-4 ALARM -> fired (each)',
    );
    expect(lines).toContain('14:27:05  <- eventbridge: worker-5 ALARM -> duplicate');
  });
});
