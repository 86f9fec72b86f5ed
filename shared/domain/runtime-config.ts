import * as z from 'zod/mini';
import { CHANNELS, SEVERITIES } from './alert';
import { ConfigError } from './errors';
import { evaluatorConfigSchema, severityLadderSchema } from './evaluation/rule-spec';
import type { Matcher } from './matchers';
import { MATCHER_OPS } from './matchers';
import type { RouteNode } from './routing';
import './zod-locale';

/** How an INSUFFICIENT_DATA state is treated: keep the current status, resolve, or fire. */
export const INSUFFICIENT_DATA_POLICIES = ['keep', 'resolve', 'alarm'] as const;
/** An INSUFFICIENT_DATA policy. */
export type InsufficientDataPolicy = (typeof INSUFFICIENT_DATA_POLICIES)[number];

const labelsSchema = z.record(z.string(), z.string());

const matcherSchema: z.ZodMiniType<Matcher> = z.object({
  label: z.string().check(z.minLength(1)),
  op: z.enum(MATCHER_OPS),
  value: z.string(),
});

const routeNodeSchema: z.ZodMiniType<RouteNode> = z.lazy(() =>
  z.object({
    receiver: z.optional(z.string()),
    matchers: z.array(matcherSchema),
    continue: z.boolean(),
    routes: z.array(routeNodeSchema),
    groupBy: z.optional(z.array(z.string())),
    groupWaitSeconds: z.optional(z.number().check(z.int(), z.gte(0))),
    groupIntervalSeconds: z.optional(z.number().check(z.int(), z.gte(1))),
    repeatIntervalSeconds: z.optional(z.number().check(z.int(), z.gte(1))),
    escalation: z.optional(
      z.array(
        z.object({ afterSeconds: z.number().check(z.int(), z.gte(1)), channels: z.array(z.enum(CHANNELS)) }),
      ),
    ),
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
  description: z.optional(z.string()),
  runbookUrl: z.optional(z.string()),
  threshold: z.optional(z.number()),
  comparison: z.optional(z.string()),
  unit: z.optional(z.string()),
  insufficientData: z.optional(z.enum(INSUFFICIENT_DATA_POLICIES)),
  labels: labelsSchema,
});

const metricStatSchema = z.object({
  namespace: z.string().check(z.minLength(1)),
  metricName: z.string().check(z.minLength(1)),
  dimensions: z.record(z.string(), z.string()),
  stat: z.string().check(z.minLength(1)),
});

/** One metric an incident's diagnostics read: the alarm's own or a related one (a catalog entry). */
export const diagnosticsMetricSchema = z.object({
  /** Catalog name, e.g. `memory_usage`. */
  name: z.string().check(z.minLength(1)),
  role: z.enum(['alarm', 'related']),
  unit: z.string(),
  metric: z.optional(metricStatSchema),
  /** Metric math over plain metrics (ids as in the catalog's `using`). */
  math: z.optional(
    z.object({ expression: z.string().check(z.minLength(1)), using: z.record(z.string(), metricStatSchema) }),
  ),
});

/** A mitigation action a rule may run when its incident opens. */
export const mitigationActionSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('ssm-automation'),
    documentName: z.string().check(z.minLength(1)),
    parameters: z._default(z.record(z.string(), z.array(z.string())), {}),
  }),
  z.object({
    kind: z.literal('lambda'),
    functionArn: z.string().check(z.minLength(1)),
    payload: z._default(z.record(z.string(), z.unknown()), {}),
  }),
]);

/** Incidents: what opens one, how long it is kept, its evidence and its guarded mitigation. */
export const incidentsRuntimeSchema = z.object({
  /** Alerts at or above this severity open (or join) their service's incident. */
  minSeverity: z._default(z.enum(SEVERITIES), 'critical'),
  /** An escalation notification of a lower-severity alert opens an incident too. */
  openOnEscalation: z._default(z.boolean(), false),
  /** A linked alert firing again this soon after the incident resolved reopens it. */
  reopenWindowSeconds: z._default(z.number().check(z.int(), z.gte(0)), 1800),
  /** Days a resolved incident is kept. */
  retentionDays: z._default(z.number().check(z.int(), z.gte(1)), 90),
  diagnostics: z._default(
    z.object({
      windowSeconds: z._default(z.number().check(z.int(), z.gte(60)), 1800),
      /** Time budget of each source; a slower source yields a note, never a late page. */
      budgetMs: z._default(
        z.object({
          metrics: z._default(z.number().check(z.int(), z.gte(100)), 4000),
          logs: z._default(z.number().check(z.int(), z.gte(100)), 4000),
          traces: z._default(z.number().check(z.int(), z.gte(100)), 4000),
        }),
        { metrics: 4000, logs: 4000, traces: 4000 },
      ),
    }),
    { windowSeconds: 1800, budgetMs: { metrics: 4000, logs: 4000, traces: 4000 } },
  ),
  mitigation: z._default(
    z.object({
      enabled: z._default(z.boolean(), false),
      dryRun: z._default(z.boolean(), true),
      maxPerHour: z._default(z.number().check(z.int(), z.gte(1)), 3),
    }),
    { enabled: false, dryRun: true, maxPerHour: 3 },
  ),
  /** Metrics each alarm's diagnostics read, by alarm name. */
  metrics: z._default(z.record(z.string(), z.array(diagnosticsMetricSchema)), {}),
  /** Mitigation action per rule id. */
  actions: z._default(z.record(z.string(), mitigationActionSchema), {}),
});

