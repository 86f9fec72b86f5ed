import * as z from 'zod';
import { CHANNELS, SEVERITIES } from '../../shared/domain/alert';
import { ConfigError } from '../../shared/domain/errors';
import { parseMatcher } from '../../shared/domain/matchers';
import { EVAL_COMPARISONS } from '../../shared/domain/evaluation/rule-spec';
import { INSUFFICIENT_DATA_POLICIES } from '../../shared/domain/runtime-config';
import type { MetricRange } from '../../shared/catalog/dokkerr-catalog';
import { metricRange } from '../../shared/catalog/dokkerr-catalog';
import { RESTART_ECS_PARAMETERS, restartEcsRunbookName } from './runbooks';

const name = z.string().regex(/^[a-z][a-z0-9_-]*$/, 'must be lower-case letters, digits, "_" or "-"');
// Durations are whole positive numbers of one unit: "-5m", "0m" or "1.5h" are refused, naming the field.
const durationText = z
  .string()
  .regex(/^[1-9]\d*[smhd]$/, 'must be a positive duration like "30s", "5m", "4h" or "1d"');
const durationOrZero = z
  .string()
  .regex(/^(0|[1-9]\d*[smhd])$/, 'must be 0 or a positive duration like "30s", "5m"');

/** Comparisons a rule may use, with their CloudWatch operator. */
export const COMPARISONS = {
  '>': 'GreaterThanThreshold',
  '>=': 'GreaterThanOrEqualToThreshold',
  '<': 'LessThanThreshold',
  '<=': 'LessThanOrEqualToThreshold',
} as const;

/** What an alarm does with missing datapoints (CloudWatch treatMissingData). */
export const TREAT_MISSING = ['missing', 'notBreaching', 'breaching', 'ignore'] as const;

/** Values a metric can take, when its unit does not say (percentages 0..100, other units >= 0). */
const rangeSchema = z
  .object({ min: z.number().finite().optional(), max: z.number().finite().optional() })
  .refine((r) => r.min === undefined || r.max === undefined || r.min < r.max, 'min must be below max');

const metricEntry = z.object({
  kind: z.literal('metric'),
  area: z.enum(['system', 'application', 'api', 'database', 'websocket', 'users']),
  origin: z.enum(['aws', 'app']),
  namespace: z.string().min(1),
  metricName: z.string().min(1),
  dimensions: z.array(z.string().min(1)),
  statistic: z
    .string()
    .regex(
      /^(Average|Sum|Minimum|Maximum|SampleCount|p\d{1,2}(\.\d+)?|tm\d{1,2})$/,
      'must be a CloudWatch statistic',
    ),
  unit: z.string(),
  description: z.string(),
  range: rangeSchema.optional(),
});

const mathEntry = z.object({
  kind: z.literal('math'),
  area: z.enum(['system', 'application', 'api', 'database', 'websocket', 'users']),
  expression: z.string().min(1),
  using: z.record(z.string().regex(/^[a-z][a-zA-Z0-9_]*$/, 'must be a metric-math id'), z.string()),
  unit: z.string(),
  description: z.string(),
  range: rangeSchema.optional(),
});

/** A subscribed log group: its name, or its name and the service of its lines that name none. */
const logGroupEntry = z.union([
  z.string().min(1),
  z.object({ name: z.string().min(1), service: z.string().min(1).optional() }).strict(),
]);

/** Metric catalog: names rules and dashboards refer to, mapped to their CloudWatch source. */
export const metricCatalogSchema = z.record(name, z.discriminatedUnion('kind', [metricEntry, mathEntry]));
/** Metric catalog. */
export type MetricCatalog = z.infer<typeof metricCatalogSchema>;
/** One catalog entry. */
export type CatalogEntry = MetricCatalog[string];

const targetSchema = z.object({
  service: name,
  team: name,
  /** Values of the catalog metric's dimensions for this target. */
  dimensions: z.record(z.string(), z.string()),
  labels: z.record(z.string(), z.string()).default({}),
});

/** A rule's mitigation action: an SSM Automation runbook or a Lambda function, started when its incident opens. */
const mitigationSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('ssm-automation'),
    documentName: z
      .string()
      .regex(
        /^[a-zA-Z0-9_.-]{3,128}$/,
        'must be an SSM Automation document name like vigil-prod-restart-ecs-service',
      ),
    /** Values may use {service}, {incidentId}, {ruleId} and {alarmName}. */
    parameters: z.record(z.string(), z.array(z.string())).default({}),
    /**
     * What the automation role may do for a document the stack does not ship (its steps run as
     * that role). The stack's own restart runbook gets its grants from its parameters.
     */
    automationPermissions: z
      .array(
        z.object({
          actions: z.array(z.string().min(1)).min(1),
          resources: z.array(z.string().min(1)).min(1),
        }),
      )
      .optional(),
  }),
  z.object({
    kind: z.literal('lambda'),
    functionArn: z
      .string()
      .regex(
        /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?$/,
        'must be a Lambda function ARN like arn:aws:lambda:eu-west-1:111122223333:function:name',
      ),
    payload: z.record(z.string(), z.unknown()).default({}),
  }),
]);

