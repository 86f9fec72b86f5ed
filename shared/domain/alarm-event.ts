import * as z from 'zod/mini';
import type { AlarmState, Severity } from './alert';
import { ALARM_STATES } from './alert';
import { parseCloudWatchTime } from './cloudwatch-time';
import { MalformedEventError } from './errors';
import { truncate } from './format/text';
import './zod-locale';

/** How an alarm state change reached the pipeline. */
export type AlarmEventSource =
  'alarm-action' | 'eventbridge' | 'sns' | 'reconcile' | 'operator' | 'evaluator';

/** A CloudWatch alarm state change, normalised from any of the shapes AWS delivers. */
export interface AlarmStateChange {
  readonly source: AlarmEventSource;
  readonly alarmName: string;
  readonly alarmArn?: string;
  readonly accountId?: string;
  /** Region code, e.g. `eu-west-1`. */
  readonly region?: string;
  readonly kind: 'metric' | 'composite';
  readonly state: AlarmState;
  readonly previousState?: AlarmState;
  /** Epoch ms of this state; orders transitions of one alarm. */
  readonly timestamp: number;
  /** Epoch ms of the previous state, when the shape carries it. */
  readonly previousTimestamp?: number;
  readonly reason: string;
  readonly description?: string;
  /** Most recent datapoint that drove the state, when CloudWatch reported it. */
  readonly value?: number;
  readonly threshold?: number;
  /** Severity decided by the scheduled evaluator (severity ladders, burn-rate windows). @default - the rule's */
  readonly severity?: Severity;
}

/** One unit of work in an invocation: an SQS/SNS record or the whole event. */
export interface AlarmDelivery {
  /** SQS message id (for partial batch failure), SNS message id, or event id. */
  readonly id?: string;
  readonly change?: AlarmStateChange;
  readonly error?: MalformedEventError;
  /** The raw input of this delivery, kept for the dead-letter record. */
  readonly raw: unknown;
}

/** An invocation's deliveries and whether it came as an SQS batch. */
export interface ExtractedDeliveries {
  readonly batch: 'sqs' | 'single';
  readonly deliveries: readonly AlarmDelivery[];
}

const stateValue = z.enum(ALARM_STATES);

const stateSchema = z.object({
  value: stateValue,
  reason: z._default(z.string(), ''),
  reasonData: z.optional(z.string()),
  timestamp: z.string(),
});

const configurationSchema = z.looseObject({
  description: z.nullish(z.string()),
  alarmRule: z.optional(z.string()),
  metrics: z.optional(z.array(z.unknown())),
});

/** CloudWatch's own limit on alarm names; a longer name is not a CloudWatch alarm. */
export const MAX_ALARM_NAME_LENGTH = 255;

/** Free text (description, reason) beyond this is cut, with a note, so the alert still fits everywhere. */
export const MAX_ALARM_TEXT_LENGTH = 4096;

const alarmNameSchema = z.string().check(z.minLength(1), z.maxLength(MAX_ALARM_NAME_LENGTH));

const alarmDataSchema = z.object({
  alarmName: alarmNameSchema,
  state: stateSchema,
  previousState: z.optional(z.partial(stateSchema, { timestamp: true })),
  configuration: z.optional(configurationSchema),
});

const alarmActionSchema = z.object({
  source: z.literal('aws.cloudwatch'),
  alarmArn: z.string(),
  accountId: z.optional(z.string()),
  region: z.optional(z.string()),
  time: z.optional(z.string()),
  alarmData: alarmDataSchema,
});

const eventBridgeSchema = z.object({
  'detail-type': z.literal('CloudWatch Alarm State Change'),
  source: z.literal('aws.cloudwatch'),
  id: z.optional(z.string()),
  account: z.optional(z.string()),
  region: z.optional(z.string()),
  resources: z._default(z.array(z.string()), []),
  detail: alarmDataSchema,
});

const snsAlarmSchema = z.object({
  AlarmName: alarmNameSchema,
  AlarmDescription: z.nullish(z.string()),
  AWSAccountId: z.optional(z.string()),
  NewStateValue: stateValue,
  NewStateReason: z._default(z.string(), ''),
  StateChangeTime: z.string(),
  Region: z.optional(z.string()),
  AlarmArn: z.optional(z.string()),
  OldStateValue: z.optional(stateValue),
  AlarmRule: z.nullish(z.string()),
  Trigger: z.nullish(z.looseObject({ Threshold: z.optional(z.number()) })),
});

