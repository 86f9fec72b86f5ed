import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { IncidentMetrics } from '../domain/incidents';

/** Namespace and names of the incident metrics (what dashboards and alarms read). */
export const INCIDENT_METRICS = {
  namespace: 'Vigil/Incidents',
  mtta: 'TimeToAcknowledgeSeconds',
  mttr: 'TimeToResolveSeconds',
  unacknowledged: 'ResolvedUnacknowledged',
  evidence: 'TimeToEvidenceSeconds',
} as const;

/**
 * Incident metrics as CloudWatch embedded metric format through Powertools Metrics: MTTA and MTTR
 * per service and severity (their Average is the mean time), and per channel the time from a page
 * to the evidence that followed it. Each
 * call writes its own EMF document at once, so nothing waits for the end of the invocation.
 */
export function createIncidentMetrics(metrics: Metrics, stage: string): IncidentMetrics {
  return {
    incidentResolved: (incident, times) => {
      const single = metrics.singleMetric();
      single.addDimensions({ stage, service: incident.service, severity: incident.severity });
      if (times.mttaSeconds === undefined) {
        single.addMetric(INCIDENT_METRICS.unacknowledged, MetricUnit.Count, 1);
      } else {
        single.addMetric(INCIDENT_METRICS.mtta, MetricUnit.Seconds, times.mttaSeconds);
      }
      const resolve = metrics.singleMetric();
      resolve.addDimensions({ stage, service: incident.service, severity: incident.severity });
      resolve.addMetric(INCIDENT_METRICS.mttr, MetricUnit.Seconds, times.mttrSeconds);
    },
    evidenceSent: (_incident, channel, seconds) => {
      const single = metrics.singleMetric();
      single.addDimensions({ stage, channel });
      single.addMetric(INCIDENT_METRICS.evidence, MetricUnit.Seconds, seconds);
    },
  };
}