/** A condition as written: a comparison of a catalog metric, or all/any of nested conditions. */
export type ConditionInput =
  | { metric: string; comparison: (typeof EVAL_COMPARISONS)[number]; threshold: number }
  | { all: ConditionInput[] }
  | { any: ConditionInput[] };
const conditionInputSchema: z.ZodType<ConditionInput> = z.lazy(() =>
  z.union([
    z.strictObject({
      metric: z.string(),
      comparison: z.enum(EVAL_COMPARISONS),
      threshold: z.number().finite(),
    }),
    z.strictObject({ all: z.array(conditionInputSchema).min(1) }),
    z.strictObject({ any: z.array(conditionInputSchema).min(1) }),
  ]),
);

const ruleSchema = z.object({
  id: name,
  metric: z.string(),
  comparison: z.enum(Object.keys(COMPARISONS) as [keyof typeof COMPARISONS, ...(keyof typeof COMPARISONS)[]]),
  threshold: z.number().finite(),
  /** How long the condition must hold, e.g. "5m". */
  for: durationText,
  /** Evaluation period in seconds (60 unless the metric is coarser). */
  periodSeconds: z
    .union([z.literal(10), z.literal(30), z.literal(60), z.literal(300), z.literal(900), z.literal(3600)])
    .default(60),
  severity: z.enum(SEVERITIES),
  summary: z.string().min(1),
  runbookUrl: z.url(),
  treatMissingData: z.enum(TREAT_MISSING),
  insufficientData: z.enum(INSUFFICIENT_DATA_POLICIES).optional(),
  targets: z.array(targetSchema).min(1),
  /** Catalog metrics read next to the rule's own when its incident opens (e.g. CPU -> memory). */
  relatedMetrics: z.array(z.string()).default([]),
  /**
   * Severity from related metrics, read by the alarm handler when the alarm fires (the scheduled
   * ladder's language over the rule's metric and its `relatedMetrics`): the first level whose
   * condition holds gives the severity; none, or no answer within `alarmHandler.severityBudgetMs`,
   * leaves the rule's `severity`. @default none: the rule's severity
   */
  severityLadder: z
    .array(z.object({ severity: z.enum(SEVERITIES), when: conditionInputSchema }))
    .min(1)
    .optional(),
  /** Action run when an incident of this rule opens, if `incidents.mitigation.enabled`. @default none */
  mitigation: mitigationSchema.optional(),
});

/** How a rule is evaluated: by a CloudWatch alarm, or by the scheduled rule evaluator. */
export const RULE_ENGINES = ['alarm', 'scheduled'] as const;

const alarmRuleSchema = ruleSchema.extend({
  /** @default "alarm" */
  engine: z.literal('alarm').default('alarm'),
});

const scheduledBase = {
  id: name,
  engine: z.literal('scheduled'),
  summary: z.string().min(1),
  runbookUrl: z.url(),
  /** Pending time before firing (Prometheus `for`), whole minutes. @default "0" */
  for: durationOrZero.default('0'),
  /** Hold after recovery (Prometheus `keep_firing_for`), whole minutes. @default "0" */
  keepFiringFor: durationOrZero.default('0'),
  /** Period of the datapoints read. @default 60 */
  periodSeconds: z.union([z.literal(60), z.literal(300), z.literal(900), z.literal(3600)]).default(60),
  targets: z.array(targetSchema).min(1),
};
const severity = z.enum(SEVERITIES);

const scheduledRuleSchema = z.discriminatedUnion('kind', [
  z.object({ ...scheduledBase, kind: z.literal('expression'), severity, when: conditionInputSchema }),
  z.object({
    ...scheduledBase,
    kind: z.literal('ladder'),
    /** Checked in order; the first level whose condition holds gives the severity. */
    levels: z.array(z.object({ severity, when: conditionInputSchema })).min(1),
  }),
  z.object({
    ...scheduledBase,
    kind: z.literal('burn-rate'),
    /** Availability objective in percent, e.g. 99.9. */
    objective: z.number().gt(0).lt(100),
    /** Catalog metric counting bad events, and the one counting all events. */
    errors: z.string(),
    total: z.string(),
    windows: z
      .array(z.object({ long: durationText, short: durationText, factor: z.number().positive(), severity }))
      .min(1),
  }),
  z.object({
    ...scheduledBase,
    kind: z.literal('absence'),
    metric: z.string(),
    after: durationText,
    severity,
  }),
  z.object({
    ...scheduledBase,
    kind: z.literal('anomaly'),
    metric: z.string(),
    /** Standard deviations of the band. @default 2 */
    bandWidth: z.number().positive().default(2),
    direction: z.enum(['above', 'below', 'outside']).default('outside'),
    severity,
  }),
]);

const anyRuleSchema = z.union([alarmRuleSchema, scheduledRuleSchema]);