/** Runtime incident settings. */
export type IncidentsRuntime = z.infer<typeof incidentsRuntimeSchema>;
/** A metric the diagnostics read. */
export type DiagnosticsMetric = z.infer<typeof diagnosticsMetricSchema>;
/** A mitigation action. */
export type MitigationAction = z.infer<typeof mitigationActionSchema>;

/** Runtime configuration of the Lambdas: derived from the typed stage config at synth time. */
export const runtimeConfigSchema = z.object({
  stage: z.string().check(z.minLength(1)),
  dashboardUrl: z.optional(z.string()),
  historyRetentionDays: z.number().check(z.int(), z.positive()),
  insufficientData: z.enum(INSUFFICIENT_DATA_POLICIES),
  /** Seconds an invocation holds its claim on an outbox before another may take it over. */
  claimSeconds: z.number().check(z.int(), z.positive()),
  rules: z.record(z.string(), ruleRuntimeSchema),
  alarms: z.record(
    z.string(),
    z.object({
      ruleId: z.string(),
      labels: labelsSchema,
      /** `scheduled`: a synthetic alarm of the rule evaluator, with no CloudWatch alarm behind it. */
      engine: z.optional(z.enum(['alarm', 'scheduled'])),
      /** Severity from related metrics, read by the alarm handler when the alarm fires. @default - the rule's */
      severityLadder: z.optional(severityLadderSchema),
    }),
  ),
  /**
   * Time the alarm handler may spend reading a severity ladder's metrics before the page; past it
   * the rule's own severity stands (a firing alert keeps the one it has).
   */
  severityBudgetMs: z._default(z.number().check(z.int(), z.gte(50)), 1000),
  external: z.object({
    mappings: z.array(
      z.object({ pattern: z.string(), ruleId: z.optional(z.string()), labels: labelsSchema }),
    ),
    defaultLabels: labelsSchema,
  }),
  route: routeNodeSchema,
  receivers: z.record(z.string(), z.object({ channels: z.array(z.enum(CHANNELS)) })),
  inhibitRules: z._default(z.array(inhibitRuleSchema), []),
  /** More than `threshold` new alerts on a route within `windowSeconds` collapses into digests. */
  storm: z._default(
    z.object({
      threshold: z.number().check(z.int(), z.gte(1)),
      windowSeconds: z.number().check(z.int(), z.gte(1)),
    }),
    { threshold: 25, windowSeconds: 300 },
  ),
  /** Channel send budgets; what exceeds one waits for (and folds into) the next notification. */
  budgets: z._default(
    z.object({
      perSecond: z.partialRecord(z.enum(CHANNELS), z.number().check(z.positive())),
      /** Monthly SMS spend (USD) at which SMS pauses and its messages go to email instead. */
      smsMonthlySpendCapUsd: z.optional(z.number().check(z.positive())),
    }),
    { perSecond: { email: 10, sms: 20, slack: 1, pagerduty: 5 } },
  ),
  /** Link to the full alert list, used in storm digests. */
  alertListUrl: z.optional(z.string()),
  /** Firing alerts unchanged for `staleAfterSeconds` are checked against CloudWatch every `everySeconds`. */
  reconcile: z._default(
    z.object({
      staleAfterSeconds: z.number().check(z.int(), z.gte(60)),
      everySeconds: z.number().check(z.int(), z.gte(60)),
    }),
    { staleAfterSeconds: 21_600, everySeconds: 900 },
  ),
  /** SMS sender id (where the destination country supports one). */
  smsSenderId: z.optional(z.string()),
  /** Scheduled rules the evaluator runs every minute. */
  evaluator: z._default(evaluatorConfigSchema, { instances: [], timeoutSeconds: 20 }),
  /** Incidents; absent: alerts open no incidents. */
  incidents: z.optional(incidentsRuntimeSchema),
  /** Acting from the messages (Slack buttons, PagerDuty webhooks, signed links); absent: off. */
  actions: z.optional(
    z.object({
      /** How long an email or SMS link works. */
      linkTtlSeconds: z.number().check(z.int(), z.gte(60)),
      /** The longest a "silence until resolved" lasts when the alert never resolves. */
      silenceUntilResolvedMaxSeconds: z.number().check(z.int(), z.gte(3600)),
    }),
  ),
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
