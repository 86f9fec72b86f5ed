/**
 * Where the CLI reads and writes: the alert-state table in AWS (the operator's default credential
 * chain and region) or a local replay state directory (`--local DIR`).
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { deriveRuntimeConfig } from '../../infra/config/derive';
import { OUTPUT_KEYS, stackNameOf } from '../../infra/config/outputs';
import { loadStageConfig } from '../../infra/config/stages';
import { DynamoAuditLog } from '../adapters/dynamo-action-store';
import { DynamoAlertStore } from '../adapters/dynamo-alert-store';
import { DynamoGroupStore } from '../adapters/dynamo-group-store';
import { DynamoIncidentStore } from '../adapters/dynamo-incident-store';
import { channelAttributes, SnsPublisher, topicArnsFromEnv } from '../adapters/sns-publisher';
import type { DocTable } from '../adapters/doc-table';
import { sdkDocTable } from '../adapters/dynamo-sdk-table';
import { sdkSnsPublish } from '../adapters/sns-sdk';
import type { Channel } from '../domain/alert';
import type { Clock, Log, Publisher } from '../domain/ports';
import type { RuntimeConfig } from '../domain/runtime-config';
import { startDynalite } from '../replay/local-dynamo';
import {
  appendStateMessages,
  localStatePaths,
  lockStateDir,
  readStateMeta,
  setStateEnd,
} from '../replay/local-state';
import { toReplayMessage } from '../replay/run-scenario';
import type { CliIo } from './cli-support';
import { CliError, EXIT, oneLine, usageError } from './cli-support';
import { readStackOutputs } from './stack-outputs';

/** Env var naming the alert-state table in AWS mode (`--table` wins). */
export const TABLE_ENV = 'VIGIL_TABLE';
/** Env var naming the stage whose runtime config the CLI uses in AWS mode (`--stage` wins). */
export const STAGE_ENV = 'VIGIL_STAGE';
/** Env var naming a local replay state directory (`--local` wins). */
export const LOCAL_ENV = 'VIGIL_LOCAL';

/** Flags that choose the target. */
export interface TargetFlags {
  readonly local?: string;
  readonly table?: string;
  readonly stage?: string;
  readonly region?: string;
}

/** An opened target. */
export interface CliTarget {
  /** One line naming what the CLI works on. */
  readonly description: string;
  readonly config: RuntimeConfig;
  readonly clock: Clock;
  readonly doc: DocTable;
  readonly tableName: string;
  readonly alerts: DynamoAlertStore;
  readonly groups: DynamoGroupStore;
  readonly incidents: DynamoIncidentStore;
  /** The audit trail of actions on alerts. */
  readonly audit: DynamoAuditLog;
  /** Publishes a hand resolve at once; channels it cannot reach are left to the tick's outbox sweep. */
  readonly publisher: Publisher;
  /** True when {@link publisher} reaches this channel. */
  canPublish(channel: Channel): boolean;
  /** Where messages go, for the operator. */
  readonly publishesTo: string;
  /** Moves a local state's virtual clock to `at` (epoch ms); absent in AWS, where time is real. */
  readonly advanceClock?: (at: number) => void;
  /** Closes the clients (and the local DynamoDB). */
  close(): Promise<void>;
}

/** The CLI's log port: operator commands report through their output, so only problems reach stderr. */
export function stderrLog(io: CliIo): Log {
  const write =
    (level: string) =>
    (message: string, extra?: Record<string, unknown>): void =>
      io.stderr(`vigil: ${level}: ${message}${extra ? ` ${JSON.stringify(extra)}` : ''}\n`);
  const quiet = (): void => undefined;
  return { debug: quiet, info: quiet, warn: write('warning'), error: write('error') };
}

function documentClient(client: DynamoDBClient): DocTable {
  return sdkDocTable(client);
}

function stores(doc: DocTable, tableName: string, config: RuntimeConfig) {
  return {
    alerts: new DynamoAlertStore(doc, { tableName, historyRetentionDays: config.historyRetentionDays }),
    groups: new DynamoGroupStore(doc, tableName),
    incidents: new DynamoIncidentStore(doc, { tableName, retentionDays: config.historyRetentionDays }),
    audit: new DynamoAuditLog(doc, { tableName, retentionDays: config.historyRetentionDays }),
  };
}

/**
 * Opens a local replay state: its LevelDB through an in-process DynamoDB, its runtime config, and
 * a clock at the replay's virtual end (moved on only by `vigil --local DIR tick`), so acting on
 * the state continues where the run stopped. Publishes are appended to the state's
 * `messages.jsonl`, never sent to AWS.
 */
