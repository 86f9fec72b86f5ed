import type { Channel } from '../../../shared/domain/alert';
import type { AlarmStateChange } from '../../../shared/domain/alarm-event';
import type { AlertServiceDeps } from '../../../shared/domain/alert-service';
import { handleAlarmChange } from '../../../shared/domain/alert-service';
import type { DiagnosticsSources } from '../../../shared/domain/diagnostics';
import type { ResponderDeps } from '../../../shared/domain/incident-response';
import type { IncidentSignal, SignalBacklog } from '../../../shared/domain/incident-signal';
import type { Notification } from '../../../shared/domain/notification';
import { incidentsRuntimeSchema } from '../../../shared/domain/runtime-config';
import { LocalSignalQueue } from '../../../shared/replay/local-signal-queue';
import { devRuntimeConfig, recordingLog } from '../../support/fixtures';
import { MemoryAlertStore } from '../../support/memory-alert-store';
import { MemoryIncidentStore } from '../../support/memory-incident-store';

const T0 = Date.UTC(2026, 10, 26, 14, 0);
const CRITICAL = 'vigil-dev-high-error-rate-checkout';

function change(alarmName: string, state: 'ALARM' | 'OK', at: number): AlarmStateChange {
  return {
    source: 'alarm-action',
    alarmName,
    kind: 'metric',
    state,
    timestamp: at,
    reason: 'Threshold Crossed',
  };
}

class MemoryBacklog implements SignalBacklog {
  public readonly kept = new Map<string, IncidentSignal>();
  public keep(signal: IncidentSignal): Promise<void> {
    this.kept.set(signal.id, signal);
    return Promise.resolve();
  }
  public list(limit: number): Promise<IncidentSignal[]> {
    return Promise.resolve([...this.kept.values()].slice(0, limit));
  }
  public forget(id: string): Promise<void> {
    this.kept.delete(id);
    return Promise.resolve();
  }
}

function setup(sources: DiagnosticsSources = {}) {
  let now = T0;
  const clock = () => now;
  const store = new MemoryAlertStore();
  const incidents = new MemoryIncidentStore();
  const published: { channel: Channel; notification: Notification }[] = [];
  const log = recordingLog();
  const queue = new LocalSignalQueue(clock);
  const backlog = new MemoryBacklog();
  const config = devRuntimeConfig();
  const settings = incidentsRuntimeSchema.parse({
    diagnostics: { windowSeconds: 1800, budgetMs: { metrics: 200, logs: 200, traces: 200 } },
  });
  const publisher = {
    publish: (channel: Channel, notification: Notification) =>
      Promise.resolve(void published.push({ channel, notification })),
  };
  const deps: AlertServiceDeps = {
    config: { ...config, incidents: settings },
    store,
    publisher,
    clock,
    log,
    claimant: 'req-1',
    signals: queue,
    signalBacklog: backlog,
  };
  const responder: ResponderDeps = {
    settings,
    incidents,
    pointers: incidents,
    alerts: store,
    clock,
    log,
    diagnostics: sources,
    publisher,
  };
  return {
    deps,
    store,
    responder,
    queue,
    backlog,
    incidents,
    published,
    log,
    advance: (ms: number) => void (now += ms),
  };
}

describe('the page path signals the incident responder after the page', () => {
  it('a critical is paged with no incident work, and one signal names the page and its channels', async () => {
    // Arrange
    const s = setup();
    // Act
    const outcome = await handleAlarmChange(s.deps, change(CRITICAL, 'ALARM', T0));
    // Assert
    expect([...outcome.published].sort()).toEqual(['email', 'pagerduty', 'slack']);
    expect(s.incidents.items.size).toBe(0);
    expect(s.published.every((p) => p.notification.diagnostics === undefined)).toBe(true);
    expect(s.queue.depth).toBe(1);
    await s.queue.drain(s.responder);
    const [incident] = [...s.incidents.items.values()];
    expect(incident).toMatchObject({
      service: 'checkout',
      severity: 'critical',
      status: 'open',
      openedAt: T0,
    });
  });

  it('a warning sends no signal at all', async () => {
    // Arrange
    const s = setup();
    // Act
    await handleAlarmChange(s.deps, change('vigil-dev-high-cpu-checkout', 'ALARM', T0));
    // Assert
    expect(s.queue.depth).toBe(0);
  });

  it('a silenced critical is told to nobody but still signals its incident', async () => {
    // Arrange
    const s = setup();
    const deps: AlertServiceDeps = { ...s.deps, isSilenced: () => Promise.resolve(true) };
    // Act
    const outcome = await handleAlarmChange(deps, change(CRITICAL, 'ALARM', T0));
    await s.queue.drain(s.responder);
    // Assert
    expect(outcome.published).toEqual([]);
    const [incident] = [...s.incidents.items.values()];
    expect(incident?.timeline.map((e) => e.kind)).toEqual(['opened', 'diagnostics']);
    expect(s.published).toHaveLength(0);
  });

  it('a queue that refuses the signal keeps it in the backlog; the page is unaffected', async () => {
    // Arrange
    const s = setup();
    const deps: AlertServiceDeps = {
      ...s.deps,
      signals: { send: () => Promise.reject(new Error('SQS: ServiceUnavailable')) },
    };
    // Act
    const outcome = await handleAlarmChange(deps, change(CRITICAL, 'ALARM', T0));
    // Assert
    expect(outcome.published).toHaveLength(3);
    expect([...s.backlog.kept.values()].map((sig) => sig.kind)).toEqual(['fired']);
  });

  it('when neither queue nor backlog takes the signal, the outbox stays for the retry', async () => {
    // Arrange
    const s = setup();
    const deps: AlertServiceDeps = {
      ...s.deps,
      signals: { send: () => Promise.reject(new Error('SQS down')) },
      signalBacklog: {
        keep: () => Promise.reject(new Error('DynamoDB down')),
        list: (limit) => s.backlog.list(limit),
        forget: (id) => s.backlog.forget(id),
      },
    };
    // Act
    const attempt = handleAlarmChange(deps, change(CRITICAL, 'ALARM', T0));
    // Assert
    await expect(attempt).rejects.toMatchObject({ name: 'SignalNotSentError' });
    const [record] = [...s.store.items.values()];
    expect(record?.outbox?.status).toBe('firing');
  });

  it('resolving the last linked alert resolves the incident at the resolve time', async () => {
    // Arrange
    const s = setup();
    await handleAlarmChange(s.deps, change(CRITICAL, 'ALARM', T0));
    await s.queue.drain(s.responder);
    s.advance(60_000);
    // Act
    await handleAlarmChange(s.deps, change(CRITICAL, 'OK', T0 + 60_000));
    await s.queue.drain(s.responder);
    // Assert
    const [incident] = [...s.incidents.items.values()];
    expect(incident).toMatchObject({ status: 'resolved', resolvedAt: T0 + 60_000 });
  });
});