const receiverSchema = z.object({ channels: z.array(z.enum(CHANNELS)).min(1) });

/** A route as written in the config (Alertmanager's vocabulary, durations as text). */
export interface RouteInput {
  receiver?: string;
  matchers?: string[];
  continue?: boolean;
  routes?: RouteInput[];
  groupBy?: string[];
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
  escalation?: { after: string; channels: (typeof CHANNELS)[number][] }[];
}
const routeSchema: z.ZodType<RouteInput> = z.lazy(() =>
  z.object({
    receiver: z.string().optional(),
    matchers: z.array(z.string()).optional(),
    continue: z.boolean().optional(),
    routes: z.array(routeSchema).optional(),
    groupBy: z.array(z.string().min(1)).optional(),
    groupWait: durationOrZero.optional(),
    groupInterval: durationText.optional(),
    repeatInterval: durationText.optional(),
    escalation: z
      .array(z.object({ after: durationText, channels: z.array(z.enum(CHANNELS)).min(1) }))
      .optional(),
  }),
);

const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number like +447700900123');

/** Longest stage name: it is part of every physical name, the shortest limit being X-Ray's 32-character sampling rule. */
export const MAX_STAGE_LENGTH = 16;

/** The typed configuration of one stage. */
export const vigilConfigSchema = z.object({
  stage: name.max(
    MAX_STAGE_LENGTH,
    `must be at most ${MAX_STAGE_LENGTH} characters (it prefixes every resource name)`,
  ),
  /** Prefix of every alarm this stack creates. @default "vigil-<stage>-" */
  alarmPrefix: z.string().optional(),
  catalog: metricCatalogSchema,
  rules: z.array(anyRuleSchema),
  channels: z.object({
    slack: z.object({ webhookSecretArn: z.string().optional() }).default({}),
    email: z.object({ subscribers: z.array(z.email()).default([]) }).default({ subscribers: [] }),
    sms: z
      .object({
        subscribers: z.array(e164).default([]),
        senderId: z
          .string()
          .regex(/^[A-Za-z0-9]{1,11}$/, 'must be 1-11 letters or digits')
          .optional(),
        /**
         * The pipeline's own monthly SMS cap: the tick pauses SMS at 90 % of it. The account's SNS
         * MonthlySpendLimit is not changed by the stack (SNS refuses a value above the account's
         * spend quota, 1 USD on a new account); `vigil preflight` compares the two.
         */
        monthlySpendLimitUsd: z.number().int().positive().optional(),
      })
      .default({ subscribers: [] }),
    pagerduty: z
      .object({
        enabled: z.boolean().default(false),
        routingKeySecretArn: z.string().optional(),
        minSeverity: z.enum(SEVERITIES).default('critical'),
      })
      .default({ enabled: false, minSeverity: 'critical' }),
  }),
  receivers: z.record(name, receiverSchema),
  route: routeSchema,
  /** Inhibition: a firing source alert mutes matching targets that share the `equal` labels. */
  inhibitRules: z
    .array(
      z.object({
        sourceMatchers: z.array(z.string()).min(1),
        targetMatchers: z.array(z.string()).min(1),
        equal: z.array(z.string()).default([]),
      }),
    )
    .default([]),
  /** Storm mode: more than `threshold` new alerts on a route within `window` become one digest per interval. */
  storm: z
    .object({ threshold: z.number().int().min(1), window: durationText })
    .default({ threshold: 25, window: '5m' }),
  /** Channel budgets per second (SNS: email 10/s, SMS 20/s; Slack about 1/s per channel). */
  budgets: z
    .object({
      email: z.number().positive().default(10),
      sms: z.number().positive().default(20),
      slack: z.number().positive().default(1),
      pagerduty: z.number().positive().default(5),
    })
    .default({ email: 10, sms: 20, slack: 1, pagerduty: 5 }),
  alertListUrl: z.url().optional(),
  /** Log pipeline: which log groups go to OpenSearch, and the domain (created per stage or imported). */
  logs: z
    .object({
      domain: z.discriminatedUnion('kind', [
        z.object({
          kind: z.literal('create'),
          dataNodes: z.number().int().min(1).max(20),
          instanceType: z
            .string()
            .regex(
              /^[a-z0-9]+\.[a-z0-9]+\.search$/,
              'must be an OpenSearch instance type like t3.small.search',
            ),
          volumeSizeGiB: z.number().int().min(10).max(3000),
          dedicatedMasterNodes: z.union([z.literal(3), z.literal(5)]).optional(),
          availabilityZones: z.union([z.literal(1), z.literal(2), z.literal(3)]).default(1),
        }),
        z.object({ kind: z.literal('import'), endpoint: z.url() }),
      ]),
      // A name, or `{ name, service }` when the service is not the one derived from the name
      // (deriveServiceFromLogGroup: the last path segment unless it is a category or a stage).
      logGroups: z
        .object({
          application: z.array(logGroupEntry).default([]),
          system: z.array(logGroupEntry).default([]),
          access: z.array(logGroupEntry).default([]),
          error: z.array(logGroupEntry).default([]),
        })
        .default({ application: [], system: [], access: [], error: [] }),
      retentionDays: z.number().int().min(1).max(3650).default(30),
      /**
       * Create the configured log groups in the stack (for an application not deployed yet);
       * false: they must exist before deploy, with a free subscription-filter slot (`vigil preflight`).
       */
      createLogGroups: z.boolean().default(false),
    })
    .optional(),
  /** Who the pipeline's own failures page, straight through SNS (never through its own handlers). */
  ops: z
    .object({ emails: z.array(z.email()).default([]), sms: z.array(e164).default([]) })
    .refine((o) => o.emails.length + o.sms.length > 0, 'needs at least one email or SMS subscriber')
    .optional(),
  externalAlarms: z
    .object({
      namePrefixes: z.array(z.string().min(1)).default([]),
      mappings: z
        .array(
          z.object({
            pattern: z.string(),
            ruleId: z.string().optional(),
            labels: z.record(z.string(), z.string()),
          }),
        )
        .default([]),
      /** Also accept alarms published to the intake SNS topic. */
      snsIntake: z.boolean().default(true),
    })
    .default({ namePrefixes: [], mappings: [], snsIntake: true }),
  defaultLabels: z
    .record(z.string(), z.string())
    .default({ service: 'unknown', team: 'unassigned', severity: 'warning' }),
  insufficientData: z.enum(INSUFFICIENT_DATA_POLICIES).default('keep'),
  historyRetentionDays: z.number().int().min(1).max(3650).default(30),
  dashboardUrl: z.url().optional(),
  alarmHandler: z
    .object({
      memorySize: z.number().int().min(128).max(10240).default(256),
      retryAttempts: z.number().int().min(0).max(2).default(2),
      maxEventAgeMinutes: z.number().int().min(1).max(360).default(360),
      /**
       * How long the handler may read a severity ladder's metrics before it pages; past it the
       * rule's own severity stands. It adds at most this much to the time to page.
       */
      severityBudgetMs: z.number().int().min(100).max(5000).default(1000),
    })
    .prefault({}),
  /**
   * Reserved concurrency per Lambda: the alarm path keeps its share when a log burst fills the
   * account, and the indexer cannot take more than its own. Lambda keeps 10 unreserved, so the
   * account's concurrency quota must be at least their sum + 10 (`vigil preflight` checks it).
   */
  reservedConcurrency: z
    .object({
      alarmHandler: z.number().int().min(1).max(1000).default(10),
      tick: z.number().int().min(1).max(10).default(2),
      ruleEvaluator: z.number().int().min(1).max(10).default(2),
      logIndexer: z.number().int().min(1).max(1000).default(5),
      /** The action endpoint; with the API's throttling it caps what a flood of requests can cost. */
      actionEndpoint: z.number().int().min(1).max(100).default(2),
    })
    .prefault({}),
  /**
   * Acting from the messages: the action endpoint (an API Gateway HTTP API) takes Slack button
   * clicks, PagerDuty webhooks and the signed one-click links of emails and SMS.
   */
  actions: z
    .object({
      enabled: z.boolean().default(true),
      /** How long an email or SMS link works. */
      linkTtl: durationText.default('24h'),
      /** The longest a "silence until resolved" lasts when its alerts never resolve. */
      silenceUntilResolvedMax: durationText.default('7d'),
      /** API Gateway throttling of the endpoint: steady requests per second and the burst above it. */
      rateLimit: z
        .object({
          perSecond: z.number().int().min(1).max(1000).default(10),
          burst: z.number().int().min(1).max(5000).default(20),
        })
        .prefault({}),
      /** Complete ARN of an existing secret with the Slack app's signing secret. @default created without a value */
      slackSigningSecretArn: z.string().optional(),
      /** Complete ARN of an existing secret with the PagerDuty webhook's signing secret. @default created without a value */
      pagerdutyWebhookSecretArn: z.string().optional(),
    })
    .prefault({}),
  /** Keep data (table, keys) when the stack is deleted. */
  retainData: z.boolean().default(true),
  /** Incidents: criticals (or escalations) open one per service, with diagnostics and guarded mitigation. */
  incidents: z
    .object({
      minSeverity: z.enum(SEVERITIES).default('critical'),
      openOnEscalation: z.boolean().default(false),
      /** A linked alert firing again this soon after the incident resolved reopens it. */
      reopenWithin: durationOrZero.default('30m'),
      /** Days resolved incidents are kept. */
      retentionDays: z.number().int().min(1).max(3650).default(90),
      /** How far back diagnostics look. */
      diagnosticsWindow: durationText.default('30m'),
      /** Time budget of each diagnostics source (ms); the page waits at most this long. */
      diagnosticsBudgetMs: z
        .object({
          metrics: z.number().int().min(100).max(10_000).default(4000),
          logs: z.number().int().min(100).max(10_000).default(4000),
          traces: z.number().int().min(100).max(10_000).default(4000),
        })
        .prefault({}),
      mitigation: z
        .object({
          enabled: z.boolean().default(false),
          dryRun: z.boolean().default(true),
          maxPerHour: z.number().int().min(1).max(100).default(3),
        })
        .prefault({}),
    })
    .prefault({}),
});