export async function openLocalTarget(dir: string): Promise<CliTarget> {
  const meta = readStateMeta(dir);
  const paths = localStatePaths(dir);
  const unlock = lockStateDir(dir);
  let dynamo;
  try {
    dynamo = await startDynalite({ path: paths.dynamo });
  } catch (cause) {
    unlock();
    throw new CliError(EXIT.failure, `--local ${dir}: cannot open the local table (${String(cause)})`, {
      cause,
    });
  }
  const doc = documentClient(dynamo.client);
  let now = Date.parse(meta.end);
  const clock: Clock = () => now;
  const local = stores(doc, meta.table, meta.config);
  const publisher: Publisher = {
    publish: async (_channel, notification) => {
      // A digest's line names every alarm of its stored list, as the replay's own lines do.
      const digest = notification.digest ? await local.groups.getDigest(notification.digest.id) : undefined;
      appendStateMessages(dir, [toReplayMessage(clock(), notification, digest)]);
    },
  };
  return {
    description: `local replay state ${dir} (stage ${meta.stage}, at ${meta.end})`,
    config: meta.config,
    clock,
    doc,
    tableName: meta.table,
    ...local,
    publisher,
    canPublish: () => true,
    publishesTo: paths.messages,
    advanceClock: (at) => {
      now = at;
      setStateEnd(dir, new Date(at).toISOString());
    },
    close: async () => {
      try {
        await dynamo.stop();
      } finally {
        unlock();
      }
    },
  };
}

function stageConfig(stage: string): RuntimeConfig {
  try {
    return deriveRuntimeConfig(loadStageConfig(stage));
  } catch (error) {
    throw usageError(`--stage ${stage}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The table a deployed stage's stack names in its outputs. */
async function tableFromStack(stage: string, region: string | undefined): Promise<string> {
  const stackName = stackNameOf(stage);
  const cfn = new CloudFormationClient(region === undefined ? {} : { region });
  let outputs;
  try {
    outputs = await readStackOutputs(cfn, stage);
  } catch (cause) {
    throw new CliError(
      EXIT.failure,
      `--stage ${stage}: cannot read stack ${stackName} (${oneLine(cause)}); or give --table`,
      {
        cause,
      },
    );
  } finally {
    cfn.destroy();
  }
  if (outputs === undefined) {
    throw usageError(
      `--stage ${stage}: no stack ${stackName} in this region; deploy it, pass --region, or give --table (or set ${TABLE_ENV}, or use --local DIR for a replay state)`,
    );
  }
  const tableName = outputs[OUTPUT_KEYS.table];
  if (tableName === undefined) {
    throw new CliError(
      EXIT.failure,
      `stack ${stackName} has no ${OUTPUT_KEYS.table} output; deploy it again, or give --table`,
    );
  }
  return tableName;
}

/**
 * Opens the stage's table in AWS with the operator's default credential chain and region: the one
 * `--table` (or `VIGIL_TABLE`) names, else the one the stage's stack names in its outputs. Resolves
 * are published at once to the channel topics named by `TOPIC_ARN_<CHANNEL>` env vars (as the
 * Lambdas are configured); channels without one are published by the tick within a minute, so an
 * operator needs no sns:Publish.
 */
export async function openAwsTarget(flags: TargetFlags, io: CliIo): Promise<CliTarget> {
  const stage = flags.stage ?? io.env[STAGE_ENV] ?? 'dev';
  const config = stageConfig(stage);
  const region = flags.region;
  const named = flags.table ?? io.env[TABLE_ENV];
  const tableName = named === undefined || named === '' ? await tableFromStack(stage, region) : named;
  const topics = topicArnsFromEnv(io.env);
  const client = new DynamoDBClient(region === undefined ? {} : { region });
  const doc = documentClient(client);
  const sns = new SNSClient(region === undefined ? {} : { region });
  const topicChannels = Object.keys(topics);
  return {
    description: `table ${tableName} (stage ${stage}${region === undefined ? '' : `, ${region}`})`,
    config,
    clock: io.now ?? (() => Date.now()),
    doc,
    tableName,
    ...stores(doc, tableName, config),
    publisher: new SnsPublisher(sdkSnsPublish(sns), topics, channelAttributes(config.smsSenderId)),
    canPublish: (channel) => topics[channel] !== undefined,
    publishesTo:
      topicChannels.length === 0 ? 'the tick (no TOPIC_ARN_* set)' : `SNS (${topicChannels.join(', ')})`,
    close: () => {
      client.destroy();
      sns.destroy();
      return Promise.resolve();
    },
  };
}

/** Opens the target the flags (or `VIGIL_LOCAL`) name. */
export async function openTarget(flags: TargetFlags, io: CliIo): Promise<CliTarget> {
  const local = flags.local ?? io.env[LOCAL_ENV];
  if (local !== undefined && local !== '') {
    if (flags.table !== undefined || flags.stage !== undefined) {
      throw usageError('--local cannot be combined with --table or --stage (the state names its own)');
    }
    return openLocalTarget(local);
  }
  return openAwsTarget(flags, io);
}

/** Opens the target, runs the action, and always closes the target. */
export async function withTarget(
  flags: { local?: string; table?: string; stage?: string; region?: string },
  io: CliIo,
  action: (target: CliTarget) => Promise<number>,
): Promise<number> {
  const target = await openTarget(flags, io);
  try {
    return await action(target);
  } finally {
    await target.close();
  }
}
