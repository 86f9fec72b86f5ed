import type { Channel } from '../../../shared/domain/alert';
import type { AlarmStateChange } from '../../../shared/domain/alarm-event';
import { handleAlarmChange } from '../../../shared/domain/alert-service';
import type { ResponderDeps } from '../../../shared/domain/incident-response';
import type { Notification } from '../../../shared/domain/notification';
import { acknowledgeAlert, fingerprintOfAlarm } from '../../../shared/domain/operator';
import type { RuntimeConfig } from '../../../shared/domain/runtime-config';
import { incidentsRuntimeSchema } from '../../../shared/domain/runtime-config';
import { runTick } from '../../../shared/domain/tick/run-tick';
import { LocalSignalQueue } from '../../../shared/replay/local-signal-queue';
import { devRuntimeConfig, recordingLog } from '../../support/fixtures';
import { MemoryAlertStore, MemoryGroupStore } from '../../support/memory-alert-store';
import { MemoryIncidentStore } from '../../support/memory-incident-store';

const T0 = Date.UTC(2026, 10, 26, 14, 0);
const CPU_API = 'vigil-dev-high-cpu-api';
const ERR_CHECKOUT = 'vigil-dev-high-error-rate-checkout';

function setup(openOnEscalation: boolean) {
  let now = T0;
  const clock = () => now;
  const base = devRuntimeConfig();
  const config: RuntimeConfig = {
    ...base,
    incidents: incidentsRuntimeSchema.parse({ openOnEscalation }),
  };
  const store = new MemoryAlertStore();
  const groups = new MemoryGroupStore();
  const incidents = new MemoryIncidentStore();
  const sent: { channel: Channel; notification: Notification }[] = [];
  const log = recordingLog();
  const publisher = {
    publish: (channel: Channel, notification: Notification) =>
      Promise.resolve(void sent.push({ channel, notification })),
  };
  const queue = new LocalSignalQueue(clock);
  const responder: ResponderDeps = {
    settings: config.incidents ?? incidentsRuntimeSchema.parse({}),
    incidents,
    pointers: incidents,
    alerts: store,
    clock,
    log,
    publisher,
  };
  let n = 0;
  const deps = () => ({
    config,
    store,
    groups,
    clock,
    log,
    claimant: `req-${++n}`,
    signals: queue,
    publisher,
  });
  const change = (alarmName: string, state: 'ALARM' | 'OK'): AlarmStateChange => ({
    source: 'alarm-action',
    alarmName,
    kind: 'metric',
    state,
    timestamp: now,
    reason: 'Threshold Crossed',
  });
  return {
    config,
    store,
    incidents,
    sent,
    alarm: async (name: string, state: 'ALARM' | 'OK') => {
      await handleAlarmChange(deps(), change(name, state));
      await queue.drain(responder);
    },
    run: async (minutes: number) => {
      for (let i = 0; i < minutes; i++) {
        now += 60_000;
        await runTick(deps());
        await queue.drain(responder);
      }
    },
    ack: (name: string) =>
      acknowledgeAlert({ store, clock, incidents }, fingerprintOfAlarm(config, name), 'bob'),
  };
}

describe('incidents in the tick', () => {
  it('an escalation opens an incident when configured, and the evidence follows it on the same channel', async () => {
    // Arrange
    const h = setup(true);
    await h.alarm(CPU_API, 'ALARM');
    // Act: group_wait, then the 15-minute email escalation
    await h.run(16);
    // Assert
    const escalation = h.sent.findIndex((s) => s.notification.reason === 'escalation');
    const evidence = h.sent.findIndex((s) => s.notification.reason === 'evidence');
    expect(h.sent[escalation]?.channel).toBe('email');
    expect(evidence).toBeGreaterThan(escalation);
    const [incident] = [...h.incidents.items.values()];
    expect(incident).toMatchObject({ service: 'api', severity: 'warning', status: 'open' });
    expect(h.sent[evidence]).toMatchObject({
      channel: 'email',
      notification: { evidence: { incidentId: incident?.id } },
    });
    expect(h.sent[escalation]?.notification.diagnostics).toBeUndefined();
    expect(incident?.timeline.map((e) => `${e.kind}${e.channel ? ` ${e.channel}` : ''}`)).toEqual([
      'opened',
      'notified email',
      'diagnostics',
      'evidence-sent email',
    ]);
  });

  it('without openOnEscalation a warning escalates but opens nothing', async () => {
    // Arrange
    const h = setup(false);
    await h.alarm(CPU_API, 'ALARM');
    // Act
    await h.run(16);
    // Assert
    expect(h.sent.some((s) => s.notification.reason === 'escalation')).toBe(true);
    expect(h.incidents.items.size).toBe(0);
  });

  it('an operator acknowledging the alert acknowledges its incident, naming the operator', async () => {
    // Arrange
    const h = setup(false);
    await h.alarm(ERR_CHECKOUT, 'ALARM');
    await h.run(7);
    // Act
    await h.ack(ERR_CHECKOUT);
    // Assert
    const [incident] = [...h.incidents.items.values()];
    expect(incident).toMatchObject({ acknowledgedBy: 'bob', acknowledgedAt: T0 + 7 * 60_000 });
    expect(incident?.timeline.at(-1)).toMatchObject({
      kind: 'acknowledged',
      by: 'bob',
      detail: `alert ${ERR_CHECKOUT}`,
    });
  });
});
