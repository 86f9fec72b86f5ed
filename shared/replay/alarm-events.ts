/** Builders of real CloudWatch alarm event shapes, shared by the replay and the tests. */
import { createHash } from 'node:crypto';
import type { AlarmState } from '../domain/alert';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const INTAKE_TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:vigil-dev-alarm-intake`;

/** A previous alarm state and when it began (CloudWatch time text). */
export interface PreviousAlarmState {
  readonly state: AlarmState;
  readonly timestamp: string;
}

/** Optional datapoint details of a built event. */
export interface AlarmEventDetails {
  /** The datapoint CloudWatch reports as the most recent. @default 91.5 */
  readonly value?: number;
  /** The alarm threshold. @default 80 */
  readonly threshold?: number;
  /** The state reason. @default - a "Threshold Crossed" sentence built from value and threshold */
  readonly reason?: string;
}

/** Formats epoch ms the way CloudWatch writes alarm times: `2023-08-04T12:36:15.490+0000`. */
export function toCloudWatchTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** The alarm ARN of a stack alarm in the fixture account. */
export function alarmArnOf(alarmName: string): string {
  return `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${alarmName}`;
}

function defaultPrevious(state: AlarmState): PreviousAlarmState {
  return { state: state === 'ALARM' ? 'OK' : 'ALARM', timestamp: '2023-08-04T12:00:00.000+0000' };
}

function reasonOf(state: AlarmState, value: number, threshold: number): string {
  return `Threshold Crossed: 1 out of the last 1 datapoints [${value.toFixed(1)} (04/08/23 12:35:00)] was ${state === 'ALARM' ? '' : 'not '}greater than the threshold (${threshold.toFixed(1)}).`;
}

/** The `alarmData` block shared by the alarm-action payload and the EventBridge `detail`. */
export function alarmData(
  alarmName: string,
  state: AlarmState,
  timestamp: string,
  previous: PreviousAlarmState = defaultPrevious(state),
  details: AlarmEventDetails = {},
): Record<string, unknown> {
  const value = details.value ?? 91.5;
  const threshold = details.threshold ?? 80;
  return {
    alarmName,
    state: {
      value: state,
      reason: details.reason ?? reasonOf(state, value, threshold),
      reasonData: JSON.stringify({
        version: '1.0',
        statistic: 'Average',
        period: 60,
        recentDatapoints: [value],
        threshold,
      }),
      timestamp,
    },
    previousState: { value: previous.state, reason: 'previous', timestamp: previous.timestamp },
    configuration: { description: `${alarmName} description`, metrics: [] },
  };
}

/** A metric-alarm action event for a stack alarm, in the real Lambda alarm-action shape. */
export function alarmActionEvent(
  alarmName: string,
  state: AlarmState,
  timestamp: string,
  previous: PreviousAlarmState = defaultPrevious(state),
  details: AlarmEventDetails = {},
): Record<string, unknown> {
  return {
    source: 'aws.cloudwatch',
    alarmArn: alarmArnOf(alarmName),
    accountId: ACCOUNT,
    time: timestamp,
    region: REGION,
    alarmData: alarmData(alarmName, state, timestamp, previous, details),
  };
}

/** A stable UUID-shaped id derived from text, so a redelivered event keeps its id as AWS's does. */
function stableId(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** An EventBridge "CloudWatch Alarm State Change" event. */
export function eventBridgeAlarmEvent(
  alarmName: string,
  state: AlarmState,
  timestamp: string,
  previous: PreviousAlarmState = defaultPrevious(state),
  details: AlarmEventDetails = {},
): Record<string, unknown> {
  return {
    version: '0',
    id: stableId(`eventbridge:${alarmName}:${state}:${timestamp}`),
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: ACCOUNT,
    time: timestamp.replace(/\.\d{3}\+0000$/, 'Z'),
    region: REGION,
    resources: [alarmArnOf(alarmName)],
    detail: alarmData(alarmName, state, timestamp, previous, details),
  };
}

/** The classic alarm message CloudWatch publishes to an SNS topic (the `Message` of the record). */
export function snsAlarmMessage(
  alarmName: string,
  state: AlarmState,
  timestamp: string,
  previous: PreviousAlarmState = defaultPrevious(state),
  details: AlarmEventDetails = {},
): Record<string, unknown> {
  const value = details.value ?? 91.5;
  const threshold = details.threshold ?? 80;
  return {
    AlarmName: alarmName,
    AlarmDescription: `${alarmName} description`,
    AWSAccountId: ACCOUNT,
    NewStateValue: state,
    NewStateReason: details.reason ?? reasonOf(state, value, threshold),
    StateChangeTime: timestamp,
    Region: 'EU (Ireland)',
    AlarmArn: alarmArnOf(alarmName),
    OldStateValue: previous.state,
    OKActions: [],
    AlarmActions: [INTAKE_TOPIC],
    InsufficientDataActions: [],
    Trigger: {
      Period: 60,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: threshold,
    },
  };
}

/** Wraps an SNS alarm message in the `Records` envelope Lambda receives from an SNS subscription. */
export function snsRecordsEvent(message: unknown, publishedAt: string): Record<string, unknown> {
  const body = JSON.stringify(message);
  const alarmName =
    typeof message === 'object' &&
    message !== null &&
    'AlarmName' in message &&
    typeof message.AlarmName === 'string'
      ? message.AlarmName
      : 'alarm';
  const state =
    typeof message === 'object' &&
    message !== null &&
    'NewStateValue' in message &&
    typeof message.NewStateValue === 'string'
      ? message.NewStateValue
      : 'ALARM';
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${INTAKE_TOPIC}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55`,
        Sns: {
          Type: 'Notification',
          MessageId: stableId(`sns:${body}`),
          TopicArn: INTAKE_TOPIC,
          Subject: `${state}: "${alarmName}" in EU (Ireland)`.slice(0, 100),
          Message: body,
          Timestamp: publishedAt,
          SignatureVersion: '1',
          Signature: 'EXAMPLE',
          SigningCertUrl: `https://sns.${REGION}.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem`,
          UnsubscribeUrl: `https://sns.${REGION}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${INTAKE_TOPIC}:2bcfbf39`,
          MessageAttributes: {},
        },
      },
    ],
  };
}