const snsRecordSchema = z.object({
  EventSource: z.literal('aws:sns'),
  Sns: z.object({ MessageId: z.optional(z.string()), Message: z.string() }),
});

const sqsRecordSchema = z.object({
  eventSource: z.literal('aws:sqs'),
  messageId: z.string(),
  body: z.string(),
});

const snsEnvelopeSchema = z.object({ Type: z.literal('Notification'), Message: z.string() });

const reasonDataSchema = z.looseObject({
  recentDatapoints: z.optional(z.array(z.number())),
  threshold: z.optional(z.number()),
});

/** Turns a zod failure into a message naming the first bad field. */
function describeIssues(error: z.core.$ZodError, prefix: string): string {
  const issue = error.issues[0];
  if (!issue) return `${prefix}: invalid`;
  const where = issue.path.length > 0 ? issue.path.join('.') : '(root)';
  return `${prefix}: ${where}: ${issue.message}`;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new MalformedEventError(`${what} is not valid JSON`, { cause });
  }
}

// CloudWatch caps descriptions and reasons near 1 KiB; anything far beyond is cut with a note, not dropped.
function boundText(text: string): string;
function boundText(text: string | undefined): string | undefined;
function boundText(text: string | undefined): string | undefined {
  if (text === undefined || text.length <= MAX_ALARM_TEXT_LENGTH) return text;
  const note = `… [cut from ${text.length} characters]`;
  return truncate(text, MAX_ALARM_TEXT_LENGTH + note.length, note);
}

function regionFromArn(arn: string | undefined): string | undefined {
  const parts = arn?.split(':');
  return parts && parts.length > 4 && parts[3] ? parts[3] : undefined;
}

function readReasonData(raw: string | undefined): { value?: number; threshold?: number } {
  if (!raw) return {};
  try {
    const parsed = reasonDataSchema.safeParse(JSON.parse(raw));
    if (!parsed.success) return {};
    const points = parsed.data.recentDatapoints ?? [];
    return { value: points[points.length - 1], threshold: parsed.data.threshold };
  } catch {
    // reasonData is informational; an unreadable one must not reject the transition.
    return {};
  }
}

