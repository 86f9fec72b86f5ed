import type { Channel } from './alert';
import type { NotificationStatus } from './alert';
import type { AlertRecord, Outbox } from './alert-record';
import type { Notification, NotifiedAlert } from './notification';

/** The alert as it appears in a notification. */
export function toNotifiedAlert(record: AlertRecord, status: NotificationStatus): NotifiedAlert {
  return {
    fingerprint: record.fingerprint,
    alarmName: record.alarmName,
    ruleId: record.ruleId,
    status,
    severity: record.severity,
    labels: record.labels,
    annotations: record.annotations,
    startsAt: new Date(record.startsAt ?? record.lastChangeAt).toISOString(),
    endsAt:
      status === 'resolved' && record.endsAt !== undefined
        ? new Date(record.endsAt).toISOString()
        : undefined,
    value: record.value,
    threshold: record.threshold,
    unit: record.unit,
    comparison: record.comparison,
    region: record.region,
    alarmArn: record.alarmArn,
  };
}

/** Builds the notification one channel receives for an alert's outbox. */
export function buildAlertNotification(
  record: AlertRecord,
  outbox: Outbox,
  channel: Channel,
  stage: string,
  now: number,
): Notification {
  const service = record.labels['service'] ?? 'unknown';
  // An acknowledgement is news about a firing alert; PagerDuty turns it into an `acknowledge` event.
  const status: NotificationStatus = outbox.status === 'resolved' ? 'resolved' : 'firing';
  return {
    id: `${outbox.id}:${channel}`,
    channel,
    status,
    severity: record.severity,
    groupKey: record.fingerprint,
    title: `${service}: ${record.annotations.summary}`,
    alerts: [toNotifiedAlert(record, status)],
    totalAlerts: 1,
    reason: outbox.status === 'acknowledged' ? 'acknowledged' : 'alert',
    links: {
      alarm: record.annotations.alarmUrl,
      dashboard: record.annotations.dashboardUrl,
      runbook: record.annotations.runbookUrl,
    },
    createdAt: new Date(now).toISOString(),
    stage,
  };
}
