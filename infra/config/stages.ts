import { ConfigError } from '../../shared/domain/errors';
import { DEFAULT_CATALOG } from './catalog';
import { restartEcsRunbookName } from './runbooks';
import type { VigilConfig, VigilConfigInput } from './schema';
import { validateConfig } from './schema';

const RUNBOOKS = 'https://runbooks.example.com/dokkerr';

/** The seed rules: the three alarms every stage starts with. */
function seedRules(stage: string, cluster: string): VigilConfigInput['rules'] {
  const ecs = (service: string) => ({ ClusterName: cluster, ServiceName: service });
  return [
    {
      id: 'high-cpu',
      metric: 'cpu_usage',
      comparison: '>',
      threshold: 80,
      for: '5m',
      severity: 'warning',
      summary: 'CPU above 80% for 5 minutes',
      runbookUrl: `${RUNBOOKS}/high-cpu`,
      // No datapoints means no running task: that is the deployment's alarm, not CPU's.
      treatMissingData: 'missing',
      targets: [
        { service: 'api', team: 'platform', dimensions: ecs('api') },
        { service: 'checkout', team: 'payments', dimensions: ecs('checkout') },
        { service: 'realtime', team: 'platform', dimensions: ecs('realtime') },
      ],
      // Busy CPU: is memory tight too, is traffic up, are users waiting?
      relatedMetrics: ['memory_usage', 'request_rate', 'response_time'],
      // Busy CPU with memory exhausted too is about to fail: page as critical.
      severityLadder: [
        { severity: 'critical', when: { metric: 'memory_usage', comparison: '>', threshold: 90 } },
      ],
    },
    {
      id: 'high-error-rate',
      metric: 'error_rate',
      comparison: '>',
      threshold: 5,
      for: '1m',
      severity: 'critical',
      summary: 'Error rate above 5%',
      runbookUrl: `${RUNBOOKS}/high-error-rate`,
      // No requests means no errors; silence must not page.
      treatMissingData: 'notBreaching',
      targets: [
        { service: 'api', team: 'platform', dimensions: { Service: 'api' } },
        { service: 'checkout', team: 'payments', dimensions: { Service: 'checkout' } },
      ],
      // Errors: did latency climb with them, and did traffic change?
      relatedMetrics: ['response_time', 'request_rate'],
      // Restarting the service's tasks clears most stuck-dependency error spikes; dry run unless a stage
      // enables it. The runbook ships with the stack: AWS owns no runbook that restarts an ECS service.
      mitigation: {
        kind: 'ssm-automation',
        documentName: restartEcsRunbookName(stage),
        parameters: { ClusterName: [cluster], ServiceName: ['{service}'] },
      },
    },
    {
      id: 'slow-queries',
      metric: 'query_latency',
      comparison: '>',
      threshold: 1000,
      for: '2m',
      severity: 'warning',
      summary: 'Query latency above 1000 ms for 2 minutes',
      runbookUrl: `${RUNBOOKS}/slow-queries`,
      // Latency is only reported when queries run; idle is healthy.
      treatMissingData: 'notBreaching',
      targets: [
        { service: 'api', team: 'platform', dimensions: { Service: 'api' } },
        { service: 'checkout', team: 'payments', dimensions: { Service: 'checkout' } },
      ],
      // Slow queries: is the pool saturated, how many queries are slow?
      relatedMetrics: ['db_pool_in_use', 'slow_queries'],
    },
  ];
}

/**
 * Scheduled rules the evaluator runs every minute: what a single-threshold alarm cannot say. The
 * seed rules stay alarms: one metric and one threshold each, which an alarm evaluates for a flat
 * monthly price with no Lambda in the loop.
 */
