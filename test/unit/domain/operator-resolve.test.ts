import { handleAlarmChange, finishPendingOutbox } from '../../../shared/domain/alert-service';
import type { AlertServiceDeps } from '../../../shared/domain/alert-service';
import type { Channel } from '../../../shared/domain/alert';
import type { AlertRecord } from '../../../shared/domain/alert-record';
import type { Notification } from '../../../shared/domain/notification';
import { fingerprintOfAlarm, OperatorError } from '../../../shared/domain/operator';
import { resolveAlertByHand } from '../../../shared/domain/operator-resolve';
import { MemoryAlertStore } from '../../support/memory-alert-store';
import { devRuntimeConfig, recordingLog } from '../../support/fixtures';

const T0 = Date.UTC(2026, 10, 26, 14, 0);
const ALARM = 'vigil-dev-high-error-rate-checkout';

function setup() {
  const store = new MemoryAlertStore();
  const sent: { channel: Channel; notification: Notification }[] = [];
  let now = T0;
  const deps: AlertServiceDeps = {
    config: devRuntimeConfig(),
    store,
    publisher: {
      publish: (channel, notification) => Promise.resolve(void sent.push({ channel, notification })),
    },
    clock: () => now,
    log: recordingLog(),
    claimant: 'test',
  };
  return {
    deps,
    store,
    sent,
    setNow: (t: number) => {
      now = t;
    },
  };
}

async function fire(deps: AlertServiceDeps, at: number): Promise<string> {
  const outcome = await handleAlarmChange(deps, {
    source: 'alarm-action',
    alarmName: ALARM,
    kind: 'metric',
    state: 'ALARM',
    timestamp: at,
    reason: 'Threshold Crossed',
    value: 7.2,
  });
  return outcome.fingerprint;
}

describe('resolveAlertByHand', () => {
  it('resolves a firing alert to every channel that was told, with who and why', async () => {
    // Arrange: a critical fires and pages slack, email and sms at once.
    const { deps, store, sent, setNow } = setup();
    const fingerprint = await fire(deps, T0);
    const told = sent.map((s) => s.channel).sort();
    sent.length = 0;
    setNow(T0 + 10 * 60_000);
    // Act
    const resolved = await resolveAlertByHand(deps, { fingerprint, by: 'ana', reason: 'false alarm' });
    const published = await finishPendingOutbox(deps, resolved);
    // Assert
    expect(told.length).toBeGreaterThan(0);
    expect(resolved).toMatchObject({ status: 'resolved', endsAt: T0 + 10 * 60_000, alarmState: 'ALARM' });
    expect(resolved.outbox).toMatchObject({ status: 'resolved', attempts: 0 });
    expect(resolved.outbox?.claimedBy).toBeUndefined();
    expect(published).not.toBe('conflict');
    expect(sent.map((s) => s.channel).sort()).toEqual(told);
    expect(sent.every((s) => s.notification.status === 'resolved')).toBe(true);
    expect(sent[0]?.notification.alerts[0]?.annotations.reason).toBe('Resolved by hand by ana: false alarm');
    expect((await store.get(fingerprint))?.outbox).toBeUndefined();
  });

  it('also resolves to channels whose firing was still pending', async () => {
    // Arrange
    const { deps, store } = setup();
    const fingerprint = fingerprintOfAlarm(deps.config, ALARM);
    const pending: AlertRecord = {
      fingerprint,
      alarmName: ALARM,
      status: 'firing',
      severity: 'critical',
      labels: { service: 'checkout' },
      annotations: { summary: 'error rate above 5%' },
      alarmState: 'ALARM',
      lastChangeAt: T0,
      startsAt: T0,
      notified: ['slack'],
      outbox: {
        id: `${fingerprint}:firing:${T0}`,
        status: 'firing',
        channels: ['sms'],
        createdAt: T0,
        attempts: 1,
      },
      ack: { by: 'bo', at: T0 + 1000 },
      version: 0,
    };
    await store.put(pending, undefined);
    // Act
    const resolved = await resolveAlertByHand(deps, { fingerprint, by: 'ana' });
    // Assert
    expect(resolved.outbox?.channels).toEqual(['slack', 'sms']);
    expect(resolved.ack).toBeUndefined();
    expect(resolved.lastChangeAt).toBe(T0 + 1);
  });

  it('makes a later CloudWatch OK for the same episode a no-op', async () => {
    // Arrange
    const { deps, sent, setNow } = setup();
    const fingerprint = await fire(deps, T0);
    setNow(T0 + 5 * 60_000);
    const resolved = await resolveAlertByHand(deps, { fingerprint, by: 'ana' });
    await finishPendingOutbox(deps, resolved);
    sent.length = 0;
    // Act: CloudWatch's own OK, stamped before the manual resolve, arrives late.
    const outcome = await handleAlarmChange(deps, {
      source: 'alarm-action',
      alarmName: ALARM,
      kind: 'metric',
      state: 'OK',
      previousState: 'ALARM',
      previousTimestamp: T0,
      timestamp: T0 + 4 * 60_000,
      reason: 'Threshold no longer crossed',
    });
    // Assert
    expect(outcome.result).toBe('out-of-order');
    expect(sent).toEqual([]);
  });

  it.each([
    ['unknown', 'NOT_FOUND'],
    ['resolved', 'NOT_FIRING'],
  ])('refuses a %s alert with %s', async (kind, code) => {
    // Arrange
    const { deps, setNow } = setup();
    const fingerprint = await fire(deps, T0);
    setNow(T0 + 60_000);
    if (kind === 'resolved') await resolveAlertByHand(deps, { fingerprint, by: 'ana' });
    // Act
    const attempt = resolveAlertByHand(deps, {
      fingerprint: kind === 'unknown' ? 'nope' : fingerprint,
      by: 'ana',
    });
    // Assert
    await expect(attempt).rejects.toBeInstanceOf(OperatorError);
    await expect(attempt).rejects.toMatchObject({ code });
  });

  it('refuses a resolve without a name', async () => {
    // Arrange
    const { deps } = setup();
    const fingerprint = await fire(deps, T0);
    // Act / Assert
    await expect(resolveAlertByHand(deps, { fingerprint, by: ' ' })).rejects.toMatchObject({
      code: 'INVALID_RESOLVE',
    });
  });
});