/** A stage's config as written (defaults not yet applied). */
export type VigilConfigInput = z.input<typeof vigilConfigSchema>;
/** A validated stage config. */
export type VigilConfig = z.output<typeof vigilConfigSchema>;
/** One rule evaluated by a CloudWatch alarm. */
export type RuleConfig = Extract<VigilConfig['rules'][number], { engine: 'alarm' }>;
/** One rule evaluated by the scheduled rule evaluator. */
export type ScheduledRuleConfig = Extract<VigilConfig['rules'][number], { engine: 'scheduled' }>;
/** A condition of a scheduled rule, validated. */
export type ScheduledCondition = ConditionInput;

/** True for a rule the scheduled evaluator runs. */
export function isScheduledRule(rule: VigilConfig['rules'][number]): rule is ScheduledRuleConfig {
  return rule.engine === 'scheduled';
}

/** The rules CloudWatch alarms evaluate. */
export function alarmRules(config: VigilConfig): RuleConfig[] {
  return config.rules.filter((r): r is RuleConfig => r.engine === 'alarm');
}

const RULE_ID = /^[a-z][a-z0-9_-]*$/;

/**
 * How errors name a rule: by its id (`rules[high-cpu]`), or by position (`rules[3]`) when it has no
 * usable id or shares it with another rule.
 */
