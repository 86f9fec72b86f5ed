import * as z from 'zod';
import { CHANNELS, SEVERITIES } from './alert';
import { ConfigError } from './errors';
import { evaluatorConfigSchema, severityLadderSchema } from './evaluation/rule-spec';
import type { Matcher } from './matchers';
import { MATCHER_OPS } from './matchers';
import type { RouteNode } from './routing';

/** How an INSUFFICIENT_DATA state is treated: keep the current status, resolve, or fire. */
export const INSUFFICIENT_DATA_POLICIES = ['keep', 'resolve', 'alarm'] as const;
/** An INSUFFICIENT_DATA policy. */
export type InsufficientDataPolicy = (typeof INSUFFICIENT_DATA_POLICIES)[number];

const labelsSchema = z.record(z.string(), z.string());

const matcherSchema: z.ZodType<Matcher> = z.object({
  label: z.string().min(1),
  op: z.enum(MATCHER_OPS),
  value: z.string(),
});

const routeNodeSchema: z.ZodType<RouteNode> = z.lazy(() =>
  z.object({
    receiver: z.string().optional(),
    matchers: z.array(matcherSchema),
    continue: z.boolean(),
    routes: z.array(routeNodeSchema),
    groupBy: z.array(z.string()).optional(),
    groupWaitSeconds: z.number().int().min(0).optional(),
    groupIntervalSeconds: z.number().int().min(1).optional(),
    repeatIntervalSeconds: z.number().int().min(1).optional(),
    escalation: z
      .array(z.object({ afterSeconds: z.number().int().min(1), channels: z.array(z.enum(CHANNELS)) }))
      .optional(),
  }),
);

const inhibitRuleSchema = z.object({
  sourceMatchers: z.array(matcherSchema),
  targetMatchers: z.array(matcherSchema),
  /** Labels that must be equal on source and target. */
  equal: z.array(z.string()),
});

const ruleRuntimeSchema = z.object({
  severity: z.enum(SEVERITIES),
  summary: z.string(),
  description: z.string().optional(),
  runbookUrl: z.string().optional(),
  threshold: z.number().optional(),
  comparison: z.string().optional(),
  unit: z.string().optional(),
  insufficientData: z.enum(INSUFFICIENT_DATA_POLICIES).optional(),
  labels: labelsSchema,
});

const metricStatSchema = z.object({
  namespace: z.string().min(1),
  metricName: z.string().min(1),
  dimensions: z.record(z.string(), z.string()),
  stat: z.string().min(1),
});

/** One metric an incident's diagnostics read: the alarm's own or a related one (a catalog entry). */
export const diagnosticsMetricSchema = z.object({
  /** Catalog name, e.g. `memory_usage`. */
  name: z.string().min(1),
  role: z.enum(['alarm', 'related']),
  unit: z.string(),
  metric: metricStatSchema.optional(),
  /** Metric math over plain metrics (ids as in the catalog's `using`). */
  math: z.object({ expression: z.string().min(1), using: z.record(z.string(), metricStatSchema) }).optional(),
});

/** A mitigation action a rule may run when its incident opens. */
export const mitigationActionSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('ssm-automation'),
    documentName: z.string().min(1),
    parameters: z.record(z.string(), z.array(z.string())).default({}),
  }),
  z.object({
    kind: z.literal('lambda'),
    functionArn: z.string().min(1),
    payload: z.record(z.string(), z.unknown()).default({}),
  }),
]);

/** Incidents: what opens one, how long it is kept, its evidence and its guarded mitigation. */
export const incidentsRuntimeSchema = z.object({
  /** Alerts at or above this severity open (or join) their service's incident. */
  minSeverity: z.enum(SEVERITIES).default('critical'),
  /** An escalation notification of a lower-severity alert opens an incident too. */
  openOnEscalation: z.boolean().default(false),
  /** A linked alert firing again this soon after the incident resolved reopens it. */
  reopenWindowSeconds: z.number().int().min(0).default(1800),
  /** Days a resolved incident is kept. */
  retentionDays: z.number().int().min(1).default(90),
  diagnostics: z
    .object({
      windowSeconds: z.number().int().min(60).default(1800),
      /** Time budget of each source; a slower source yields a note, never a late page. */
      budgetMs: z
        .object({
          metrics: z.number().int().min(100).default(4000),
          logs: z.number().int().min(100).default(4000),
          traces: z.number().int().min(100).default(4000),
        })
        .default({ metrics: 4000, logs: 4000, traces: 4000 }),
    })
    .default({ windowSeconds: 1800, budgetMs: { metrics: 4000, logs: 4000, traces: 4000 } }),
  mitigation: z
    .object({
      enabled: z.boolean().default(false),
      dryRun: z.boolean().default(true),
      maxPerHour: z.number().int().min(1).default(3),
    })
    .default({ enabled: false, dryRun: true, maxPerHour: 3 }),
  /** Metrics each alarm's diagnostics read, by alarm name. */
  metrics: z.record(z.string(), z.array(diagnosticsMetricSchema)).default({}),
  /** Mitigation action per rule id. */
  actions: z.record(z.string(), mitigationActionSchema).default({}),
});

