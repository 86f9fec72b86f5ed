/** The replay's scenario file: what happens when, validated with messages that name the field. */
import * as z from 'zod';
import { ALARM_STATES } from '../domain/alert';
import { parseMatcher } from '../domain/matchers';
import type { Matcher } from '../domain/matchers';
import { LOG_LEVELS } from '../logs/log-document';
import { DurationError, formatIsoDuration, parseIsoDuration } from './duration';

/** How an alarm event reaches the alarm handler. */
export const EVENT_KINDS = ['alarm-action', 'eventbridge', 'sns-alarm'] as const;
/** An event kind. */
export type EventKind = (typeof EVENT_KINDS)[number];

/**
 * Delivery order of events due at the same time: `as-written` keeps file order; `shuffled` permutes
 * the deliveries that fall in the same virtual second, with `seed`, to script out-of-order arrival.
 */
export const DELIVERY_ORDERS = ['as-written', 'shuffled'] as const;
/** A delivery order. */
export type DeliveryOrder = (typeof DELIVERY_ORDERS)[number];

/** A scenario file that fails validation; the message names the field, e.g. `events[3].at`. */
export class ScenarioError extends Error {
  public readonly code = 'INVALID_SCENARIO';

  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScenarioError';
  }
}

const duration = z.string().transform((text, ctx): number => {
  try {
    return parseIsoDuration(text);
  } catch (error) {
    if (!(error instanceof DurationError)) throw error;
    ctx.addIssue({ code: 'custom', message: error.message });
    return z.NEVER;
  }
});

const instant = z.string().transform((text, ctx): number => {
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text)
    ? Date.parse(text)
    : Number.NaN;
  if (Number.isNaN(ms)) {
    ctx.addIssue({
      code: 'custom',
      message: `"${text}" is not an ISO-8601 time with a zone (e.g. 2026-11-26T14:00:00Z)`,
    });
    return z.NEVER;
  }
  return ms;
});

const alarmState = z.enum(ALARM_STATES);

const alarmShorthand = z.strictObject({
  /** The CloudWatch alarm name. */
  name: z.string().min(1),
  state: alarmState,
  /** Offset of the state change (the event's own timestamp). @default - the delivery time `at` */
  changedAt: duration.optional(),
  previous: z.strictObject({ state: alarmState, changedAt: duration.optional() }).optional(),
  value: z.number().optional(),
  threshold: z.number().optional(),
  reason: z.string().optional(),
});

const eventSchema = z
  .strictObject({
    at: duration,
    kind: z.enum(EVENT_KINDS),
    payload: z.record(z.string(), z.unknown()).optional(),
    alarm: alarmShorthand.optional(),
    times: z.number().int().min(1).max(100).default(1),
    every: duration.default(0),
  })
  .superRefine((event, ctx) => {
    if ((event.payload === undefined) === (event.alarm === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [event.payload === undefined ? 'payload' : 'alarm'],
        message: 'give exactly one of "payload" (the real AWS event) or "alarm" (the shorthand)',
      });
    }
  });

const ackSchema = z.strictObject({
  alarmName: z.string().min(1),
  by: z.string().min(1),
  comment: z.string().optional(),
});

const silenceSchema = z.strictObject({
  matchers: z
    .array(z.string())
    .min(1)
    .transform((texts, ctx): Matcher[] => {
      const out: Matcher[] = [];
      for (const [i, text] of texts.entries()) {
        try {
          out.push(parseMatcher(text, 'matcher'));
        } catch (error) {
          ctx.addIssue({
            code: 'custom',
            path: [i],
            message: error instanceof Error ? error.message.replace(/^matcher: /, '') : String(error),
          });
        }
      }
      return out;
    }),
  duration,
  by: z.string().min(1).optional(),
  comment: z.string().optional(),
  /** End the silence once every alert it matched has resolved. @default false */
  endOnResolve: z.boolean().optional(),
});

/** A click on a button of the alarm's newest Slack message, sent signed to the action endpoint. */
const slackClickSchema = z.strictObject({
  alarmName: z.string().min(1),
  button: z.enum(['vigil_ack', 'vigil_silence_1h', 'vigil_silence_resolved']).default('vigil_ack'),
  user: z.strictObject({ id: z.string().regex(/^[UW][A-Z0-9]+$/), name: z.string().min(1) }),
});

const actionSchema = z
  .strictObject({
    at: duration,
    ack: ackSchema.optional(),
    silence: silenceSchema.optional(),
    slackClick: slackClickSchema.optional(),
  })
  .superRefine((action, ctx) => {
    const given = [action.ack, action.silence, action.slackClick].filter((a) => a !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: 'give exactly one of "ack", "silence" or "slackClick"',
      });
    }
  });

const dimensionsSchema = z.record(z.string().min(1), z.string().min(1));

