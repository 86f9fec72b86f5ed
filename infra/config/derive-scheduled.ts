/** Scheduled rules resolved for the evaluator: catalog metrics to CloudWatch sources, per target. */
import type { Severity } from '../../shared/domain/alert';
import { severityRank } from '../../shared/domain/alert';
import type {
  Condition,
  MetricSource,
  MetricStatSpec,
  RuleCheck,
  ScheduledInstance,
} from '../../shared/domain/evaluation/rule-spec';
import type { RuleRuntime } from '../../shared/domain/runtime-config';
import type { ConditionInput, MetricCatalog, ScheduledRuleConfig, VigilConfig } from './schema';
import { durationSeconds, isScheduledRule } from './schema';

type Target = ScheduledRuleConfig['targets'][number];

function statSpec(catalog: MetricCatalog, name: string, target: Pick<Target, 'dimensions'>): MetricStatSpec {
  const entry = catalog[name];
  if (entry?.kind !== 'metric') throw new Error(`"${name}" is not a plain catalog metric`);
  return {
    namespace: entry.namespace,
    metricName: entry.metricName,
    stat: entry.statistic,
    dimensions: Object.fromEntries(entry.dimensions.map((d) => [d, target.dimensions[d] ?? ''])),
  };
}

/** The CloudWatch source of a catalog metric for one target (validated config only). */
export function sourceOf(
  catalog: MetricCatalog,
  name: string,
  target: Pick<Target, 'dimensions'>,
): MetricSource {
  const entry = catalog[name];
  if (entry === undefined) throw new Error(`"${name}" is not in the metric catalog`);
  if (entry.kind === 'metric') return { kind: 'metric', ...statSpec(catalog, name, target) };
  return {
    kind: 'math',
    expression: entry.expression,
    using: Object.fromEntries(
      Object.entries(entry.using).map(([id, ref]) => [id, statSpec(catalog, ref, target)]),
    ),
  };
}

/** A condition as written, with each catalog metric resolved to its CloudWatch source for the target. */
export function conditionOf(
  catalog: MetricCatalog,
  c: ConditionInput,
  target: Pick<Target, 'dimensions'>,
): Condition {
  if ('all' in c) return { all: c.all.map((p) => conditionOf(catalog, p, target)) };
  if ('any' in c) return { any: c.any.map((p) => conditionOf(catalog, p, target)) };
  return {
    metric: c.metric,
    source: sourceOf(catalog, c.metric, target),
    comparison: c.comparison,
    threshold: c.threshold,
  };
}

function checkOf(catalog: MetricCatalog, rule: ScheduledRuleConfig, target: Target): RuleCheck {
  switch (rule.kind) {
    case 'expression':
      return {
        kind: 'levels',
        levels: [{ severity: rule.severity, when: conditionOf(catalog, rule.when, target) }],
      };
    case 'ladder':
      return {
        kind: 'levels',
        levels: rule.levels.map((l) => ({
          severity: l.severity,
          when: conditionOf(catalog, l.when, target),
        })),
      };
    case 'burn-rate':
      return {
        kind: 'burn-rate',
        objectivePercent: rule.objective,
        errors: sourceOf(catalog, rule.errors, target),
        total: sourceOf(catalog, rule.total, target),
        windows: rule.windows.map((w) => ({
          longSeconds: durationSeconds(w.long),
          shortSeconds: durationSeconds(w.short),
          factor: w.factor,
          severity: w.severity,
        })),
      };
    case 'absence':
      return {
        kind: 'absence',
        metric: rule.metric,
        source: sourceOf(catalog, rule.metric, target),
        afterSeconds: durationSeconds(rule.after),
        severity: rule.severity,
      };
    case 'anomaly':
      return {
        kind: 'anomaly',
        metric: rule.metric,
        source: sourceOf(catalog, rule.metric, target),
        bandWidth: rule.bandWidth,
        direction: rule.direction,
        severity: rule.severity,
      };
  }
}

/** Synthetic alarm name of a scheduled rule's target, like the names of alarm rules. */
export function scheduledAlarmName(config: VigilConfig, ruleId: string, service: string): string {
  return `${config.alarmPrefix ?? `vigil-${config.stage}-`}${ruleId}-${service}`;
}

/** Every scheduled rule x target, resolved for the evaluator. */
export function scheduledInstances(config: VigilConfig): ScheduledInstance[] {
  return config.rules.filter(isScheduledRule).flatMap((rule) =>
    rule.targets.map((target) => ({
      ruleId: rule.id,
      target: target.service,
      alarmName: scheduledAlarmName(config, rule.id, target.service),
      periodSeconds: rule.periodSeconds,
      forSeconds: durationSeconds(rule.for),
      keepFiringForSeconds: durationSeconds(rule.keepFiringFor),
      check: checkOf(config.catalog, rule, target),
    })),
  );
}

/** The `alarms` entries of the scheduled rules' synthetic alarms (labels for resolveAlertIdentity). */
export function scheduledAlarms(
  config: VigilConfig,
): Record<string, { ruleId: string; labels: Record<string, string>; engine: 'scheduled' }> {
  return Object.fromEntries(
    config.rules.filter(isScheduledRule).flatMap((rule) =>
      rule.targets.map((target) => [
        scheduledAlarmName(config, rule.id, target.service),
        {
          ruleId: rule.id,
          labels: { ...target.labels, service: target.service, team: target.team },
          engine: 'scheduled' as const,
        },
      ]),
    ),
  );
}

/** Highest severity a scheduled rule can report. */
export function topSeverity(rule: ScheduledRuleConfig): Severity {
  const all: Severity[] =
    rule.kind === 'ladder'
      ? rule.levels.map((l) => l.severity)
      : rule.kind === 'burn-rate'
        ? rule.windows.map((w) => w.severity)
        : [rule.severity];
  return all.reduce((acc, s) => (severityRank(s) > severityRank(acc) ? s : acc), 'info');
}

/** The runtime view of a scheduled rule (the evaluator passes each transition's own severity). */
export function scheduledRuleRuntime(rule: ScheduledRuleConfig): RuleRuntime {
  return { severity: topSeverity(rule), summary: rule.summary, runbookUrl: rule.runbookUrl, labels: {} };
}