/** Runtime incident settings. */
export type IncidentsRuntime = z.infer<typeof incidentsRuntimeSchema>;
/** A metric the diagnostics read. */
export type DiagnosticsMetric = z.infer<typeof diagnosticsMetricSchema>;
/** A mitigation action. */
export type MitigationAction = z.infer<typeof mitigationActionSchema>;

/** Runtime configuration of the Lambdas: derived from the typed stage config at synth time. */
export const runtimeConfigSchema = z.object({
  stage: z.string().min(1),
  dashboardUrl: z.string().optional(),
  historyRetentionDays: z.number().int().positive(),
  insufficientData: z.enum(INSUFFICIENT_DATA_POLICIES),
  /** Seconds an invocation holds its claim on an outbox before another may take it over. */
  claimSeconds: z.number().int().positive(),
  rules: z.record(z.string(), ruleRuntimeSchema),
  alarms: z.record(
    z.string(),
    z.object({
      ruleId: z.string(),
      labels: labelsSchema,
      /** `scheduled`: a synthetic alarm of the rule evaluator, with no CloudWatch alarm behind it. */
      engine: z.enum(['alarm', 'scheduled']).optional(),
      /** Severity from related metrics, read by the alarm handler when the alarm fires. @default - the rule's */
      severityLadder: severityLadderSchema.optional(),
    }),
  ),
  /**
   * Time the alarm handler may spend reading a severity ladder's metrics before the page; past it
   * the rule's own severity stands (a firing alert keeps the one it has).
   */
  severityBudgetMs: z.number().int().min(50).default(1000),
  external: z.object({
    mappings: z.array(z.object({ pattern: z.string(), ruleId: z.string().optional(), labels: labelsSchema })),
    defaultLabels: labelsSchema,
  }),
  route: routeNodeSchema,
  receivers: z.record(z.string(), z.object({ channels: z.array(z.enum(CHANNELS)) })),
  inhibitRules: z.array(inhibitRuleSchema).default([]),
  /** More than `threshold` new alerts on a route within `windowSeconds` collapses into digests. */
  storm: z.object({ threshold: z.number().int().min(1), windowSeconds: z.number().int().min(1) }).default({
    threshold: 25,
    windowSeconds: 300,
  }),
  /** Channel send budgets; what exceeds one waits for (and folds into) the next notification. */
  budgets: z
    .object({
      perSecond: z.partialRecord(z.enum(CHANNELS), z.number().positive()),
      /** Monthly SMS spend (USD) at which SMS pauses and its messages go to email instead. */
      smsMonthlySpendCapUsd: z.number().positive().optional(),
    })
    .default({ perSecond: { email: 10, sms: 20, slack: 1, pagerduty: 5 } }),
  /** Link to the full alert list, used in storm digests. */
  alertListUrl: z.string().optional(),
  /** Firing alerts unchanged for `staleAfterSeconds` are checked against CloudWatch every `everySeconds`. */
  reconcile: z
    .object({ staleAfterSeconds: z.number().int().min(60), everySeconds: z.number().int().min(60) })
    .default({ staleAfterSeconds: 21_600, everySeconds: 900 }),
  /** SMS sender id (where the destination country supports one). */
  smsSenderId: z.string().optional(),
  /** Scheduled rules the evaluator runs every minute. */
  evaluator: evaluatorConfigSchema.default({ instances: [], timeoutSeconds: 20 }),
  /** Incidents; absent: alerts open no incidents. */
  incidents: incidentsRuntimeSchema.optional(),
  /** Acting from the messages (Slack buttons, PagerDuty webhooks, signed links); absent: off. */
  actions: z
    .object({
      /** How long an email or SMS link works. */
      linkTtlSeconds: z.number().int().min(60),
      /** The longest a "silence until resolved" lasts when the alert never resolves. */
      silenceUntilResolvedMaxSeconds: z.number().int().min(3600),
    })
    .optional(),
});

/** An inhibition rule. */
export type InhibitRule = z.infer<typeof inhibitRuleSchema>;

/** Runtime configuration. */
export type RuntimeConfig = z.infer<typeof runtimeConfigSchema>;
/** Runtime view of one rule. */
export type RuleRuntime = z.infer<typeof ruleRuntimeSchema>;

/** Validates a runtime configuration document, naming the first bad field. */
export function parseRuntimeConfig(input: unknown): RuntimeConfig {
  const parsed = runtimeConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
    throw new ConfigError(`runtime config: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