/** One synthetic metric series the simulated GetMetricData serves: raw datapoints at offsets. */
const metricSeriesSchema = z.strictObject({
  /** Name of a plain (`kind: 'metric'`) entry of the metric catalog. */
  metric: z.string().min(1),
  dimensions: dimensionsSchema.default({}),
  /** `[offset, value]`: an ISO duration from the scenario start and the datapoint's value. */
  points: z.array(z.tuple([duration, z.number().finite()])),
});

/** One log line the replay's log search serves to incident diagnostics. */
const logLineSchema = z.strictObject({
  at: duration,
  service: z.string().min(1),
  level: z.enum(LOG_LEVELS),
  message: z.string(),
  traceId: z.string().optional(),
});

/** One X-Ray trace summary the replay's trace source serves to incident diagnostics. */
const traceSchema = z.strictObject({
  at: duration,
  service: z.string().min(1),
  id: z
    .string()
    .regex(
      /^1-[0-9a-f]{8}-[0-9a-f]{24}$/,
      'must be an X-Ray trace id like 1-6745f0e0-0123456789abcdef01234567',
    ),
  fault: z.boolean().default(false),
  error: z.boolean().default(false),
  /** Seconds. */
  responseTime: z.number().nonnegative().default(0),
  http: z.strictObject({ method: z.string(), url: z.string(), status: z.number().int() }).optional(),
});

const scenarioSchema = z
  .strictObject({
    /** Optional description shown in the timeline header. */
    description: z.string().optional(),
    start: instant,
    duration,
    config: z.string().min(1).optional(),
    order: z.enum(DELIVERY_ORDERS).default('as-written'),
    seed: z.number().int().default(1),
    events: z.array(eventSchema),
    actions: z.array(actionSchema).default([]),
    /** Synthetic metric series for scheduled rules. @default none */
    metrics: z.array(metricSeriesSchema).default([]),
    /** Ids of the scheduled rules the replay evaluates. @default - every scheduled rule of the config */
    scheduledRules: z.array(z.string().min(1)).optional(),
    /** Log lines for incident diagnostics. @default none */
    logs: z.array(logLineSchema).default([]),
    /** X-Ray trace summaries for incident diagnostics. @default none */
    traces: z.array(traceSchema).default([]),
  })
  .superRefine((scenario, ctx) => {
    if (scenario.duration <= 0) {
      ctx.addIssue({ code: 'custom', path: ['duration'], message: 'must be longer than PT0S' });
    }
    const late = (list: readonly { at: number }[], name: string): void => {
      for (const [i, item] of list.entries()) {
        if (item.at > scenario.duration) {
          ctx.addIssue({
            code: 'custom',
            path: [name, i, 'at'],
            message: `${formatIsoDuration(item.at)} is after the end of the scenario (duration ${formatIsoDuration(scenario.duration)})`,
          });
        }
      }
    };
    late(scenario.events, 'events');
    late(scenario.actions, 'actions');
    for (const [i, series] of scenario.metrics.entries()) {
      for (const [j, [offset]] of series.points.entries()) {
        if (offset > scenario.duration) {
          ctx.addIssue({
            code: 'custom',
            path: ['metrics', i, 'points', j, 0],
            message: `${formatIsoDuration(offset)} is after the end of the scenario (duration ${formatIsoDuration(scenario.duration)})`,
          });
        }
      }
    }
  });

/** A validated scenario; every time is epoch ms or an offset in ms from `start`. */
export type Scenario = z.output<typeof scenarioSchema>;
/** One scripted alarm event. */
export type ScenarioEvent = Scenario['events'][number];
/** One scripted operator action. */
export type ScenarioAction = Scenario['actions'][number];
/** One synthetic metric series (offsets in ms from `start`). */
export type ScenarioMetricSeries = Scenario['metrics'][number];
/** One scripted log line (offset in ms from `start`). */
export type ScenarioLogLine = Scenario['logs'][number];
/** One scripted trace summary (offset in ms from `start`). */
export type ScenarioTrace = Scenario['traces'][number];
/** An acknowledgement request. */
export type AckRequest = z.output<typeof ackSchema>;
/** A silence request (matchers parsed). */
export type SilenceRequest = z.output<typeof silenceSchema>;
/** A Slack button click. */
export type SlackClickRequest = z.output<typeof slackClickSchema>;

/** `events[3].at` from a zod path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}

/** Validates a parsed scenario document; throws {@link ScenarioError} naming the first bad field. */
export function parseScenario(input: unknown): Scenario {
  const parsed = scenarioSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue === undefined) throw new ScenarioError('scenario: invalid');
  throw new ScenarioError(`${formatPath(issue.path)}: ${issue.message}`);
}

/** Parses scenario JSON text; throws {@link ScenarioError} for bad JSON or a bad field. */
export function parseScenarioText(text: string): Scenario {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ScenarioError(
      `scenario is not valid JSON: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
  }
  return parseScenario(json);
}
