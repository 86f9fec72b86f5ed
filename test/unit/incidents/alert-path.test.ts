import { handleAlarmChange } from '../../../shared/domain/alert-service';
import type { AlertServiceDeps } from '../../../shared/domain/alert-service';
import type { Channel } from '../../../shared/domain/alert';
import type { AlarmStateChange } from '../../../shared/domain/alarm-event';
import type { DiagnosticsSources } from '../../../shared/domain/diagnostics';
import { createIncidentHooks } from '../../../shared/domain/incidents';
import type { Notification } from '../../../shared/domain/notification';
import { incidentsRuntimeSchema } from '../../../shared/domain/runtime-config';
import { devRuntimeConfig, recordingLog } from '../../support/fixtures';
import { MemoryAlertStore } from '../../support/memory-alert-store';
import { MemoryIncidentStore } from '../../support/memory-incident-store';

const T0 = Date.UTC(2026, 10, 26, 14, 0);

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

function setup(sources: DiagnosticsSources) {
  let now = T0;
  const store = new MemoryAlertStore();
  const incidents = new MemoryIncidentStore();
  const published: { channel: Channel; notification: Notification }[] = [];
  const log = recordingLog();
  const clock = () => now;
  const deps: AlertServiceDeps = {
    config: devRuntimeConfig(),
    store,
    publisher: {
      publish: (channel, notification) => Promise.resolve(void published.push({ channel, notification })),
    },
    clock,
    log,
    claimant: 'req-1',
    incidents: createIncidentHooks({
      settings: incidentsRuntimeSchema.parse({
        diagnostics: { windowSeconds: 1800, budgetMs: { metrics: 200, logs: 200, traces: 200 } },
      }),
      incidents,
      pointers: incidents,
      alerts: store,
      clock,
      log,
      diagnostics: sources,
    }),
  };
  return { deps, incidents, published, log, advance: (ms: number) => void (now += ms) };
}

describe('incidents on the alarm handler path', () => {
  it('a source that throws and one that hangs still yield an incident and a page with the evidence', async () => {
    // Arrange
    const { deps, incidents, published } = setup({
      metrics: () => Promise.reject(new Error('Rate exceeded')),
      logs: () => new Promise(() => undefined),
      traces: () =>
        Promise.resolve({
          summary: '2 faulty traces',
          links: [{ label: 'trace 1-abc', url: 'https://x/1' }],
        }),
    });
    // Act
    const outcome = await handleAlarmChange(deps, change('vigil-dev-high-error-rate-checkout', 'ALARM', T0));
    // Assert
    expect([...outcome.published].sort()).toEqual(['email', 'pagerduty', 'slack']);
    const [incident] = [...incidents.items.values()];
    expect(incident).toMatchObject({ service: 'checkout', severity: 'critical', status: 'open' });
    expect(incident?.diagnostics?.metrics.status).toBe('error');
    expect(incident?.diagnostics?.logs.status).toBe('timeout');
    expect(incident?.timeline.map((e) => e.kind)).toEqual([
      'opened',
      'diagnostics',
      'notified',
      'notified',
      'notified',
    ]);
    const page = published.find((p) => p.channel === 'slack')?.notification;
    expect(page?.diagnostics).toContain(`Incident ${incident?.id}`);
    expect(page?.diagnostics).toContain('Metrics: unavailable: Rate exceeded');
    expect(page?.diagnostics).toContain('trace 1-abc: https://x/1');
  });

  it('resolving the last linked alert resolves the incident', async () => {
    // Arrange
    const { deps, incidents, advance } = setup({});
    await handleAlarmChange(deps, change('vigil-dev-high-error-rate-checkout', 'ALARM', T0));
    advance(60_000);
    // Act
    await handleAlarmChange(deps, change('vigil-dev-high-error-rate-checkout', 'OK', T0 + 60_000));
    // Assert
    const [incident] = [...incidents.items.values()];
    expect(incident).toMatchObject({ status: 'resolved', resolvedAt: T0 + 60_000 });
  });

  it('a warning opens no incident and its page carries no diagnostics', async () => {
    // Arrange
    const { deps, incidents } = setup({});
    // Act
    await handleAlarmChange(deps, change('vigil-dev-high-cpu-checkout', 'ALARM', T0));
    // Assert
    expect(incidents.items.size).toBe(0);
  });

  it('an incident store that fails never stops the page', async () => {
    // Arrange
    const s = setup({});
    s.incidents.get = () => Promise.reject(new Error('ProvisionedThroughputExceeded'));
    // Act
    const outcome = await handleAlarmChange(s.deps, change('vigil-dev-high-error-rate-api', 'ALARM', T0));
    // Assert
    expect(outcome.published).toHaveLength(3);
    expect(s.published[0]?.notification.diagnostics).toBeUndefined();
    expect(s.log.lines.some((l) => l.level === 'error' && l.message.startsWith('incident step failed'))).toBe(
      true,
    );
  });
});
