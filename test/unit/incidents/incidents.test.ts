import type { AlertRecord } from '../../../shared/domain/alert-record';
import type { Incident } from '../../../shared/domain/incident';
import type { DiagnosticsSources } from '../../../shared/domain/diagnostics';
import type { IncidentAlert, IncidentDeps, IncidentMetrics } from '../../../shared/domain/incidents';
import {
  acknowledgeIncident,
  appendTimeline,
  createIncidentHooks,
  linkFiringAlert,
  MAX_TIMELINE,
  resolveIfAllResolved,
} from '../../../shared/domain/incidents';
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

function setup(settings: Partial<IncidentsRuntime> = {}, extra: Partial<IncidentDeps> = {}) {
  let now = T0;
  const incidents = new MemoryIncidentStore();
  const alerts = new MemoryAlertStore();
  const resolvedTimes: { mttaSeconds?: number; mttrSeconds: number }[] = [];
  const sent: [string, number][] = [];
  const metrics: IncidentMetrics = {
    incidentResolved: (_i, t) => void resolvedTimes.push(t),
    notificationsSent: (c, n) => void sent.push([c, n]),
  };
  const deps: IncidentDeps = {
    settings: { ...incidentsRuntimeSchema.parse({}), ...settings },
    incidents,
    pointers: incidents,
    alerts,
    clock: () => now,
    log: recordingLog(),
    metrics,
    ...extra,
  };
  return {
    deps,
    incidents,
    alerts,
    resolvedTimes,
    sent,
    advance: (ms: number) => {
      now += ms;
    },
  };
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

describe('incident hooks', () => {
  it('a warning opens nothing; its escalation does when configured', async () => {
    // Arrange
    const off = setup();
    const on = setup({ openOnEscalation: true });
    const warning = alert('w', { severity: 'warning' });
    // Act
    const plain = await off.deps.incidents.list(0, Infinity, 10);
    await createIncidentHooks(off.deps).prepareGroup([warning], 'escalation');
    await createIncidentHooks(on.deps).prepareGroup([warning], 'group');
    const escalated = await createIncidentHooks(on.deps).prepareGroup([warning], 'escalation');
    // Assert
    expect(plain).toHaveLength(0);
    expect(off.incidents.items.size).toBe(0);
    expect(escalated?.incidentId).toBeDefined();
    expect(on.incidents.items.size).toBe(1);
  });

  it('a throwing source and a slow source still give an incident with diagnostics notes', async () => {
    // Arrange
    const sources: DiagnosticsSources = {
      metrics: () => Promise.resolve({ summary: 'error_rate 12 % (min 0, max 12, rising)', links: [] }),
      logs: () => Promise.reject(new Error('connection refused')),
      traces: (q) =>
        new Promise((_, reject) => q.signal.addEventListener('abort', () => reject(new Error('aborted')))),
    };
    const { deps, incidents } = setup(
      { diagnostics: { windowSeconds: 1800, budgetMs: { metrics: 500, logs: 500, traces: 150 } } },
      { diagnostics: sources },
    );
    // Act
    const extras = await createIncidentHooks(deps).prepare(alert('a'), 'fired');
    // Assert
    const stored = [...incidents.items.values()][0];
    expect(stored?.diagnostics).toMatchObject({
      metrics: { status: 'ok' },
      logs: { status: 'error', summary: 'unavailable: connection refused' },
      traces: { status: 'timeout', summary: 'unavailable: no answer within 150 ms' },
    });
    expect(stored?.timeline.map((e) => e.kind)).toEqual(['opened', 'diagnostics']);
    expect(extras?.diagnostics).toContain('Metrics: error_rate 12 %');
    expect(extras?.diagnostics).toContain('Logs: unavailable: connection refused');
  });

  it('records notified channels and counts sends per channel', async () => {
    // Arrange
    const { deps, incidents, sent } = setup();
    const hooks = createIncidentHooks(deps);
    await hooks.prepare(alert('a'), 'fired');
    // Act
    await hooks.afterPublish(alert('a'), ['slack', 'email'], 'alert');
    hooks.countSent(['slack', 'email', 'slack']);
    // Assert
    const stored = [...incidents.items.values()][0];
    expect(stored?.timeline.filter((e) => e.kind === 'notified').map((e) => e.channel)).toEqual([
      'slack',
      'email',
    ]);
    expect(sent).toEqual([
      ['slack', 2],
      ['email', 1],
    ]);
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
    return { ...s, runs, hooks: createIncidentHooks(s.deps) };
  }

  const outcomes = (s: { incidents: MemoryIncidentStore }) =>
    [...s.incidents.items.values()].flatMap((i) =>
      i.timeline.filter((e) => e.kind === 'mitigation-finished').map((e) => `${e.outcome}: ${e.detail}`),
    );

  it('is off unless enabled', async () => {
    // Arrange
    const s = mitigationSetup({ enabled: false });
    // Act
    await s.hooks.prepare(alert('a'), 'fired');
    await s.hooks.afterPublish(alert('a'), ['slack']);
    // Assert
    expect(s.runs).toEqual([]);
    expect(outcomes(s)).toEqual([]);
  });

  it('runs once per incident even when asked twice', async () => {
    // Arrange
    const s = mitigationSetup({});
    await s.hooks.prepare(alert('a'), 'fired');
    // Act
    await Promise.all([
      s.hooks.afterPublish(alert('a'), ['slack']),
      s.hooks.afterPublish(alert('a'), ['email']),
    ]);
    await s.hooks.afterPublish(alert('a'), ['sms']);
    // Assert
    expect(s.runs).toHaveLength(1);
    expect(outcomes(s)).toEqual(['succeeded: execution 1234']);
  });

  it('stops at N per hour and says so on the timeline', async () => {
    // Arrange
    const s = mitigationSetup({ maxPerHour: 1 });
    const other = alert('x', { labels: { service: 'api', team: 'platform' } });
    // Act
    await s.hooks.prepare(alert('a'), 'fired');
    await s.hooks.afterPublish(alert('a'), ['slack']);
    await s.hooks.prepare(other, 'fired');
    await s.hooks.afterPublish(other, ['slack']);
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
    await s.hooks.prepare(alert('a'), 'fired');
    await s.hooks.afterPublish(alert('a'), ['slack']);
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
    await s.hooks.prepare(alert('a'), 'fired');
    await s.hooks.afterPublish(alert('a'), ['slack']);
    // Assert
    expect(outcomes(s)).toEqual([
      'failed: SSM Automation AWS-RestartECSService (ServiceName=checkout): AccessDenied',
    ]);
  });
});
