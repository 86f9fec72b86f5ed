/**
 * How the Lambdas on the alert path (alarm handler, tick, rule evaluator) wire their stores,
 * publisher and incident signals: lean clients over signed HTTP, built once per container.
 */
import type { Labels } from '../domain/alert';
import { createCached } from '../domain/cached';
import type { IncidentSignalSink, SignalBacklog } from '../domain/incident-signal';
import type { Clock, Log } from '../domain/ports';
import type { RuntimeConfig } from '../domain/runtime-config';
import { createSilenceCheck } from '../domain/silence';
import { actionLinksFromEnv } from './action-links';
import { stormWatch } from '../domain/tick/storm';
import type { DocTable } from './doc-table';
import { DynamoAlertStore } from './dynamo-alert-store';
import { DynamoGroupStore } from './dynamo-group-store';
import { createHttpDocTable } from './dynamo-http';
import { DynamoSignalBacklog } from './dynamo-signal-backlog';
import { requireEnv } from './env';
import type { LeanAws } from './lean-aws';
import { channelAttributes, SnsPublisher, topicArnsFromEnv } from './sns-publisher';
import { createSnsPublish } from './sns-http';
import { createSqsCall } from './sqs-http';
import type { AwsJsonCall } from './aws-json';
import { SIGNAL_QUEUE_ENV, SqsSignalSink } from './sqs-signal-sink';

/** How stale a container's view of the tick's SMS pause may be. */
const TICK_STATE_TTL_MS = 10_000;

/** The alert path's stores, publisher, signals and cached checks, built once per container. */
export interface AlertPathWiring {
  readonly doc: DocTable;
  readonly store: DynamoAlertStore;
  readonly groups: DynamoGroupStore;
  readonly publisher: SnsPublisher;
  readonly sqs: AwsJsonCall;
  /** Hands pages of alerts that may be in an incident to the responder; absent without incidents. */
  readonly signals: IncidentSignalSink | undefined;
  readonly signalBacklog: SignalBacklog | undefined;
  /** Silences, read at most every few seconds per container. */
  readonly isSilenced: (labels: Labels) => Promise<boolean>;
  /** The tick's SMS pause flag, cached per container. */
  readonly isSmsPaused: () => Promise<boolean>;
  /** Routes the tick has in storm mode (read when an event could page). */
  readonly stormingRoutes: () => Promise<ReadonlySet<string>>;
  /** False while this container's last read of storm mode found no route storming (see AlertServiceDeps). */
  readonly stormLikely: () => boolean;
}

/** Builds the alert path's wiring from the runtime config, the table name and the Lambda's AWS context. */
export function wireAlertPath(options: {
  readonly config: RuntimeConfig;
  readonly aws: LeanAws;
  readonly tableName: string;
  readonly clock: Clock;
  /** Where a link key that cannot be read is logged (the message goes out without links). */
  readonly log: Log;
}): AlertPathWiring {
  const { config, aws, tableName, clock, log } = options;
  const doc = createHttpDocTable(aws);
  const store = new DynamoAlertStore(doc, { tableName, historyRetentionDays: config.historyRetentionDays });
  const groups = new DynamoGroupStore(doc, tableName);
  const sqs = createSqsCall(aws);
  // With incidents configured the responder's queue must be there: pages would otherwise lose them.
  const queueUrl = config.incidents === undefined ? undefined : requireEnv(SIGNAL_QUEUE_ENV, aws.env);
  const tickState = createCached(() => groups.getTickState(), clock, TICK_STATE_TTL_MS);
  // Read fresh for every event that could page: a cached "no storm" would let pages through in
  // the seconds after the tick folded the queue the change count looks at.
  const storm = stormWatch(() => groups.getTickState());
  return {
    doc,
    store,
    groups,
    publisher: new SnsPublisher(
      createSnsPublish(aws),
      topicArnsFromEnv(aws.env),
      channelAttributes(config.smsSenderId),
      actionLinksFromEnv({ config, clock, log, aws }),
    ),
    sqs,
    signals: queueUrl === undefined ? undefined : new SqsSignalSink(sqs, queueUrl),
    signalBacklog: queueUrl === undefined ? undefined : new DynamoSignalBacklog(doc, tableName),
    isSilenced: createSilenceCheck((now) => groups.listSilences(now, 0), clock),
    isSmsPaused: async () => (await tickState())?.smsPaused === true,
    stormingRoutes: storm.stormingRoutes,
    stormLikely: storm.stormLikely,
  };
}