// "Threshold Crossed: 1 datapoint [90.5 (04/08/23 12:30:00)] was greater than the threshold (80.0)."
function readReasonText(reason: string): { value?: number } {
  const m = /\[(-?\d+(?:\.\d+)?(?:E[-+]?\d+)?) \(/i.exec(reason);
  return m?.[1] ? { value: Number(m[1]) } : {};
}

function fromAlarmData(
  source: AlarmEventSource,
  data: z.infer<typeof alarmDataSchema>,
  meta: { alarmArn?: string; accountId?: string; region?: string },
): AlarmStateChange {
  const reasonData = readReasonData(data.state.reasonData);
  const previous = data.previousState;
  return {
    source,
    alarmName: data.alarmName,
    alarmArn: meta.alarmArn,
    accountId: meta.accountId,
    region: meta.region ?? regionFromArn(meta.alarmArn),
    kind: data.configuration?.alarmRule ? 'composite' : 'metric',
    state: data.state.value,
    previousState: previous?.value,
    timestamp: parseCloudWatchTime(data.state.timestamp, 'state.timestamp'),
    previousTimestamp: previous?.timestamp
      ? parseCloudWatchTime(previous.timestamp, 'previousState.timestamp')
      : undefined,
    reason: boundText(data.state.reason),
    description: boundText(data.configuration?.description ?? undefined),
    ...reasonData,
  };
}

function fromSnsMessage(message: unknown): AlarmStateChange {
  const parsed = snsAlarmSchema.safeParse(message);
  if (!parsed.success) throw new MalformedEventError(describeIssues(parsed.error, 'SNS alarm message'));
  const m = parsed.data;
  return {
    source: 'sns',
    alarmName: m.AlarmName,
    alarmArn: m.AlarmArn,
    accountId: m.AWSAccountId,
    region: regionFromArn(m.AlarmArn),
    kind: m.AlarmRule ? 'composite' : 'metric',
    state: m.NewStateValue,
    previousState: m.OldStateValue,
    timestamp: parseCloudWatchTime(m.StateChangeTime, 'StateChangeTime'),
    reason: boundText(m.NewStateReason),
    description: boundText(m.AlarmDescription ?? undefined),
    threshold: m.Trigger?.Threshold,
    ...readReasonText(m.NewStateReason),
  };
}

/** Normalises one non-batch alarm event (alarm action, EventBridge, SNS alarm message). */
export function parseAlarmEvent(event: unknown): AlarmStateChange {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new MalformedEventError('event: expected a JSON object');
  }
  if ('alarmData' in event) {
    const parsed = alarmActionSchema.safeParse(event);
    if (!parsed.success) throw new MalformedEventError(describeIssues(parsed.error, 'alarm action event'));
    const e = parsed.data;
    return fromAlarmData('alarm-action', e.alarmData, {
      alarmArn: e.alarmArn,
      accountId: e.accountId,
      region: e.region,
    });
  }
  if ('detail-type' in event) {
    const parsed = eventBridgeSchema.safeParse(event);
    if (!parsed.success) throw new MalformedEventError(describeIssues(parsed.error, 'EventBridge event'));
    const e = parsed.data;
    return fromAlarmData('eventbridge', e.detail, {
      alarmArn: e.resources[0],
      accountId: e.account,
      region: e.region,
    });
  }
  if ('AlarmName' in event) return fromSnsMessage(event);
  throw new MalformedEventError(
    'event: not a CloudWatch alarm action, EventBridge alarm state change, SNS alarm message, or SNS/SQS batch',
  );
}

function parseDelivery(id: string | undefined, raw: unknown, parse: () => AlarmStateChange): AlarmDelivery {
  try {
    return { id, raw, change: parse() };
  } catch (error) {
    if (error instanceof MalformedEventError) return { id, raw, error };
    throw error;
  }
}

function parseSnsRecord(record: unknown, index: number): AlarmDelivery {
  const parsed = snsRecordSchema.safeParse(record);
  if (!parsed.success) {
    return { raw: record, error: new MalformedEventError(describeIssues(parsed.error, `Records.${index}`)) };
  }
  const { MessageId, Message } = parsed.data.Sns;
  return parseDelivery(MessageId, record, () =>
    fromSnsMessage(parseJson(Message, `Records.${index}.Sns.Message`)),
  );
}

// SQS bodies may hold an alarm event, an SNS notification envelope (raw delivery off), or an SNS alarm message.
function parseSqsBody(body: string, index: number): AlarmStateChange {
  const json = parseJson(body, `Records.${index}.body`);
  const envelope = snsEnvelopeSchema.safeParse(json);
  if (envelope.success) {
    return fromSnsMessage(parseJson(envelope.data.Message, `Records.${index}.body.Message`));
  }
  return parseAlarmEvent(json);
}

/** Splits an invocation payload into alarm deliveries; malformed parts become error deliveries. */
export function extractAlarmDeliveries(event: unknown): ExtractedDeliveries {
  if (typeof event === 'object' && event !== null && 'Records' in event) {
    const records = event.Records;
    if (!Array.isArray(records) || records.length === 0) {
      return {
        batch: 'single',
        deliveries: [{ raw: event, error: new MalformedEventError('Records: expected a non-empty array') }],
      };
    }
    const first: unknown = records[0];
    const isSqs = typeof first === 'object' && first !== null && 'eventSource' in first;
    if (isSqs) {
      return {
        batch: 'sqs',
        deliveries: records.map((record: unknown, index) => {
          const parsed = sqsRecordSchema.safeParse(record);
          if (!parsed.success) {
            return {
              raw: record,
              error: new MalformedEventError(describeIssues(parsed.error, `Records.${index}`)),
            };
          }
          return parseDelivery(parsed.data.messageId, record, () => parseSqsBody(parsed.data.body, index));
        }),
      };
    }
    return { batch: 'single', deliveries: records.map((r: unknown, i) => parseSnsRecord(r, i)) };
  }
  const id =
    typeof event === 'object' && event !== null && 'id' in event && typeof event.id === 'string'
      ? event.id
      : undefined;
  return { batch: 'single', deliveries: [parseDelivery(id, event, () => parseAlarmEvent(event))] };
}