function scheduledRules(cluster: string): VigilConfigInput['rules'] {
  const ecs = (service: string) => ({ ClusterName: cluster, ServiceName: service });
  return [
    {
      id: 'errors-under-traffic',
      engine: 'scheduled',
      kind: 'expression',
      // Errors matter only while traffic is real: a handful of failed health checks is no outage.
      when: {
        all: [
          { metric: 'error_rate', comparison: '>', threshold: 5 },
          { metric: 'request_rate', comparison: '>', threshold: 1 },
        ],
      },
      severity: 'warning',
      for: '2m',
      keepFiringFor: '5m',
      summary: 'Error rate above 5% while serving more than 1 request/s',
      runbookUrl: `${RUNBOOKS}/high-error-rate`,
      targets: [
        { service: 'api', team: 'platform', dimensions: { Service: 'api' } },
        { service: 'checkout', team: 'payments', dimensions: { Service: 'checkout' } },
      ],
    },
    {
      id: 'cpu-memory-pressure',
      engine: 'scheduled',
      kind: 'ladder',
      levels: [
        {
          severity: 'critical',
          when: {
            any: [
              { metric: 'cpu_usage', comparison: '>', threshold: 95 },
              {
                all: [
                  { metric: 'cpu_usage', comparison: '>', threshold: 80 },
                  { metric: 'memory_usage', comparison: '>', threshold: 90 },
                ],
              },
            ],
          },
        },
        { severity: 'warning', when: { metric: 'cpu_usage', comparison: '>', threshold: 80 } },
      ],
      for: '3m',
      keepFiringFor: '2m',
      summary: 'CPU pressure, critical when memory is exhausted too',
      runbookUrl: `${RUNBOOKS}/high-cpu`,
      targets: [
        { service: 'api', team: 'platform', dimensions: ecs('api') },
        { service: 'checkout', team: 'payments', dimensions: ecs('checkout') },
      ],
    },
    {
      id: 'checkout-slo-burn',
      engine: 'scheduled',
      kind: 'burn-rate',
      objective: 99.9,
      errors: 'errors',
      total: 'requests',
      // The multi-window, multi-burn-rate pair of the SRE workbook for a 30-day 99.9% objective.
      windows: [
        { long: '1h', short: '5m', factor: 14.4, severity: 'critical' },
        { long: '6h', short: '30m', factor: 6, severity: 'warning' },
      ],
      summary: 'Checkout is burning its 99.9% availability error budget',
      runbookUrl: `${RUNBOOKS}/slo-burn`,
      targets: [{ service: 'checkout', team: 'payments', dimensions: { Service: 'checkout' } }],
    },
    {
      id: 'requests-absent',
      engine: 'scheduled',
      kind: 'absence',
      metric: 'requests',
      after: '10m',
      severity: 'warning',
      summary: 'No request metrics for 10 minutes: the service or its metrics stopped',
      runbookUrl: `${RUNBOOKS}/metrics-absent`,
      targets: [
        { service: 'api', team: 'platform', dimensions: { Service: 'api' } },
        { service: 'checkout', team: 'payments', dimensions: { Service: 'checkout' } },
      ],
    },
    {
      id: 'active-users-anomaly',
      engine: 'scheduled',
      kind: 'anomaly',
      metric: 'active_users',
      bandWidth: 3,
      direction: 'outside',
      severity: 'warning',
      for: '5m',
      summary: 'Active users outside the expected band',
      runbookUrl: `${RUNBOOKS}/active-users-anomaly`,
      targets: [{ service: 'checkout', team: 'payments', dimensions: { Service: 'checkout' } }],
    },
  ];
}

/**
 * Who hears what, as the seed writes it: every rule's warnings go to Slack; a critical goes to the
 * channels of its rule (high CPU: Slack, email and SMS; error rate: Slack, email and PagerDuty;
 * database latency: Slack and email). Criticals of other rules and of mapped alarms reach on-call
 * everywhere. The scheduled rules follow the seed rule they watch over (CPU pressure as high CPU,
 * the SLO burn as the error rate).
 */
