import { DEFAULT_CATALOG } from './catalog';
import type { VigilConfig, VigilConfigInput } from './schema';
import { validateConfig } from './schema';

const RUNBOOKS = 'https://runbooks.example.com/dokkerr';

/** The seed rules: the three alarms every stage starts with. */
function seedRules(cluster: string): VigilConfigInput['rules'] {
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
      // Restarting the service's tasks clears most stuck-dependency error spikes; dry run unless a stage enables it.
      mitigation: {
        kind: 'ssm-automation',
        documentName: 'AWS-RestartECSService',
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

/** Escalation by severity: warning -> Slack; critical -> Slack + email + SMS (+ PagerDuty). */
function severityRouting(pagerduty: boolean): Pick<VigilConfigInput, 'receivers' | 'route' | 'inhibitRules'> {
  return {
    receivers: {
      'team-slack': { channels: ['slack'] },
      'on-call': { channels: pagerduty ? ['slack', 'email', 'sms', 'pagerduty'] : ['slack', 'email', 'sms'] },
    },
    route: {
      receiver: 'team-slack',
      groupBy: ['alertname', 'service'],
      groupWait: '30s',
      groupInterval: '5m',
      repeatInterval: '4h',
      routes: [
        // Criticals page at once, from the alarm handler itself; the tick handles their repeats.
        { matchers: ['severity="critical"'], receiver: 'on-call', groupWait: '0', repeatInterval: '1h' },
        {
          matchers: ['severity=~"warning|info"'],
          receiver: 'team-slack',
          // Delay-then-escalate: a warning nobody acknowledges reaches email, then SMS.
          escalation: [
            { after: '15m', channels: ['email'] },
            { after: '30m', channels: ['sms'] },
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
    rules: seedRules('dokkerr-dev'),
    channels: {
      email: { subscribers: ['oncall-dev@example.com'] },
      sms: { subscribers: [] },
      pagerduty: { enabled: false },
    },
    ...severityRouting(false),
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
    },
    ops: { emails: ['platform-ops-dev@example.com'] },
    retainData: false,
    // Dev rehearses mitigation: the timeline shows what would run, nothing runs.
    incidents: { mitigation: { enabled: true, dryRun: true } },
  },
  prod: {
    stage: 'prod',
    catalog: DEFAULT_CATALOG,
    rules: seedRules('dokkerr-prod'),
    channels: {
      email: { subscribers: ['oncall@example.com'] },
      sms: { subscribers: ['+447700900123'], senderId: 'Dokkerr', monthlySpendLimitUsd: 50 },
      pagerduty: { enabled: true, minSeverity: 'critical' },
    },
    ...severityRouting(true),
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
    throw new Error(`stage "${stage}" is not configured; allowed: ${Object.keys(STAGE_INPUTS).join(', ')}`);
  }
  return validateConfig(input);
}
