// Arrangement of the alarm-side fault scenarios: the real handler and tick over dynalite, SNS
// publishes captured through the real SNS adapter, DynamoDB faults injected by SDK middleware,
// and Lambda's asynchronous retry (two retries, then the on-failure destination) emulated.
import {
  DynamoDBClient,
  InternalServerError,
  ProvisionedThroughputExceededException,
  ThrottlingException,
} from '@aws-sdk/client-dynamodb';
import type { PublishCommandInput } from '@aws-sdk/client-sns';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createAlarmHandler } from '../../../functions/alarm-handler/create-handler';
import { createTickHandler } from '../../../functions/tick/create-handler';
import { DynamoAlertStore } from '../../../shared/adapters/dynamo-alert-store';
import { DynamoGroupStore } from '../../../shared/adapters/dynamo-group-store';
import { SnsPublisher } from '../../../shared/adapters/sns-publisher';
import { sdkSnsPublish } from '../../../shared/adapters/sns-sdk';
import { sdkDocTable } from '../../../shared/adapters/dynamo-sdk-table';
import type { Channel } from '../../../shared/domain/alert';
import type { DeadLetterRecord } from '../../../shared/domain/ports';
import type { RuntimeConfig } from '../../../shared/domain/runtime-config';
import { loadStageConfig } from '../../../infra/config/stages';
import { toCloudWatchTime } from '../../../shared/replay/alarm-events';
import type { RunningDynalite } from '../../support/dynalite';
import { createAlertTable } from '../../support/dynalite';
import { alarmActionEvent, devRuntimeConfig, recordingLog } from '../../support/fixtures';
import type { DeliveryTally } from '../../support/fault-tally';

/** Channel topic ARNs of the scenarios. */
export const TOPICS: Readonly<Record<Channel, string>> = {
  slack: 'arn:aws:sns:eu-west-1:111122223333:vigil-dev-slack',
  email: 'arn:aws:sns:eu-west-1:111122223333:vigil-dev-email',
  sms: 'arn:aws:sns:eu-west-1:111122223333:vigil-dev-sms',
  pagerduty: 'arn:aws:sns:eu-west-1:111122223333:vigil-dev-pagerduty',
};

/** Alarm name prefixes the scenario config maps to a critical (paged at once) or a warning alert. */
export const CRITICAL_PREFIX = 'fault-crit-';
export const WARNING_PREFIX = 'fault-warn-';

/** Start of the scenarios' virtual time. */
export const T0 = Date.UTC(2026, 10, 26, 14, 0, 0);

/** The dev runtime config plus mappings for the scenario alarms; storms stay out of the way. */
export function faultConfig(): RuntimeConfig {
  const base = devRuntimeConfig();
  return {
    ...base,
    storm: { threshold: 1000, windowSeconds: 300 },
    external: {
      ...base.external,
      mappings: [
        {
          pattern: `${CRITICAL_PREFIX}.*`,
          labels: { severity: 'critical', service: 'payments', team: 'pay' },
        },
        { pattern: `${WARNING_PREFIX}.*`, labels: { severity: 'warning', service: 'search', team: 'find' } },
      ],
    },
  };
}

/**
 * Channels that must hear of an alert of this severity, read from the stage config (receivers of
 * the shipped routing tree), not from the routing code under test.
 */
export function channelsFor(severity: 'critical' | 'warning'): Channel[] {
  const stage = loadStageConfig('dev');
  const receiver = severity === 'critical' ? 'on-call' : 'team-slack';
  const channels = stage.receivers[receiver]?.channels;
  if (!channels) throw new Error(`dev stage has no receiver ${receiver}`);
  return [...channels];
}

/** A repeatable pseudo-random sequence in [0, 1) (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What a DynamoDB fault plan did to the calls of one client. */
export interface DynamoFaultCounters {
  calls: number;
  throttled: number;
  /** Writes applied by DynamoDB whose answer was replaced by a 500 (the caller cannot know). */
  ambiguous: number;
  conditionalFailures: number;
}

/** Per call: leave it alone, throttle it before it reaches the table, or apply it and lose the answer. */
export type DynamoFault = 'none' | 'throttle' | 'applied-then-500';

/**
 * A DynamoDB client on dynalite whose calls pass through `plan`. SDK retries are off, so every
 * injected fault reaches the code under test (the harshest case). Conditional-check failures
 * (races between writers) are counted, not injected.
 */
export function faultyDynamoClient(
  db: RunningDynalite,
  plan: (command: string) => DynamoFault = () => 'none',
): { doc: DynamoDBDocumentClient; counters: DynamoFaultCounters } {
  const client = new DynamoDBClient({
    endpoint: db.endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const counters: DynamoFaultCounters = { calls: 0, throttled: 0, ambiguous: 0, conditionalFailures: 0 };
  let flip = false;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      counters.calls++;
      const command = context.commandName ?? '?';
      const fault = plan(command);
      if (fault === 'throttle') {
        counters.throttled++;
        flip = !flip;
        const meta = { $metadata: { httpStatusCode: 400 } };
        throw flip
          ? new ProvisionedThroughputExceededException({
              message: 'Rate of requests exceeds capacity',
              ...meta,
            })
          : new ThrottlingException({ message: 'Rate exceeded', ...meta });
      }
      try {
        const out = await next(args);
        if (fault === 'applied-then-500') {
          counters.ambiguous++;
          throw new InternalServerError({
            message: 'Internal server error',
            $metadata: { httpStatusCode: 500 },
          });
        }
        return out;
      } catch (error) {
        if (error instanceof Error && error.name === 'ConditionalCheckFailedException') {
          counters.conditionalFailures++;
        }
        throw error;
      }
    },
    { step: 'initialize', name: 'faultInjection' },
  );
  return {
    doc: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    counters,
  };
}