function seedRouting(): Pick<VigilConfigInput, 'receivers' | 'route' | 'inhibitRules'> {
  return {
    receivers: {
      'team-slack': { channels: ['slack'] },
      'on-call': { channels: ['slack', 'email', 'sms', 'pagerduty'] },
      'cpu-critical': { channels: ['slack', 'email', 'sms'] },
      'errors-critical': { channels: ['slack', 'email', 'pagerduty'] },
      'database-critical': { channels: ['slack', 'email'] },
    },
    route: {
      receiver: 'team-slack',
      groupBy: ['alertname', 'service'],
      groupWait: '30s',
      groupInterval: '5m',
      repeatInterval: '4h',
      routes: [
        // Criticals page at once, from the alarm handler itself; the tick handles their repeats.
        {
          matchers: ['severity="critical"'],
          receiver: 'on-call',
          groupWait: '0',
          repeatInterval: '1h',
          routes: [
            { matchers: ['alertname=~"high-cpu|cpu-memory-pressure"'], receiver: 'cpu-critical' },
            { matchers: ['alertname=~"high-error-rate|checkout-slo-burn"'], receiver: 'errors-critical' },
            { matchers: ['alertname="slow-queries"'], receiver: 'database-critical' },
          ],
        },
        {
          matchers: ['severity=~"warning|info"'],
          receiver: 'team-slack',
          // Delay-then-escalate: a warning nobody acknowledges reaches email, then SMS.
          escalation: [
            { after: '15m', channels: ['email'] },
            { after: '30m', channels: ['sms'] },
          ],
          routes: [
            // A rule whose criticals text nobody does not text for an unacknowledged warning either.
            {
              matchers: ['alertname=~"high-error-rate|checkout-slo-burn|errors-under-traffic|slow-queries"'],
              escalation: [{ after: '15m', channels: ['email'] }],
            },
          ],
        },
      ],
    },
    inhibitRules: [
      // A critical on a service mutes that service's warnings.
      { sourceMatchers: ['severity="critical"'], targetMatchers: ['severity="warning"'], equal: ['service'] },
      // A database outage mutes the latency alerts of the services that depend on it.
      {
        sourceMatchers: ['alertname="database-down"'],
        targetMatchers: ['alertname="slow-queries"'],
        equal: ['database'],
      },
    ],
  };
}

/** Stage configs as written; `-c stage=<name>` picks one. */
export const STAGE_INPUTS: Readonly<Record<string, VigilConfigInput>> = {
  dev: {
    stage: 'dev',
    catalog: DEFAULT_CATALOG,
    rules: [...seedRules('dev', 'dokkerr-dev'), ...scheduledRules('dokkerr-dev')],
    channels: {
      email: { subscribers: ['oncall-dev@example.com'] },
      sms: { subscribers: [] },
      // Error-rate criticals page PagerDuty in every stage; the routing key is set after deploy.
      pagerduty: { enabled: true, minSeverity: 'critical' },
    },
    ...seedRouting(),
    externalAlarms: { namePrefixes: ['dokkerr-dev-'], mappings: [] },
    logs: {
      domain: { kind: 'create', dataNodes: 1, instanceType: 't3.small.search', volumeSizeGiB: 10 },
      logGroups: {
        application: ['/dokkerr/dev/api', '/dokkerr/dev/checkout'],
        system: ['/dokkerr/dev/system'],
        access: ['/dokkerr/dev/access'],
        error: ['/dokkerr/dev/errors'],
      },
      retentionDays: 14,
      // Dev may come up before the application: the stack creates its log groups (and deletes them).
      createLogGroups: true,
    },
    ops: { emails: ['platform-ops-dev@example.com'] },
    retainData: false,
    // Dev rehearses mitigation: the timeline shows what would run, nothing runs.
    incidents: { mitigation: { enabled: true, dryRun: true } },
  },
  prod: {
    stage: 'prod',
    catalog: DEFAULT_CATALOG,
    rules: seedRules('prod', 'dokkerr-prod'),
    channels: {
      email: { subscribers: ['oncall@example.com'] },
      sms: { subscribers: ['+447700900123'], senderId: 'Dokkerr', monthlySpendLimitUsd: 50 },
      pagerduty: { enabled: true, minSeverity: 'critical' },
    },
    ...seedRouting(),
    externalAlarms: {
      namePrefixes: ['dokkerr-prod-'],
      mappings: [
        {
          pattern: 'dokkerr-prod-rds-.*',
          labels: { service: 'database', team: 'data', severity: 'critical' },
        },
      ],
    },
    historyRetentionDays: 90,
    logs: {
      domain: {
        kind: 'create',
        dataNodes: 3,
        instanceType: 'r7g.large.search',
        volumeSizeGiB: 100,
        dedicatedMasterNodes: 3,
        availabilityZones: 3,
      },
      logGroups: {
        application: ['/dokkerr/prod/api', '/dokkerr/prod/checkout', '/dokkerr/prod/realtime'],
        system: ['/dokkerr/prod/system'],
        access: ['/dokkerr/prod/access'],
        error: ['/dokkerr/prod/errors'],
      },
      retentionDays: 30,
    },
    ops: { emails: ['platform-ops@example.com'], sms: ['+447700900456'] },
    retainData: true,
  },
};

