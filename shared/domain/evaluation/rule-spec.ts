/** Scheduled rules as the evaluator runs them: one instance per rule and target, metrics resolved. */
import * as z from 'zod/mini';
import { SEVERITIES } from '../alert';
import '../zod-locale';

/** Comparisons a scheduled condition may use. */
export const EVAL_COMPARISONS = ['>', '>=', '<', '<=', '==', '!='] as const;
/** A comparison. */
export type EvalComparison = (typeof EVAL_COMPARISONS)[number];

const metricStatSchema = z.object({
  namespace: z.string().check(z.minLength(1)),
  metricName: z.string().check(z.minLength(1)),
  stat: z.string().check(z.minLength(1)),
  dimensions: z.record(z.string(), z.string()),
});

/** A CloudWatch source: a plain metric, or metric math over plain metrics (ids of `using`). */
export const metricSourceSchema = z.discriminatedUnion('kind', [
  z.extend(metricStatSchema, { kind: z.literal('metric') }),
  z.object({
    kind: z.literal('math'),
    expression: z.string().check(z.minLength(1)),
    using: z.record(z.string().check(z.regex(/^[a-z][a-zA-Z0-9_]*$/)), metricStatSchema),
  }),
]);
/** A resolved metric source. */
export type MetricSource = z.infer<typeof metricSourceSchema>;
/** One plain metric stat. */
export type MetricStatSpec = z.infer<typeof metricStatSchema>;

/** A condition over catalog metrics: a comparison, or all/any of nested conditions. */
export type Condition =
  | {
      readonly metric: string;
      readonly source: MetricSource;
      readonly comparison: EvalComparison;
      readonly threshold: number;
    }
  | { readonly all: readonly Condition[] }
  | { readonly any: readonly Condition[] };

/** Schema of {@link Condition}. */
export const conditionSchema: z.ZodMiniType<Condition> = z.lazy(() =>
  z.union([
    z.object({
      metric: z.string().check(z.minLength(1)),
      source: metricSourceSchema,
      comparison: z.enum(EVAL_COMPARISONS),
      threshold: z.number(),
    }),
    z.object({ all: z.array(conditionSchema).check(z.minLength(1)) }),
    z.object({ any: z.array(conditionSchema).check(z.minLength(1)) }),
  ]),
);

const severity = z.enum(SEVERITIES);

/**
 * An alarm rule's severity ladder for one target: levels over the rule's related metrics (the same
 * language as a scheduled ladder), read when its alarm fires; the first level that holds gives the
 * severity, and when none holds the rule's own severity stands.
 */
export const severityLadderSchema = z.object({
  /** Period of the datapoints read (the rule's). */
  periodSeconds: z.number().check(z.int(), z.positive()),
  levels: z.array(z.object({ severity, when: conditionSchema })).check(z.minLength(1)),
});
/** An alarm rule's severity ladder for one target. */
export type SeverityLadder = z.infer<typeof severityLadderSchema>;

/** What a scheduled rule checks. */
export const ruleCheckSchema = z.discriminatedUnion('kind', [
  /** Ordered levels: the first whose condition holds gives the severity (expressions have one). */
  z.object({
    kind: z.literal('levels'),
    levels: z.array(z.object({ severity, when: conditionSchema })).check(z.minLength(1)),
  }),
  /** Multi-window, multi-burn-rate SLO alert over an error count and a total count. */
  z.object({
    kind: z.literal('burn-rate'),
    objectivePercent: z.number().check(z.gt(0), z.lt(100)),
    errors: metricSourceSchema,
    total: metricSourceSchema,
    windows: z
      .array(
        z.object({
          longSeconds: z.number().check(z.int(), z.positive()),
          shortSeconds: z.number().check(z.int(), z.positive()),
          factor: z.number().check(z.positive()),
          severity,
        }),
      )
      .check(z.minLength(1)),
  }),
  /** No datapoint for `afterSeconds`. */
  z.object({
    kind: z.literal('absence'),
    metric: z.string().check(z.minLength(1)),
    source: metricSourceSchema,
    afterSeconds: z.number().check(z.int(), z.positive()),
    severity,
  }),
  /** Outside CloudWatch's anomaly detection band. */
  z.object({
    kind: z.literal('anomaly'),
    metric: z.string().check(z.minLength(1)),
    source: metricSourceSchema,
    bandWidth: z.number().check(z.positive()),
    direction: z.enum(['above', 'below', 'outside']),
    severity,
  }),
]);
/** What a rule checks. */
export type RuleCheck = z.infer<typeof ruleCheckSchema>;

/** One scheduled rule applied to one target. */
export const scheduledInstanceSchema = z.object({
  ruleId: z.string().check(z.minLength(1)),
  /** The target's service: with the rule id, the key of the pending/keep-firing state. */
  target: z.string().check(z.minLength(1)),
  /** Synthetic alarm name, registered in the runtime config's `alarms` map. */
  alarmName: z.string().check(z.minLength(1)),
  periodSeconds: z.number().check(z.int(), z.positive()),
  forSeconds: z.number().check(z.int(), z.gte(0)),
  keepFiringForSeconds: z.number().check(z.int(), z.gte(0)),
  check: ruleCheckSchema,
});
/** One scheduled rule instance. */
export type ScheduledInstance = z.infer<typeof scheduledInstanceSchema>;

/** The evaluator's section of the runtime config. */
export const evaluatorConfigSchema = z.object({
  instances: z.array(scheduledInstanceSchema),
  /** Seconds a GetMetricData round may take before the evaluation gives up (state unchanged). */
  timeoutSeconds: z._default(z.number().check(z.int(), z.positive()), 20),
});
/** The evaluator's runtime config. */
export type EvaluatorConfig = z.infer<typeof evaluatorConfigSchema>;
