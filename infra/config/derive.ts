import { parseMatcher } from '../../shared/domain/matchers';
import type { RouteNode } from '../../shared/domain/routing';
import type { SeverityLadder } from '../../shared/domain/evaluation/rule-spec';
import type { DiagnosticsMetric, RuntimeConfig } from '../../shared/domain/runtime-config';
import { parseRuntimeConfig } from '../../shared/domain/runtime-config';
import type { CatalogEntry, MetricCatalog, RouteInput, RuleConfig, VigilConfig } from './schema';
import { alarmRules, durationSeconds, isScheduledRule } from './schema';
import { conditionOf, scheduledAlarms, scheduledInstances, scheduledRuleRuntime } from './derive-scheduled';

/** One CloudWatch alarm to create: a rule applied to one target. */
export interface AlarmSpec {
  readonly alarmName: string;
  readonly rule: RuleConfig;
  readonly target: RuleConfig['targets'][number];
  readonly evaluationPeriods: number;
  readonly labels: Record<string, string>;
}

/** The stack's alarm name prefix. */
export function alarmPrefixOf(config: VigilConfig): string {
  return config.alarmPrefix ?? `vigil-${config.stage}-`;
}

/** Expands rules x targets into alarm specs. */
export function alarmSpecs(config: VigilConfig): AlarmSpec[] {
  const prefix = alarmPrefixOf(config);
  return alarmRules(config).flatMap((rule) =>
    rule.targets.map((target) => ({
      alarmName: `${prefix}${rule.id}-${target.service}`,
      rule,
      target,
      evaluationPeriods: durationSeconds(rule.for) / rule.periodSeconds,
      labels: { ...target.labels, service: target.service, team: target.team },
    })),
  );
}

function toRouteNode(route: RouteInput): RouteNode {
  const seconds = (text: string | undefined) => (text === undefined ? undefined : durationSeconds(text));
  return {
    receiver: route.receiver,
    matchers: (route.matchers ?? []).map((m) => parseMatcher(m)),
    continue: route.continue ?? false,
    routes: (route.routes ?? []).map(toRouteNode),
    groupBy: route.groupBy,
    groupWaitSeconds: seconds(route.groupWait),
    groupIntervalSeconds: seconds(route.groupInterval),
    repeatIntervalSeconds: seconds(route.repeatInterval),
    escalation: route.escalation?.map((e) => ({
      afterSeconds: durationSeconds(e.after),
      channels: e.channels,
    })),
  };
}

/**
 * The metrics an alarm's incident diagnostics read: the rule's own, then its related metrics, with
 * dimension values from the target (`Service` defaults to the target's service).
 */
export function diagnosticsMetricsOf(catalog: MetricCatalog, spec: AlarmSpec): DiagnosticsMetric[] {
  const values: Record<string, string> = { Service: spec.target.service, ...spec.target.dimensions };
  const stat = (entry: Extract<CatalogEntry, { kind: 'metric' }>) => ({
    namespace: entry.namespace,
    metricName: entry.metricName,
    dimensions: Object.fromEntries(entry.dimensions.map((d) => [d, values[d] ?? ''])),
    stat: entry.statistic,
  });
  const names = [spec.rule.metric, ...spec.rule.relatedMetrics.filter((m) => m !== spec.rule.metric)];
  return names.flatMap((name, i): DiagnosticsMetric[] => {
    const entry = catalog[name];
    if (!entry) return [];
    const role = i === 0 ? 'alarm' : 'related';
    if (entry.kind === 'metric') return [{ name, role, unit: entry.unit, metric: stat(entry) }];
    const using = Object.entries(entry.using).flatMap(([id, ref]) => {
      const used = catalog[ref];
      return used?.kind === 'metric' ? [[id, stat(used)] as const] : [];
    });
    return [
      {
        name,
        role,
        unit: entry.unit,
        math: { expression: entry.expression, using: Object.fromEntries(using) },
      },
    ];
  });
}

/**
 * An alarm's severity ladder with every metric resolved for its target (`Service` defaults to the
 * target's service, as for diagnostics); undefined when its rule has none.
 */