/** Validated config of a stage; an unknown stage names the ones that exist. */
export function loadStageConfig(stage: string): VigilConfig {
  const input = STAGE_INPUTS[stage];
  if (!input) {
    throw new ConfigError(
      `stage "${stage}" is not configured; allowed: ${Object.keys(STAGE_INPUTS).join(', ')}`,
    );
  }
  return validateConfig(input);
}

/**
 * A generated stage for checking AWS limits at scale (`cdk synth -c scaleTargets=300`): the seed
 * rules spread over `targets` alarm targets (one service each), live mitigation through the
 * stack's runbook, and log groups the stack creates. Not meant to serve real traffic.
 */
export function scaleStageInput(targets: number): VigilConfigInput {
  if (!Number.isInteger(targets) || targets < 3 || targets > 2000)
    throw new ConfigError(`scaleTargets: ${targets} must be a whole number from 3 to 2000`);
  const stage = 'scale';
  const cluster = 'dokkerr-scale';
  const rules = seedRules(stage, cluster);
  const services = Array.from({ length: targets }, (_, i) => `svc-${String(i + 1).padStart(4, '0')}`);
  const share = (i: number) => services.filter((_, s) => s % rules.length === i);
  const dimensionsFor = (ruleIndex: number, service: string): Record<string, string> =>
    ruleIndex === 0 ? { ClusterName: cluster, ServiceName: service } : { Service: service };
  return {
    stage,
    catalog: DEFAULT_CATALOG,
    rules: rules.map((rule, r) => ({
      ...rule,
      targets: share(r).map((service) => ({
        service,
        team: 'platform',
        dimensions: dimensionsFor(r, service),
      })),
    })),
    channels: {
      email: { subscribers: ['oncall-scale@example.com'] },
      sms: { subscribers: [] },
      pagerduty: { enabled: true, minSeverity: 'critical' },
    },
    ...seedRouting(),
    externalAlarms: { namePrefixes: ['dokkerr-scale-'], mappings: [] },
    logs: {
      domain: { kind: 'create', dataNodes: 1, instanceType: 't3.small.search', volumeSizeGiB: 10 },
      logGroups: {
        application: services.slice(0, 20).map((s) => `/dokkerr/scale/${s}`),
        error: ['/dokkerr/scale/errors'],
      },
      createLogGroups: true,
    },
    ops: { emails: ['platform-ops-scale@example.com'] },
    retainData: false,
    incidents: { mitigation: { enabled: true, dryRun: false } },
  };
}
