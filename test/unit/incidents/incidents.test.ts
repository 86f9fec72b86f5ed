import type { AlertRecord } from '../../../shared/domain/alert-record';
import type { Incident } from '../../../shared/domain/incident';
import type { DiagnosticsSources } from '../../../shared/domain/diagnostics';
import type { Channel } from '../../../shared/domain/alert';
import type { ResponderDeps } from '../../../shared/domain/incident-response';
import { respondToSignal } from '../../../shared/domain/incident-response';
import type { IncidentSignal } from '../../../shared/domain/incident-signal';
import { signalsFor } from '../../../shared/domain/incident-signal';
import type { IncidentAlert, IncidentMetrics } from '../../../shared/domain/incidents';
import {
  acknowledgeIncident,
  appendTimeline,
  linkFiringAlert,
  MAX_TIMELINE,
  resolveIfAllResolved,
} from '../../../shared/domain/incidents';
import type { Notification } from '../../../shared/domain/notification';
import type { MitigationRunner } from '../../../shared/domain/mitigation';
import type { IncidentsRuntime } from '../../../shared/domain/runtime-config';
import { incidentsRuntimeSchema } from '../../../shared/domain/runtime-config';
import { recordingLog } from '../../support/fixtures';
import { MemoryAlertStore } from '../../support/memory-alert-store';
import { MemoryIncidentStore, MemoryMitigationBudget } from '../../support/memory-incident-store';

const T0 = Date.UTC(2026, 10, 26, 14, 0);

function alert(fingerprint: string, extra: Partial<IncidentAlert> = {}): IncidentAlert {
  return {
    fingerprint,
    alarmName: `vigil-dev-high-error-rate-${fingerprint}`,
    ruleId: 'high-error-rate',
    severity: 'critical',
    labels: { service: 'checkout', team: 'payments' },
    annotations: { summary: 'Error rate above 5%' },
    ...extra,
  };
}

function record(a: IncidentAlert, status: AlertRecord['status']): AlertRecord {
  return {
    ...a,
    status,
    alarmState: status === 'firing' ? 'ALARM' : 'OK',
    lastChangeAt: T0,
    notified: [],
    version: 0,
  };
}

