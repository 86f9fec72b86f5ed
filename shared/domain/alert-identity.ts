import type { Annotations, Labels, Severity } from './alert';
import { isSeverity } from './alert';
import type { AlarmStateChange } from './alarm-event';
import { compileMatcherRegex } from './matchers';
import type { InsufficientDataPolicy, RuntimeConfig } from './runtime-config';

/** Who an alarm belongs to: its rule, labels and human text. */
export interface AlertIdentity {
  readonly ruleId?: string;
  /** False when the alarm matched no rule and got the default labels (fail open). */
  readonly matched: boolean;
  readonly severity: Severity;
  readonly labels: Labels;
  readonly annotations: Annotations;
  readonly threshold?: number;
  readonly comparison?: string;
  readonly unit?: string;
  readonly insufficientData: InsufficientDataPolicy;
}

/** CloudWatch console link of an alarm in its own region. */
export function alarmConsoleUrl(alarmName: string, region: string | undefined): string | undefined {
  if (!region) return undefined;
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(alarmName)}`;
}

/** Maps an alarm state change to its rule and labels; unknown alarms get the default labels. */
export function resolveAlertIdentity(config: RuntimeConfig, change: AlarmStateChange): AlertIdentity {
  const own = config.alarms[change.alarmName];
  const mapping = own
    ? { ruleId: own.ruleId, labels: own.labels }
    : config.external.mappings.find((m) => compileMatcherRegex(m.pattern).test(change.alarmName));
  const rule = mapping?.ruleId ? config.rules[mapping.ruleId] : undefined;
  const merged: Record<string, string> = {
    ...config.external.defaultLabels,
    ...rule?.labels,
    ...mapping?.labels,
  };
  const severityLabel = merged['severity'];
  const severity: Severity =
    change.severity ??
    rule?.severity ??
    (severityLabel && isSeverity(severityLabel) ? severityLabel : 'warning');
  const labels: Labels = {
    ...merged,
    alertname: mapping?.ruleId ?? change.alarmName,
    alarm: change.alarmName,
    severity,
    service: merged['service'] ?? 'unknown',
    team: merged['team'] ?? 'unassigned',
    stage: config.stage,
  };
  const annotations: Annotations = {
    summary: rule?.summary ?? `CloudWatch alarm ${change.alarmName} is ${change.state}`,
    description: change.description ?? rule?.description,
    runbookUrl: rule?.runbookUrl,
    alarmUrl: alarmConsoleUrl(change.alarmName, change.region),
    dashboardUrl: config.dashboardUrl,
    reason: change.reason,
  };
  return {
    ruleId: mapping?.ruleId,
    matched: mapping !== undefined,
    severity,
    labels,
    annotations,
    threshold: change.threshold ?? rule?.threshold,
    comparison: rule?.comparison,
    unit: rule?.unit,
    insufficientData: rule?.insufficientData ?? config.insufficientData,
  };
}