/** The outcome of one event under Lambda's asynchronous invocation semantics. */
export interface AsyncOutcome {
  readonly attempts: number;
  /** True when every attempt failed and the event went to the on-failure destination. */
  readonly deadLettered: boolean;
}

/**
 * Invokes like Lambda's asynchronous path: the first try plus `retries` retries. Lambda waits a
 * minute or more before a retry; `beforeRetry` lets a scenario end faults that do not last that long.
 */
export async function invokeAsync(
  invoke: () => Promise<unknown>,
  retries = 2,
  beforeRetry: () => void | Promise<void> = () => undefined,
): Promise<AsyncOutcome> {
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    if (attempt > 1) await beforeRetry();
    try {
      await invoke();
      return { attempts: attempt, deadLettered: false };
    } catch {
      // Lambda retries the same event; the scenario decides what the delay ends.
    }
  }
  return { attempts: retries + 1, deadLettered: true };
}

/** One publish SNS accepted, as the keys of the alerts it notifies. */
export interface CapturedPublish {
  readonly channel: Channel;
  readonly status: string;
  readonly alarmNames: readonly string[];
}

/** Reads a captured SNS publish back into channel, status and alarm names. */
export function readPublish(input: PublishCommandInput): CapturedPublish {
  const channel = (Object.keys(TOPICS) as Channel[]).find((c) => TOPICS[c] === input.TopicArn);
  if (!channel) throw new Error(`publish to an unknown topic ${input.TopicArn ?? '(none)'}`);
  const envelope = JSON.parse(input.Message ?? '{}') as { lambda?: string };
  const n = JSON.parse(envelope.lambda ?? '{}') as { status?: string; alerts?: { alarmName: string }[] };
  return { channel, status: n.status ?? '?', alarmNames: (n.alerts ?? []).map((a) => a.alarmName) };
}

/** Key of one expected delivery. */
export function deliveryKey(alarmName: string, channel: Channel, status: string): string {
  return `${alarmName}|${channel}|${status}`;
}

/** Feeds captured publishes into a tally. */
export function tallyPublishes(tally: DeliveryTally, publishes: readonly CapturedPublish[]): void {
  for (const p of publishes)
    for (const name of p.alarmNames) tally.saw(deliveryKey(name, p.channel, p.status));
}

/** An alarm-action event of a scenario alarm at virtual time `at`, whose previous state began at `since`. */
export function alarmEvent(name: string, state: 'ALARM' | 'OK', at: number, since = at - 60_000): unknown {
  return alarmActionEvent(name, state, toCloudWatchTime(at), {
    state: state === 'ALARM' ? 'OK' : 'ALARM',
    timestamp: toCloudWatchTime(since),
  });
}

/** A handler and a tick over one table, on a shared virtual clock. */
export interface FaultPipeline {
  readonly config: RuntimeConfig;
  readonly deadLetters: DeadLetterRecord[];
  /** Virtual now. */
  now(): number;
  advance(ms: number): void;
  /** A fresh invocation of the alarm handler over `doc` (each gets its own request id). */
  invoke(event: unknown, doc?: DynamoDBDocumentClient): Promise<unknown>;
  /** A tick over `doc`. */
  tick(doc?: DynamoDBDocumentClient): Promise<unknown>;
}

let tables = 0;

/** Creates a table and the pipeline on it; `doc` is the default client of both functions. */
export async function createFaultPipeline(
  db: RunningDynalite,
  doc: DynamoDBDocumentClient,
): Promise<FaultPipeline> {
  const tableName = `fault-${++tables}`;
  await createAlertTable(db.client, tableName);
  const config = faultConfig();
  let now = T0;
  const clock = (): number => now;
  const deadLetters: DeadLetterRecord[] = [];
  const publisher = new SnsPublisher(sdkSnsPublish(new SNSClient({ region: 'eu-west-1' })), TOPICS);
  let request = 0;
  const storeOn = (d: DynamoDBDocumentClient) =>
    new DynamoAlertStore(sdkDocTable(d), { tableName, historyRetentionDays: config.historyRetentionDays });
  return {
    config,
    deadLetters,
    now: clock,
    advance: (ms) => {
      now += ms;
    },
    invoke: (event, on = doc) =>
      createAlarmHandler({
        config,
        store: storeOn(on),
        publisher,
        deadLetter: { send: (r) => Promise.resolve(void deadLetters.push(r)) },
        clock,
        log: recordingLog(),
      })(event, { awsRequestId: `req-${++request}` }),
    tick: (on = doc) =>
      createTickHandler({
        config,
        store: storeOn(on),
        groups: new DynamoGroupStore(sdkDocTable(on), tableName),
        publisher,
        clock,
        log: recordingLog(),
      })({}, { awsRequestId: `tick-${++request}` }),
  };
}