export function ruleField(rules: unknown, index: number): string {
  const list: unknown[] = Array.isArray(rules) ? rules : [];
  const idOf = (rule: unknown): string | undefined =>
    typeof rule === 'object' &&
    rule !== null &&
    'id' in rule &&
    typeof rule.id === 'string' &&
    RULE_ID.test(rule.id)
      ? rule.id
      : undefined;
  const id = idOf(list[index]);
  const shared = id !== undefined && list.filter((r) => idOf(r) === id).length > 1;
  return id === undefined || shared ? `rules[${index}]` : `rules[${id}]`;
}

// A zod path as the config is written, rules named by id: `rules[high-cpu].targets[0].dimensions`.
function formatPath(path: readonly PropertyKey[], input: unknown): string {
  const rules = typeof input === 'object' && input !== null && 'rules' in input ? input.rules : undefined;
  let out = '';
  for (const [i, key] of path.entries()) {
    if (i === 1 && path[0] === 'rules' && typeof key === 'number') out = ruleField(rules, key);
    else if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/** Parses "5m" (or "0") into seconds. */
export function durationSeconds(text: string): number {
  if (text === '0') return 0;
  const unit = text.slice(-1);
  const n = Number(text.slice(0, -1));
  const factor = unit === 's' ? 1 : unit === 'm' ? 60 : unit === 'h' ? 3600 : 86_400;
  return n * factor;
}

function fail(stage: string, field: string, message: string): never {
  throw new ConfigError(`config(${stage}) ${field}: ${message}`);
}

function checkRoute(
  stage: string,
  route: RouteInput,
  receivers: Record<string, unknown>,
  field: string,
): void {
  if (route.receiver !== undefined && !(route.receiver in receivers)) {
    fail(
      stage,
      `${field}.receiver`,
      `"${route.receiver}" is not a receiver; allowed: ${Object.keys(receivers).join(', ')}`,
    );
  }
  (route.matchers ?? []).forEach((m, i) => parseMatcher(m, `config(${stage}) ${field}.matchers[${i}]`));
  if (route.groupInterval !== undefined && route.repeatInterval !== undefined) {
    if (durationSeconds(route.repeatInterval) < durationSeconds(route.groupInterval)) {
      fail(
        stage,
        `${field}.repeatInterval`,
        `"${route.repeatInterval}" must not be shorter than groupInterval "${route.groupInterval}"`,
      );
    }
  }
  (route.routes ?? []).forEach((child, i) => checkRoute(stage, child, receivers, `${field}.routes[${i}]`));
}

/** Dimension names a catalog metric (or the metrics a math entry uses) needs. */
export function dimensionsNeeded(catalog: MetricCatalog, metric: string): string[] {
  const entry = catalog[metric];
  if (entry === undefined) return [];
  if (entry.kind === 'metric') return entry.dimensions;
  return [
    ...new Set(
      Object.values(entry.using).flatMap((ref) => {
        const used = catalog[ref];
        return used?.kind === 'metric' ? used.dimensions : [];
      }),
    ),
  ];
}

/** One comparison inside a condition, with the field that holds it (e.g. `when.all[1]`). */
export interface ComparisonAt {
  readonly field: string;
  readonly metric: string;
  readonly comparison: (typeof EVAL_COMPARISONS)[number];
  readonly threshold: number;
}

/** Every comparison of a condition, depth first, each with its field. */
export function comparisonsOf(c: ConditionInput, field: string): ComparisonAt[] {
  if ('all' in c) return c.all.flatMap((p, i) => comparisonsOf(p, `${field}.all[${i}]`));
  if ('any' in c) return c.any.flatMap((p, i) => comparisonsOf(p, `${field}.any[${i}]`));
  return [{ field, metric: c.metric, comparison: c.comparison, threshold: c.threshold }];
}

function rangeText(range: MetricRange): string {
  if (range.min !== undefined && range.max !== undefined) return `${range.min}..${range.max}`;
  if (range.min !== undefined) return `>= ${range.min}`;
  return range.max !== undefined ? `<= ${range.max}` : 'any value';
}

/**
 * Why a threshold makes no sense for its catalog metric: it lies outside the values the metric takes
 * (percentages 0..100, counts and latencies never negative), or the comparison can never hold
 * (`> 100` on a percentage). Undefined when it makes sense or the metric is not in the catalog.
 */
export function thresholdProblem(
  catalog: MetricCatalog,
  metric: string,
  comparison: string,
  threshold: number,
): string | undefined {
  const entry = catalog[metric];
  if (entry === undefined) return undefined;
  const range = metricRange(entry);
  const { min, max } = range;
  const unit = entry.unit ? ` ${entry.unit}` : '';
  if ((min !== undefined && threshold < min) || (max !== undefined && threshold > max)) {
    return `${threshold} is outside the values ${metric} takes (${rangeText(range)}${unit})`;
  }
  if (
    (comparison === '>' && max !== undefined && threshold >= max) ||
    (comparison === '<' && min !== undefined && threshold <= min)
  ) {
    return `"${comparison} ${threshold}" can never hold: ${metric} takes ${rangeText(range)}${unit}`;
  }
  return undefined;
}

/** Catalog metrics a scheduled rule reads, each with the field that names it. */
export function scheduledRuleMetrics(rule: ScheduledRuleConfig): { field: string; metric: string }[] {
  const walk = (c: ConditionInput, field: string): { field: string; metric: string }[] =>
    comparisonsOf(c, field).map((m) => ({ field: `${m.field}.metric`, metric: m.metric }));
  switch (rule.kind) {
    case 'expression':
      return walk(rule.when, 'when');
    case 'ladder':
      return rule.levels.flatMap((l, i) => walk(l.when, `levels[${i}].when`));
    case 'burn-rate':
      return [
        { field: 'errors', metric: rule.errors },
        { field: 'total', metric: rule.total },
      ];
    case 'absence':
    case 'anomaly':
      return [{ field: 'metric', metric: rule.metric }];
  }
}

function checkScheduledRule(
  stage: string,
  config: VigilConfig,
  rule: ScheduledRuleConfig,
  field: string,
): void {
  const catalogNames = Object.keys(config.catalog);
  const metrics = scheduledRuleMetrics(rule);
  for (const m of metrics) {
    if (!config.catalog[m.metric]) {
      fail(
        stage,
        `${field}.${m.field}`,
        `"${m.metric}" is not in the metric catalog; allowed: ${catalogNames.join(', ')}`,
      );
    }
  }
  const conditions =
    rule.kind === 'expression'
      ? comparisonsOf(rule.when, 'when')
      : rule.kind === 'ladder'
        ? rule.levels.flatMap((l, i) => comparisonsOf(l.when, `levels[${i}].when`))
        : [];
  for (const c of conditions) {
    const problem = thresholdProblem(config.catalog, c.metric, c.comparison, c.threshold);
    if (problem) fail(stage, `${field}.${c.field}.threshold`, problem);
  }
  for (const key of ['for', 'keepFiringFor'] as const) {
    const seconds = durationSeconds(rule[key]);
    if (seconds % 60 !== 0) {
      fail(
        stage,
        `${field}.${key}`,
        `"${rule[key]}" must be whole minutes: the evaluator runs once a minute`,
      );
    }
  }
  const windowOf = (text: string, at: string): void => {
    const seconds = durationSeconds(text);
    if (seconds < rule.periodSeconds || seconds % rule.periodSeconds !== 0 || seconds > 86_400) {
      fail(
        stage,
        `${field}.${at}`,
        `"${text}" must be a whole multiple of periodSeconds (${rule.periodSeconds}s) and at most 1d`,
      );
    }
  };
  if (rule.kind === 'absence') windowOf(rule.after, 'after');
  if (rule.kind === 'burn-rate') {
    rule.windows.forEach((w, i) => {
      windowOf(w.long, `windows[${i}].long`);
      windowOf(w.short, `windows[${i}].short`);
      if (durationSeconds(w.short) >= durationSeconds(w.long)) {
        fail(stage, `${field}.windows[${i}].short`, `"${w.short}" must be shorter than long "${w.long}"`);
      }
    });
  }
  const services = new Set<string>();
  rule.targets.forEach((target, t) => {
    for (const m of metrics) {
      const missing = dimensionsNeeded(config.catalog, m.metric).filter((d) => !(d in target.dimensions));
      if (missing.length > 0) {
        fail(
          stage,
          `${field}.targets[${t}].dimensions`,
          `missing ${missing.join(', ')} required by metric "${m.metric}"`,
        );
      }
    }
    if (services.has(target.service))
      fail(stage, `${field}.targets[${t}].service`, `"${target.service}" appears twice`);
    services.add(target.service);
  });
}

// A ladder reads what the rule already names: its metric and its related metrics, whose dimensions
// the targets are known to give.
function checkSeverityLadder(stage: string, config: VigilConfig, rule: RuleConfig, field: string): void {
  const readable = [rule.metric, ...rule.relatedMetrics];
  (rule.severityLadder ?? []).forEach((level, l) => {
    for (const c of comparisonsOf(level.when, `severityLadder[${l}].when`)) {
      if (!readable.includes(c.metric)) {
        fail(
          stage,
          `${field}.${c.field}.metric`,
          `"${c.metric}" is neither the rule's metric nor one of its relatedMetrics; allowed: ${readable.join(', ')}`,
        );
      }
      const problem = thresholdProblem(config.catalog, c.metric, c.comparison, c.threshold);
      if (problem) fail(stage, `${field}.${c.field}.threshold`, problem);
    }
  });
}

// The stack's own runbook gets its grants from its parameters; any other runbook's steps run as the
// automation role, which may do only what the config lists.
function checkMitigation(config: VigilConfig): void {
  const { stage } = config;
  const live = config.incidents.mitigation.enabled && !config.incidents.mitigation.dryRun;
  config.rules.forEach((rule, i) => {
    if (isScheduledRule(rule) || rule.mitigation?.kind !== 'ssm-automation') return;
    const action = rule.mitigation;
    const field = `${ruleField(config.rules, i)}.mitigation`;
    if (action.documentName === restartEcsRunbookName(stage)) {
      for (const key of Object.keys(action.parameters)) {
        if (!(RESTART_ECS_PARAMETERS as readonly string[]).includes(key))
          fail(stage, `${field}.parameters.${key}`, `unknown; allowed: ${RESTART_ECS_PARAMETERS.join(', ')}`);
      }
      const cluster = action.parameters['ClusterName'];
      if (cluster?.length !== 1 || cluster[0] === undefined || /[{}*]/.test(cluster[0]))
        fail(stage, `${field}.parameters.ClusterName`, 'must be one cluster name, without placeholders');
      if (action.parameters['ServiceName']?.length !== 1)
        fail(stage, `${field}.parameters.ServiceName`, 'must be one service name, e.g. "{service}"');
      if (action.automationPermissions !== undefined)
        fail(stage, `${field}.automationPermissions`, 'the stack grants its own runbook what it needs');
    } else if (live && action.automationPermissions === undefined) {
      fail(
        stage,
        `${field}.automationPermissions`,
        `"${action.documentName}" is not shipped by the stack: list the actions and resources its steps use, or it runs with a role that may do nothing`,
      );
    }
  });
}

type Issue = { path: PropertyKey[]; message: string; code?: string; errors?: Issue[][] };

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let at: unknown = input;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}

// A rule that fails both engines' shapes: report the issue of the engine it names (alarm unless it
// says "scheduled"), with its full path, instead of zod's bare "Invalid input".
function unionBranchIssue(issue: Issue, input: unknown): Issue | undefined {
  if (issue.code !== 'invalid_union' || issue.errors === undefined) return undefined;
  const value = valueAt(input, issue.path);
  const engine = value !== null && typeof value === 'object' && 'engine' in value ? value.engine : 'alarm';
  const branch = issue.errors[engine === 'scheduled' ? 1 : 0] ?? issue.errors[0];
  const first = branch?.[0];
  if (first === undefined) return undefined;
  const full = { ...first, path: [...issue.path, ...first.path] };
  return unionBranchIssue(full, input) ?? full;
}

/** Validates a stage config: schema, then cross-references (metrics, dimensions, receivers, names). */
export function validateConfig(input: unknown): VigilConfig {
  const stage =
    typeof input === 'object' && input !== null && 'stage' in input && typeof input.stage === 'string'
      ? input.stage
      : '?';
  const parsed = vigilConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const inner = issue ? unionBranchIssue(issue, input) : undefined;
    if (inner) fail(stage, formatPath(inner.path, input) || '(root)', inner.message);
    fail(stage, issue ? formatPath(issue.path, input) || '(root)' : '(root)', issue?.message ?? 'invalid');
  }
  const config = parsed.data;
  const catalogNames = Object.keys(config.catalog);
  for (const [entryName, entry] of Object.entries(config.catalog)) {
    if (entry.kind !== 'math') continue;
    for (const [id, ref] of Object.entries(entry.using)) {
      const used = config.catalog[ref];
      if (!used) fail(stage, `catalog.${entryName}.using.${id}`, `"${ref}" is not in the metric catalog`);
      if (used.kind !== 'metric')
        fail(stage, `catalog.${entryName}.using.${id}`, `"${ref}" must be a plain metric, not math`);
    }
  }
  const ruleIds = new Set<string>();
  config.rules.forEach((rule, i) => {
    const field = ruleField(config.rules, i);
    if (ruleIds.has(rule.id)) fail(stage, `${field}.id`, `"${rule.id}" is used by another rule`);
    ruleIds.add(rule.id);
    if (rule.engine === 'scheduled') {
      checkScheduledRule(stage, config, rule, field);
      return;
    }
    const entry = config.catalog[rule.metric];
    if (!entry) {
      fail(
        stage,
        `${field}.metric`,
        `"${rule.metric}" is not in the metric catalog; allowed: ${catalogNames.join(', ')}`,
      );
    }
    const problem = thresholdProblem(config.catalog, rule.metric, rule.comparison, rule.threshold);
    if (problem) fail(stage, `${field}.threshold`, problem);
    const forSeconds = durationSeconds(rule.for);
    if (forSeconds < rule.periodSeconds || forSeconds % rule.periodSeconds !== 0) {
      fail(
        stage,
        `${field}.for`,
        `"${rule.for}" must be a whole multiple of periodSeconds (${rule.periodSeconds}s)`,
      );
    }
    if ((forSeconds / rule.periodSeconds) * rule.periodSeconds > 86_400) {
      fail(stage, `${field}.for`, `"${rule.for}" exceeds the 1 day CloudWatch evaluates`);
    }
    const needed =
      entry.kind === 'metric'
        ? entry.dimensions
        : [
            ...new Set(
              Object.values(entry.using).flatMap((ref) => {
                const used = config.catalog[ref];
                return used?.kind === 'metric' ? used.dimensions : [];
              }),
            ),
          ];
    const services = new Set<string>();
    rule.targets.forEach((target, t) => {
      const missing = needed.filter((d) => !(d in target.dimensions));
      if (missing.length > 0) {
        fail(
          stage,
          `${field}.targets[${t}].dimensions`,
          `missing ${missing.join(', ')} required by metric "${rule.metric}"`,
        );
      }
      if (services.has(target.service))
        fail(stage, `${field}.targets[${t}].service`, `"${target.service}" appears twice`);
      services.add(target.service);
    });
  });
  config.rules.forEach((rule, i) => {
    if (isScheduledRule(rule)) return;
    rule.relatedMetrics.forEach((related, r) => {
      const field = `${ruleField(config.rules, i)}.relatedMetrics[${r}]`;
      if (!config.catalog[related])
        fail(stage, field, `"${related}" is not in the metric catalog; allowed: ${catalogNames.join(', ')}`);
      const needed = dimensionsNeeded(config.catalog, related);
      rule.targets.forEach((target, t) => {
        const known = { Service: target.service, ...target.dimensions };
        const missing = needed.filter((d) => !(d in known));
        if (missing.length > 0) {
          fail(
            stage,
            field,
            `"${related}" needs ${missing.join(', ')}, which targets[${t}] (${target.service}) does not give in its dimensions`,
          );
        }
      });
    });
  });
  config.rules.forEach((rule, i) => {
    if (isScheduledRule(rule)) return;
    checkSeverityLadder(stage, config, rule, ruleField(config.rules, i));
  });
  checkMitigation(config);
  checkRoute(stage, config.route, config.receivers, 'route');
  if (config.route.receiver === undefined)
    fail(stage, 'route.receiver', 'the root route needs a receiver (the default route)');
  config.inhibitRules.forEach((rule, i) => {
    rule.sourceMatchers.forEach((m, j) =>
      parseMatcher(m, `config(${stage}) inhibitRules[${i}].sourceMatchers[${j}]`),
    );
    rule.targetMatchers.forEach((m, j) =>
      parseMatcher(m, `config(${stage}) inhibitRules[${i}].targetMatchers[${j}]`),
    );
  });
  config.externalAlarms.mappings.forEach((m, i) => {
    parseMatcher(
      `x=~"${m.pattern.replace(/"/g, '\\"')}"`,
      `config(${stage}) externalAlarms.mappings[${i}].pattern`,
    );
    if (m.ruleId !== undefined && !ruleIds.has(m.ruleId)) {
      fail(stage, `externalAlarms.mappings[${i}].ruleId`, `"${m.ruleId}" is not a rule id`);
    }
  });
  const prefix = config.alarmPrefix ?? `vigil-${config.stage}-`;
  config.externalAlarms.namePrefixes.forEach((p, i) => {
    if (p.startsWith(prefix) || prefix.startsWith(p)) {
      fail(
        stage,
        `externalAlarms.namePrefixes[${i}]`,
        `"${p}" overlaps the stack's own alarm prefix "${prefix}"`,
      );
    }
  });
  return config;
}
