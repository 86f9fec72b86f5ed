import { Metrics } from '@aws-lambda-powertools/metrics';
import { createIncidentMetrics, INCIDENT_METRICS } from '../../../shared/adapters/incident-metrics';
import type { Incident } from '../../../shared/domain/incident';
import { linkFiringAlert, acknowledgeIncident, resolveIfAllResolved } from '../../../shared/domain/incidents';
import { incidentsRuntimeSchema } from '../../../shared/domain/runtime-config';
import { recordingLog } from '../../support/fixtures';
import { MemoryAlertStore } from '../../support/memory-alert-store';
import { MemoryIncidentStore } from '../../support/memory-incident-store';
import type { EmfDocument } from '../../support/emf-capture';
import { captureEmf } from '../../support/emf-capture';

const emitted = captureEmf();

function valueOf(doc: EmfDocument, name: string): unknown {
  return doc[name];
}

const T0 = Date.UTC(2026, 10, 26, 14, 0);

describe('incident metrics (EMF)', () => {
  it('publishes MTTA and MTTR per service and severity from the incident clock', async () => {
    // Arrange
    let now = T0;
    const incidents = new MemoryIncidentStore();
    const metrics = createIncidentMetrics(
      new Metrics({ namespace: INCIDENT_METRICS.namespace, serviceName: 'tick' }),
      'dev',
    );
    const deps = {
      settings: incidentsRuntimeSchema.parse({}),
      incidents,
      pointers: incidents,
      alerts: new MemoryAlertStore(),
      clock: () => now,
      log: recordingLog(),
      metrics,
    };
    const alert = {
      fingerprint: 'fp',
      alarmName: 'vigil-dev-high-error-rate-checkout',
      severity: 'critical' as const,
      labels: { service: 'checkout' },
      annotations: { summary: 'Error rate above 5%' },
    };
    const { incident } = await linkFiringAlert(deps, alert);
    now = T0 + 7 * 60_000;
    await acknowledgeIncident(deps, incident.id, 'alice');
    now = T0 + 19 * 60_000;
    // Act
    await resolveIfAllResolved(deps, alert);
    // Assert
    const docs = emitted();
    expect(docs).toHaveLength(2);
    const [mtta, mttr] = docs;
    for (const doc of docs) {
      expect(doc._aws.CloudWatchMetrics[0]?.Namespace).toBe('Vigil/Incidents');
      expect(doc._aws.CloudWatchMetrics[0]?.Dimensions[0]).toEqual(
        expect.arrayContaining(['stage', 'service', 'severity']),
      );
      expect(doc).toMatchObject({ stage: 'dev', service: 'checkout', severity: 'critical' });
    }
    expect(mtta?._aws.CloudWatchMetrics[0]?.Metrics).toEqual([
      { Name: 'TimeToAcknowledgeSeconds', Unit: 'Seconds' },
    ]);
    expect(
      valueOf(mtta ?? { _aws: { Timestamp: 0, CloudWatchMetrics: [] } }, 'TimeToAcknowledgeSeconds'),
    ).toBe(420);
    expect(valueOf(mttr ?? { _aws: { Timestamp: 0, CloudWatchMetrics: [] } }, 'TimeToResolveSeconds')).toBe(
      1140,
    );
  });

  it('counts an unacknowledged resolution and the time from page to evidence per channel', () => {
    // Arrange
    const metrics = createIncidentMetrics(new Metrics({ namespace: INCIDENT_METRICS.namespace }), 'prod');
    const incident: Incident = {
      id: 'api-1',
      title: 'api: down',
      service: 'api',
      severity: 'critical',
      status: 'resolved',
      labels: {},
      alerts: [],
      openedAt: 0,
      timeline: [],
      version: 3,
    };
    // Act
    metrics.incidentResolved(incident, { mttrSeconds: 60 });
    metrics.evidenceSent(incident, 'email', 2.5);
    // Assert
    const docs = emitted();
    expect(docs.map((d) => d._aws.CloudWatchMetrics[0]?.Metrics[0]?.Name)).toEqual([
      'ResolvedUnacknowledged',
      'TimeToResolveSeconds',
      'TimeToEvidenceSeconds',
    ]);
    expect(docs[2]).toMatchObject({ stage: 'prod', channel: 'email', TimeToEvidenceSeconds: 2.5 });
    expect(docs[2]?._aws.CloudWatchMetrics[0]?.Dimensions[0]).toEqual(
      expect.arrayContaining(['stage', 'channel']),
    );
  });
});
