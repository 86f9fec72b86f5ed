import fc from 'fast-check';
import type { AlarmStateChange } from '../../../shared/domain/alarm-event';
import type { AlertIdentity } from '../../../shared/domain/alert-identity';
import type { AlertRecord } from '../../../shared/domain/alert-record';
import { applyDeliveryResult, decideTransition } from '../../../shared/domain/state-machine';

const identity: AlertIdentity = {
  ruleId: 'high-cpu',
  matched: true,
  severity: 'warning',
  labels: { service: 'api', team: 'platform', severity: 'warning', alertname: 'high-cpu' },
  annotations: { summary: 'CPU above 80%' },
  insufficientData: 'keep',
};
const FP = 'fp1';
const CHANNELS = ['slack', 'email'] as const;

function change(
  state: AlarmStateChange['state'],
  timestamp: number,
  extra: Partial<AlarmStateChange> = {},
): AlarmStateChange {
  return { source: 'alarm-action', alarmName: 'a', kind: 'metric', state, timestamp, reason: '', ...extra };
}

function apply(
  current: AlertRecord | undefined,
  c: AlarmStateChange,
  policy: AlertIdentity['insufficientData'] = 'keep',
) {
  return decideTransition({
    current,
    change: c,
    identity: { ...identity, insufficientData: policy },
    fingerprint: FP,
    routeChannels: CHANNELS,
    now: 0,
  });
}

function written(current: AlertRecord | undefined, c: AlarmStateChange): AlertRecord {
  const d = apply(current, c);
  if (d.kind !== 'write') throw new Error(`expected a write, got ${d.reason}`);
  return { ...d.next, version: (current?.version ?? 0) + 1 };
}

describe('decideTransition', () => {
  it('fires a new alert with an outbox for the routed channels', () => {
    // Act
    const d = apply(undefined, change('ALARM', 1000));
    // Assert
    expect(d.kind).toBe('write');
    if (d.kind !== 'write') return;
    expect(d.effect).toBe('fired');
    expect(d.next).toMatchObject({ status: 'firing', startsAt: 1000, lastChangeAt: 1000 });
    expect(d.next.outbox).toMatchObject({
      id: 'fp1:firing:1000',
      status: 'firing',
      channels: ['slack', 'email'],
    });
  });

  it('ignores the same transition delivered again, and an older one arriving late', () => {
    // Arrange
    const firing = written(undefined, change('ALARM', 1000));
    // Act / Assert
    expect(apply(firing, change('ALARM', 1000))).toEqual({ kind: 'ignore', reason: 'duplicate' });
    expect(apply(firing, change('OK', 900))).toEqual({ kind: 'ignore', reason: 'out-of-order' });
  });

  it('sends the resolve only to the channels that got the firing', () => {
    // Arrange: slack delivered, email still failing
    const firing = written(undefined, change('ALARM', 1000));
    const afterDelivery = applyDeliveryResult(firing, 'fp1:firing:1000', ['slack'], 0);
    // Act
    const d = apply(afterDelivery, change('OK', 2000));
    // Assert: email never got the firing but it is still pending, so it gets the resolve instead
    expect(d.kind === 'write' && d.next.outbox).toMatchObject({
      status: 'resolved',
      channels: ['slack', 'email'],
    });
    expect(d.kind === 'write' && d.next).toMatchObject({ status: 'resolved', endsAt: 2000, startsAt: 1000 });
  });

  it('records the channels told of a fired-and-resolved episode, so the tick does not tell them again', () => {
    // Arrange: the resolve arrived before its firing
    const d = apply(undefined, change('OK', 2000, { previousState: 'ALARM', previousTimestamp: 1000 }));
    if (d.kind !== 'write' || !d.next.outbox) throw new Error('expected a resolve outbox');
    // Act
    const after = applyDeliveryResult({ ...d.next, version: 1 }, d.next.outbox.id, ['slack', 'email'], 0);
    // Assert
    expect(d.effect).toBe('resolved-unseen');
    expect(after.outbox).toBeUndefined();
    expect(after.notified).toEqual(['slack', 'email']);
  });

  it('does not notify a resolve when nothing was notified', () => {
    // Arrange: a firing with no channels routed
    const d0 = decideTransition({
      current: undefined,
      change: change('ALARM', 1),
      identity,
      fingerprint: FP,
      routeChannels: [],
      now: 0,
    });
    if (d0.kind !== 'write') throw new Error('expected write');
    // Act
    const d = apply({ ...d0.next, version: 1 }, change('OK', 2));
    // Assert
    expect(d.kind === 'write' && d.next.outbox).toBeUndefined();
  });

  it('reports a firing it never saw when the OK says the previous state was ALARM', () => {
    // Act
    const d = apply(undefined, change('OK', 5000, { previousState: 'ALARM', previousTimestamp: 4000 }));
    // Assert
    expect(d.kind === 'write' && d.effect).toBe('resolved-unseen');
    expect(d.kind === 'write' && d.next).toMatchObject({ status: 'resolved', startsAt: 4000, endsAt: 5000 });
    expect(d.kind === 'write' && d.next.outbox?.status).toBe('resolved');
    // And the late ALARM is then ignored
    const stored = written(
      undefined,
      change('OK', 5000, { previousState: 'ALARM', previousTimestamp: 4000 }),
    );
    expect(apply(stored, change('ALARM', 4000))).toEqual({ kind: 'ignore', reason: 'out-of-order' });
  });

  it.each([
    ['keep', 'inactive', undefined],
    ['alarm', 'firing', 'firing'],
    ['resolve', 'inactive', undefined],
  ] as const)('INSUFFICIENT_DATA with policy %s leaves status %s', (policy, status, outboxStatus) => {
    const d = apply(undefined, change('INSUFFICIENT_DATA', 10), policy);
    expect(d.kind).toBe('write');
    if (d.kind !== 'write') return;
    expect(d.next.status).toBe(status);
    expect(d.next.alarmState).toBe('INSUFFICIENT_DATA');
    expect(d.next.outbox?.status).toBe(outboxStatus);
  });

  it('keeps a firing alert firing through INSUFFICIENT_DATA when the policy is keep', () => {
    const firing = written(undefined, change('ALARM', 10));
    const d = apply(firing, change('INSUFFICIENT_DATA', 20));
    expect(d.kind === 'write' && d.next.status).toBe('firing');
    expect(d.kind === 'write' && d.effect).toBe('recorded');
  });
});