export function severityLadderOf(catalog: MetricCatalog, spec: AlarmSpec): SeverityLadder | undefined {
  const levels = spec.rule.severityLadder;
  if (levels === undefined) return undefined;
  const target = { dimensions: { Service: spec.target.service, ...spec.target.dimensions } };
  return {
    periodSeconds: spec.rule.periodSeconds,
    levels: levels.map((l) => ({ severity: l.severity, when: conditionOf(catalog, l.when, target) })),
  };
}

/** The runtime config the Lambdas get (a file in their bundles). Contains no CDK tokens. */
export function deriveRuntimeConfig(config: VigilConfig): RuntimeConfig {
  const unit = (metric: string): string | undefined => config.catalog[metric]?.unit;
  const receivers = Object.fromEntries(
    Object.entries(config.receivers).map(([name, r]) => [
      name,
      { channels: r.channels.filter((c) => c !== 'pagerduty' || config.channels.pagerduty.enabled) },
    ]),
  );
  const runtime = {
    stage: config.stage,
    dashboardUrl: config.dashboardUrl,
    historyRetentionDays: config.historyRetentionDays,
    insufficientData: config.insufficientData,
    claimSeconds: 90,
    rules: Object.fromEntries(
      alarmRules(config).map((r) => [
        r.id,
        {
          severity: r.severity,
          summary: r.summary,
          runbookUrl: r.runbookUrl,
          threshold: r.threshold,
          comparison: r.comparison,
          unit: unit(r.metric),
          insufficientData: r.insufficientData,
          labels: {},
        },
      ]),
    ),
    alarms: Object.fromEntries(
      alarmSpecs(config).map((a) => [
        a.alarmName,
        { ruleId: a.rule.id, labels: a.labels, severityLadder: severityLadderOf(config.catalog, a) },
      ]),
    ),
    severityBudgetMs: config.alarmHandler.severityBudgetMs,
    external: { mappings: config.externalAlarms.mappings, defaultLabels: config.defaultLabels },
    route: toRouteNode(config.route),
    receivers,
    inhibitRules: config.inhibitRules.map((r) => ({
      sourceMatchers: r.sourceMatchers.map((m) => parseMatcher(m)),
      targetMatchers: r.targetMatchers.map((m) => parseMatcher(m)),
      equal: r.equal,
    })),
    storm: { threshold: config.storm.threshold, windowSeconds: durationSeconds(config.storm.window) },
    budgets: { perSecond: config.budgets, smsMonthlySpendCapUsd: config.channels.sms.monthlySpendLimitUsd },
    alertListUrl: config.alertListUrl,
    smsSenderId: config.channels.sms.senderId,
    evaluator: { instances: scheduledInstances(config), timeoutSeconds: 20 },
    incidents: {
      minSeverity: config.incidents.minSeverity,
      openOnEscalation: config.incidents.openOnEscalation,
      reopenWindowSeconds: durationSeconds(config.incidents.reopenWithin),
      retentionDays: config.incidents.retentionDays,
      diagnostics: {
        windowSeconds: durationSeconds(config.incidents.diagnosticsWindow),
        budgetMs: config.incidents.diagnosticsBudgetMs,
      },
      mitigation: config.incidents.mitigation,
      metrics: Object.fromEntries(
        alarmSpecs(config).map((a) => [a.alarmName, diagnosticsMetricsOf(config.catalog, a)]),
      ),
      actions: Object.fromEntries(
        alarmRules(config).flatMap((r) => (r.mitigation ? [[r.id, r.mitigation]] : [])),
      ),
    },
  };
  const withActions = config.actions.enabled
    ? {
        ...runtime,
        actions: {
          linkTtlSeconds: durationSeconds(config.actions.linkTtl),
          silenceUntilResolvedMaxSeconds: durationSeconds(config.actions.silenceUntilResolvedMax),
        },
      }
    : runtime;
  const alarms = { ...runtime.alarms, ...scheduledAlarms(config) };
  const scheduled = config.rules.filter(isScheduledRule).map((r) => [r.id, scheduledRuleRuntime(r)] as const);
  return parseRuntimeConfig({
    ...withActions,
    rules: { ...runtime.rules, ...Object.fromEntries(scheduled) },
    alarms,
  });
}