function setup(settings: Partial<IncidentsRuntime> = {}, extra: Partial<ResponderDeps> = {}) {
  let now = T0;
  const incidents = new MemoryIncidentStore();
  const alerts = new MemoryAlertStore();
  const resolvedTimes: { mttaSeconds?: number; mttrSeconds: number }[] = [];
  const evidenceTimes: [Channel, number][] = [];
  const published: { channel: Channel; notification: Notification }[] = [];
  const metrics: IncidentMetrics = {
    incidentResolved: (_i, t) => void resolvedTimes.push(t),
    evidenceSent: (_i, channel, seconds) => void evidenceTimes.push([channel, seconds]),
  };
  const deps: ResponderDeps = {
    settings: { ...incidentsRuntimeSchema.parse({}), ...settings },
    incidents,
    pointers: incidents,
    alerts,
    clock: () => now,
    log: recordingLog(),
    metrics,
    publisher: {
      publish: (channel, notification) => Promise.resolve(void published.push({ channel, notification })),
    },
    ...extra,
  };
  return {
    deps,
    incidents,
    alerts,
    resolvedTimes,
    evidenceTimes,
    published,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** The signal a page of `alerts` on `channels` gives (one service). */
function paged(
  alerts: readonly IncidentAlert[],
  channels: readonly Channel[],
  cause: IncidentSignal['cause'] = 'fired',
  at = T0,
): IncidentSignal {
  const [signal] = signalsFor({
    settings: { ...incidentsRuntimeSchema.parse({}), openOnEscalation: true },
    stage: 'dev',
    kind: 'fired',
    cause,
    at,
    alerts,
    key: `page-${at}`,
    page: {
      id: `page-${at}`,
      title: 'checkout: error rate above 5%',
      severity: 'critical',
      reason: cause === 'escalated' ? 'escalation' : 'alert',
      groupKey: 'g-1',
      channels,
      sentAt: at,
    },
  });
  if (!signal) throw new Error('no signal');
  return signal;
}

describe('incident lifecycle', () => {
  it('a critical opens an incident and a second alert of the service links to it', async () => {
    // Arrange
    const { deps, incidents, advance } = setup();
    // Act
    const first = await linkFiringAlert(deps, alert('a'));
    advance(60_000);
    const second = await linkFiringAlert(deps, alert('b'));
    const again = await linkFiringAlert(deps, alert('b'));
    // Assert
    expect(first.change).toBe('opened');
    expect(second.change).toBe('linked');
    expect(again.change).toBe('unchanged');
    expect(incidents.items.size).toBe(1);
    const stored = incidents.items.get(first.incident.id);
    expect(stored?.alerts).toEqual(['a', 'b']);
    expect(stored?.timeline.map((e) => e.kind)).toEqual(['opened', 'alert-linked']);
    expect(first.incident.id).toMatch(/^checkout-20261126-1400-[0-9a-f]{6}$/);
  });

  it('concurrent handlers for the same service open exactly one incident', async () => {
    // Arrange
    const { deps, incidents } = setup();
    // Act
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((fp) => linkFiringAlert(deps, alert(fp))));
    // Assert
    expect(incidents.items.size).toBe(1);
    expect(results.filter((r) => r.change === 'opened')).toHaveLength(1);
    expect([...([...incidents.items.values()][0]?.alerts ?? [])].sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('recreates the incident a pointer names when a crash left it unwritten', async () => {
    // Arrange
    const { deps, incidents } = setup();
    await incidents.putPointer('checkout', 'checkout-lost', undefined);
    // Act
    const result = await linkFiringAlert(deps, alert('a'));
    // Assert
    expect(result).toMatchObject({ change: 'opened', incident: { id: 'checkout-lost', alerts: ['a'] } });
  });

  it('resolves only when every linked alert resolved, and publishes MTTA and MTTR', async () => {
    // Arrange
    const { deps, alerts, resolvedTimes, advance } = setup();
    const { incident } = await linkFiringAlert(deps, alert('a'));
    await linkFiringAlert(deps, alert('b'));
    await alerts.put(record(alert('a'), 'resolved'), undefined);
    await alerts.put(record(alert('b'), 'firing'), undefined);
    advance(7 * 60_000);
    await acknowledgeIncident(deps, incident.id, 'alice');
    advance(12 * 60_000);
    // Act
    const early = await resolveIfAllResolved(deps, alert('a'));
    await alerts.put(record(alert('b'), 'resolved'), 1);
    const done = await resolveIfAllResolved(deps, alert('b'));
    // Assert
    expect(early).toBeUndefined();
    expect(done).toMatchObject({ status: 'resolved', resolvedAt: T0 + 19 * 60_000, acknowledgedBy: 'alice' });
    expect(resolvedTimes).toEqual([{ mttaSeconds: 420, mttrSeconds: 1140 }]);
    expect(done?.timeline.map((e) => e.kind)).toEqual(['opened', 'alert-linked', 'acknowledged', 'resolved']);
  });

  it('reopens when a linked alert fires again within the window, opens anew after it', async () => {
    // Arrange
    const { deps, incidents, advance } = setup({ reopenWindowSeconds: 600 });
    const { incident } = await linkFiringAlert(deps, alert('a'));
    await resolveIfAllResolved(deps, alert('a'));
    advance(5 * 60_000);
    // Act
    const reopened = await linkFiringAlert(deps, alert('a'));
    await resolveIfAllResolved(deps, alert('a'));
    advance(11 * 60_000);
    const fresh = await linkFiringAlert(deps, alert('a'));
    // Assert
    expect(reopened).toMatchObject({ change: 'reopened', incident: { id: incident.id, status: 'open' } });
    expect(reopened.incident.resolvedAt).toBeUndefined();
    expect(fresh.change).toBe('opened');
    expect(fresh.incident.id).not.toBe(incident.id);
    expect(incidents.items.size).toBe(2);
  });

  it('keeps the timeline bounded, the opening entry first', () => {
    // Arrange
    const base: Incident = {
      id: 'x',
      title: 't',
      service: 's',
      severity: 'critical',
      status: 'open',
      labels: {},
      alerts: [],
      openedAt: 0,
      timeline: [{ at: 0, kind: 'opened' }],
      version: 1,
    };
    // Act
    let grown = base;
    for (let i = 1; i <= 500; i++) {
      grown = appendTimeline(grown, { at: i, kind: 'notified', channel: 'slack', detail: 'x'.repeat(1000) });
    }
    // Assert
    expect(grown.timeline).toHaveLength(MAX_TIMELINE);
    expect(grown.timeline[0]?.kind).toBe('opened');
    expect(grown.timeline[MAX_TIMELINE - 1]?.at).toBe(500);
    expect(grown.timeline[1]?.detail?.length).toBeLessThanOrEqual(300);
    expect(Buffer.byteLength(JSON.stringify(grown))).toBeLessThan(100_000);
  });
});

describe('the responder', () => {
  it('a warning opens nothing; its escalation does when configured', async () => {
    // Arrange
    const off = setup();
    const on = setup({ openOnEscalation: true });
    const warning = alert('w', { severity: 'warning' });
    // Act
    await respondToSignal(off.deps, paged([warning], ['email'], 'escalated'));
    await respondToSignal(on.deps, paged([warning], ['slack'], 'fired'));
    const opened = on.incidents.items.size;
    await respondToSignal(on.deps, paged([warning], ['email'], 'escalated'));
    // Assert
    expect(off.incidents.items.size).toBe(0);
    expect(opened).toBe(0);
    expect(on.incidents.items.size).toBe(1);
  });

  it('a throwing source and a slow source still give an incident, and the evidence update says so', async () => {
    // Arrange
    const sources: DiagnosticsSources = {
      metrics: () => Promise.resolve({ summary: 'error_rate 12 % (min 0, max 12, rising)', links: [] }),
      logs: () => Promise.reject(new Error('connection refused')),
      traces: (q) =>
        new Promise((_, reject) => q.signal.addEventListener('abort', () => reject(new Error('aborted')))),
    };
    const { deps, incidents, published } = setup(
      { diagnostics: { windowSeconds: 1800, budgetMs: { metrics: 500, logs: 500, traces: 150 } } },
      { diagnostics: sources },
    );
    // Act
    const outcome = await respondToSignal(deps, paged([alert('a')], ['slack', 'email', 'sms']));
    // Assert
    const stored = [...incidents.items.values()][0];
    expect(stored?.diagnostics).toMatchObject({
      metrics: { status: 'ok' },
      logs: { status: 'error', summary: 'unavailable: connection refused' },
      traces: { status: 'timeout', summary: 'unavailable: no answer within 150 ms' },
    });
    expect(outcome.evidenceSent).toEqual(['slack', 'email']);
    const update = published.find((p) => p.channel === 'slack')?.notification;
    expect(update).toMatchObject({ reason: 'evidence', id: `page-${T0}:evidence:slack` });
    expect(update?.evidence?.page).toEqual({
      id: `page-${T0}`,
      title: 'checkout: error rate above 5%',
      sentAt: new Date(T0).toISOString(),
    });
    expect(update?.evidence?.sources.map((x) => `${x.name} ${x.status}`)).toEqual([
      'metrics ok',
      'logs error',
      'traces timeout',
    ]);
  });

  it('records the page before the evidence, each channel once, and sends the evidence once per channel', async () => {
    // Arrange
    const { deps, incidents, published, evidenceTimes, advance } = setup();
    const signal = paged([alert('a')], ['slack', 'email']);
    advance(2_000);
    // Act: the same signal twice (a redelivery), then a later page of the same alert on SMS
    await respondToSignal(deps, signal);
    await respondToSignal(deps, signal);
    await respondToSignal(deps, paged([alert('a')], ['sms'], 'fired', T0 + 1_000));
    // Assert
    const stored = [...incidents.items.values()][0];
    expect(stored?.timeline.map((e) => `${e.kind}${e.channel ? ` ${e.channel}` : ''}`)).toEqual([
      'opened',
      'notified slack',
      'notified email',
      'diagnostics',
      'evidence-sent slack',
      'evidence-sent email',
      'notified sms',
    ]);
    expect(published.map((p) => p.channel)).toEqual(['slack', 'email']);
    expect(evidenceTimes).toEqual([
      ['slack', 2],
      ['email', 2],
    ]);
  });

  it('an evidence update that cannot be published fails the signal; the retry sends only what is missing', async () => {
    // Arrange
    const s = setup();
    let refuse = true;
    const deps: ResponderDeps = {
      ...s.deps,
      publisher: {
        publish: (channel, notification) => {
          if (channel === 'email' && refuse) return Promise.reject(new Error('SNS throttled'));
          return s.deps.publisher.publish(channel, notification);
        },
      },
    };
    const signal = paged([alert('a')], ['slack', 'email']);
    // Act
    await expect(respondToSignal(deps, signal)).rejects.toMatchObject({ name: 'EvidenceDeliveryError' });
    refuse = false;
    await respondToSignal(deps, signal);
    // Assert
    expect(s.published.map((p) => p.channel)).toEqual(['slack', 'email']);
    expect(s.incidents.items.size).toBe(1);
  });
});

describe('guarded mitigation', () => {
  const action = {
    kind: 'ssm-automation' as const,
    documentName: 'AWS-RestartECSService',
    parameters: { ServiceName: ['checkout'] },
  };

  function mitigationSetup(mitigation: Partial<IncidentsRuntime['mitigation']>, runner?: MitigationRunner) {
    const runs: string[] = [];
    const budget = new MemoryMitigationBudget();
    const s = setup(
      {
        actions: { 'high-error-rate': action },
        mitigation: { enabled: true, dryRun: false, maxPerHour: 1, ...mitigation },
      },
      {
        mitigation: {
          budget,
          runner: runner ?? {
            run: (a, c) => {
              runs.push(`${a.kind}:${c.incidentId}`);
              return Promise.resolve('execution 1234');
            },
          },
        },
      },
    );
    const page = (a: IncidentAlert, channel: Channel) =>
      respondToSignal(s.deps, paged([a], [channel], 'fired', T0));
    return { ...s, runs, page };
  }

  const outcomes = (s: { incidents: MemoryIncidentStore }) =>
    [...s.incidents.items.values()].flatMap((i) =>
      i.timeline.filter((e) => e.kind === 'mitigation-finished').map((e) => `${e.outcome}: ${e.detail}`),
    );

  it('is off unless enabled', async () => {
    // Arrange
    const s = mitigationSetup({ enabled: false });
    // Act
    await s.page(alert('a'), 'slack');
    // Assert
    expect(s.runs).toEqual([]);
    expect(outcomes(s)).toEqual([]);
  });

  it('runs once per incident even when asked twice', async () => {
    // Arrange
    const s = mitigationSetup({});
    // Act
    await Promise.all([s.page(alert('a'), 'slack'), s.page(alert('a'), 'email')]);
    await s.page(alert('a'), 'sms');
    // Assert
    expect(s.runs).toHaveLength(1);
    expect(outcomes(s)).toEqual(['succeeded: execution 1234']);
  });

  it('stops at N per hour and says so on the timeline', async () => {
    // Arrange
    const s = mitigationSetup({ maxPerHour: 1 });
    const other = alert('x', { labels: { service: 'api', team: 'platform' } });
    // Act
    await s.page(alert('a'), 'slack');
    await s.page(other, 'slack');
    // Assert
    expect(s.runs).toHaveLength(1);
    expect(outcomes(s).sort()).toEqual([
      'skipped: limit of 1 mitigations per hour reached',
      'succeeded: execution 1234',
    ]);
  });

  it('in dry-run mode records what would run and runs nothing', async () => {
    // Arrange
    const s = mitigationSetup({ dryRun: true });
    // Act
    await s.page(alert('a'), 'slack');
    // Assert
    expect(s.runs).toEqual([]);
    expect(outcomes(s)).toEqual([
      'dry-run: would run SSM Automation AWS-RestartECSService (ServiceName=checkout)',
    ]);
  });

  it('a failing action lands on the timeline as failed', async () => {
    // Arrange
    const s = mitigationSetup({}, { run: () => Promise.reject(new Error('AccessDenied')) });
    // Act
    await s.page(alert('a'), 'slack');
    // Assert
    expect(outcomes(s)).toEqual([
      'failed: SSM Automation AWS-RestartECSService (ServiceName=checkout): AccessDenied',
    ]);
  });
});