describe('decideTransition properties', () => {
  // Transitions of one alarm alternate between ALARM and OK at increasing times.
  const history = fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 12 }).map((gaps) => {
    let t = 0;
    return gaps.map((g, i) => {
      t += g;
      return change(i % 2 === 0 ? 'ALARM' : 'OK', t, {
        previousState: i % 2 === 0 ? 'OK' : 'ALARM',
        previousTimestamp: i === 0 ? undefined : t - g,
      });
    });
  });

  function run(deliveries: AlarmStateChange[]) {
    let record: AlertRecord | undefined;
    const notifications: string[] = [];
    for (const c of deliveries) {
      const d = apply(record, c);
      if (d.kind === 'ignore') continue;
      if (d.next.outbox && d.next.outbox.id !== record?.outbox?.id) notifications.push(d.next.outbox.id);
      // Deliver at once, as a successful publish would.
      const stored = { ...d.next, version: (record?.version ?? 0) + 1 };
      record = stored.outbox
        ? applyDeliveryResult(stored, stored.outbox.id, stored.outbox.channels, 0)
        : stored;
    }
    return { record, notifications };
  }

  it('duplicates never add a notification', () => {
    fc.assert(
      fc.property(history, fc.array(fc.nat(), { maxLength: 30 }), (events, dupIdx) => {
        // Arrange: the same history with some events delivered again right after themselves
        const withDups = events.flatMap((e, i) => (dupIdx.includes(i) ? [e, e, e] : [e]));
        // Act / Assert
        expect(run(withDups).notifications).toEqual(run(events).notifications);
      }),
    );
  });

  it('the final state follows the newest transition, whatever the delivery order', () => {
    fc.assert(
      fc.property(
        history.chain((events) =>
          fc.tuple(fc.constant(events), fc.shuffledSubarray(events, { minLength: events.length })),
        ),
        ([events, shuffled]) => {
          // Act
          const { record } = run(shuffled);
          // Assert
          const newest = events[events.length - 1];
          expect(record?.lastChangeAt).toBe(newest?.timestamp);
          expect(record?.status).toBe(newest?.state === 'ALARM' ? 'firing' : 'resolved');
        },
      ),
    );
  });

  it('no resolve is notified before a firing of the same episode, in order', () => {
    fc.assert(
      fc.property(history, (events) => {
        const { notifications } = run(events);
        // In-order delivery alternates firing and resolved, starting with a firing.
        notifications.forEach((id, i) => expect(id.split(':')[1]).toBe(i % 2 === 0 ? 'firing' : 'resolved'));
        expect(notifications).toHaveLength(events.length);
      }),
    );
  });
});
