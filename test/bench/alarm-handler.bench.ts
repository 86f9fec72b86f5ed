// Alarm handler throughput against dynalite next to dynalite's raw conditional-put rate in the
// same run, DynamoDB requests and write units per transition from an instrumented client, and the
// peak RSS of one deployed-bundle process serving 1,000 transitions.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createAlarmHandler } from '../../functions/alarm-handler/create-handler';
import { DynamoAlertStore, alertKey } from '../../shared/adapters/dynamo-alert-store';
import { DynamoGroupStore } from '../../shared/adapters/dynamo-group-store';
import { channelAttributes, SnsPublisher, TOPIC_ENV } from '../../shared/adapters/sns-publisher';
import { sdkSnsPublish } from '../../shared/adapters/sns-sdk';
import { sdkDocTable } from '../../shared/adapters/dynamo-sdk-table';
import type { Channel } from '../../shared/domain/alert';
import { parseAlarmEvent } from '../../shared/domain/alarm-event';
import { resolveAlertIdentity } from '../../shared/domain/alert-identity';
import { fingerprintOf } from '../../shared/domain/fingerprint';
import type { Log } from '../../shared/domain/ports';
import { createSilenceCheck } from '../../shared/domain/silence';
import { createCached } from '../../shared/domain/cached';
import { createAlertTable } from '../../shared/replay/local-dynamo';
import { alarmActionEvent, toCloudWatchTime } from '../../shared/replay/alarm-events';
import { stormAlarmNames, stormConfig } from '../support/storm-scenario';
import { buildDeployed } from './build';
import type { Figures } from './figures';
import { figureOf, ratioFigure } from './figures';
import type { BenchLambda } from './lambdas';
import { lambdaProcessEnvironment, runLambdaProcess, writeRunner } from './lambda-process';
import type { BenchPeers } from './peers';
import { startBenchPeers } from './peers';

/** Options of {@link runAlarmHandlerBench}. */
export interface AlarmHandlerBenchOptions {
  readonly runs: number;
  /** Transitions per run (half firings, half resolves). */
  readonly transitions: number;
  /** The alarm handler's entry in the Lambda list, for the RSS process. */
  readonly lambda: BenchLambda;
  readonly outDir: string;
}

const WRITE_COMMANDS = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand']);

/** DynamoDB requests and consumed write units, counted by middleware on the client. */
interface DynamoCounts {
  requests: number;
  writes: number;
  writeUnits: number;
  readonly byCommand: Map<string, number>;
}

/**
 * A DynamoDB client that asks for ConsumedCapacity on every request and counts what it sends.
 * dynalite computes the units with DynamoDB's rule (1 WCU per started KB of the larger of the old
 * and new item).
 */
function instrumentedClient(endpoint: string): { client: DynamoDBClient; counts: DynamoCounts } {
  const counts: DynamoCounts = { requests: 0, writes: 0, writeUnits: 0, byCommand: new Map() };
  const client = new DynamoDBClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    maxAttempts: 1,
  });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? 'unknown';
      counts.requests += 1;
      counts.byCommand.set(command, (counts.byCommand.get(command) ?? 0) + 1);
      const input = args.input as Record<string, unknown>;
      input['ReturnConsumedCapacity'] = 'TOTAL';
      const isWrite = WRITE_COMMANDS.has(command);
      if (isWrite) counts.writes += 1;
      try {
        const result = await next(args);
        const output = result.output as { ConsumedCapacity?: { CapacityUnits?: number } };
        if (isWrite) counts.writeUnits += output.ConsumedCapacity?.CapacityUnits ?? 0;
        return result;
      } catch (error) {
        // A failed condition still consumes write units; DynamoDB charges them, dynalite does not say.
        if (isWrite) counts.writeUnits += 1;
        throw error;
      }
    },
    { step: 'initialize', name: 'vigilBenchCounter' },
  );
  return { client, counts };
}

const quietLog: Log = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

const SPACING_MS = 20_000;
const START = Date.now() - 12 * 3_600_000;

/**
 * `count` transitions in time order, stamped in the hours before now: alarm i fires at i x 40 s
 * and resolves 20 s later; every tenth alarm is critical (published at once).
 */
export function handlerTransitions(count: number, salt: string): { at: number; event: unknown }[] {
  const alarms = stormAlarmNames(Math.ceil(count / 2)).map((name) => `${name}-${salt}`);
  return alarms
    .flatMap((name, i) => {
      const firedAt = START + i * 2 * SPACING_MS;
      const resolvedAt = firedAt + SPACING_MS;
      return [
        {
          at: firedAt,
          event: alarmActionEvent(name, 'ALARM', toCloudWatchTime(firedAt), {
            state: 'OK',
            timestamp: toCloudWatchTime(firedAt - 60_000),
          }),
        },
        {
          at: resolvedAt,
          event: alarmActionEvent(name, 'OK', toCloudWatchTime(resolvedAt), {
            state: 'ALARM',
            timestamp: toCloudWatchTime(firedAt),
          }),
        },
      ];
    })
    .slice(0, count);
}

/** One run of the handler, wired as functions/alarm-handler/handler.ts wires it, over `events`. */
async function runHandler(
  peers: BenchPeers,
  tableName: string,
  events: readonly { at: number; event: unknown }[],
): Promise<{ ms: number; counts: DynamoCounts; sampleKey: Record<string, AttributeValue> }> {
  const { client, counts } = instrumentedClient(peers.dynamoEndpoint);
  const config = stormConfig();
  const doc = sdkDocTable(
    DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
  );
  const groups = new DynamoGroupStore(doc, tableName);
  // The wall clock, as in the Lambda: caches (silences 15 s, SMS pause 60 s) and storm detection
  // see the real arrival rate.
  const clock = (): number => Date.now();
  const sns = new SNSClient({
    endpoint: peers.awsUrl,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const topics = Object.fromEntries(
    Object.keys(TOPIC_ENV).map((c) => [c, `arn:aws:sns:eu-west-1:123456789012:vigil-bench-${c}`]),
  ) as Record<Channel, string>;
  const handler = createAlarmHandler({
    config,
    store: new DynamoAlertStore(doc, { tableName, historyRetentionDays: config.historyRetentionDays }),
    isSilenced: createSilenceCheck((t) => groups.listSilences(t, 0), clock),
    isSmsPaused: createCached(async () => (await groups.getTickState())?.smsPaused === true, clock),
    publisher: new SnsPublisher(sdkSnsPublish(sns), topics, channelAttributes(config.smsSenderId)),
    deadLetter: { send: () => Promise.reject(new Error('no event of the benchmark may be dead-lettered')) },
    clock,
    log: quietLog,
  });
  const started = performance.now();
  let request = 0;
  for (const { event } of events) {
    const response = await handler(event, { awsRequestId: `bench-${++request}` });
    if (response !== undefined && response.batchItemFailures.length > 0) {
      throw new Error(`alarm handler reported failures: ${JSON.stringify(response)}`);
    }
  }
  const ms = performance.now() - started;
  const first = events[0];
  if (first === undefined) throw new Error('no transitions to run');
  const change = parseAlarmEvent(first.event);
  const key = alertKey(fingerprintOf(resolveAlertIdentity(config, change).labels));
  client.destroy();
  sns.destroy();
  return { ms, counts, sampleKey: { pk: { S: key.pk }, sk: { S: key.sk } } };
}

/** Raw conditional puts of `count` copies of a real alert item under fresh keys; milliseconds. */
async function runRawPuts(
  client: DynamoDBClient,
  tableName: string,
  item: Record<string, AttributeValue>,
  count: number,
): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { ...item, pk: { S: `RAW#${i}` }, sk: { S: 'STATE' } },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }
  return performance.now() - started;
}

/** Peak RSS of one process of the deployed bundle serving `transitions` transitions, in MB. */
async function measureHandlerRss(
  options: AlarmHandlerBenchOptions,
  peers: BenchPeers,
  run: number,
): Promise<{ rssMb: number; rate: number }> {
  const bundle = await buildDeployed(options.lambda, options.outDir);
  const runner = writeRunner(options.outDir);
  const dir = path.join(options.outDir, 'events');
  mkdirSync(dir, { recursive: true });
  const eventsFile = path.join(dir, `rss-${run}.json`);
  writeFileSync(
    eventsFile,
    JSON.stringify(handlerTransitions(options.transitions, `rss${run}`).map(({ event }) => event)),
  );
  const result = await runLambdaProcess(
    runner,
    bundle.file,
    eventsFile,
    lambdaProcessEnvironment(options.lambda, peers),
    600_000,
  );
  return { rssMb: result.maxRssBytes / 1024 / 1024, rate: (options.transitions / result.msInvoking) * 1000 };
}

/** The section: throughput, its ratio to raw puts, requests and write units per transition, RSS. */
export async function runAlarmHandlerBench(options: AlarmHandlerBenchOptions): Promise<Figures> {
  const peers = await startBenchPeers('vigil-throughput-rss');
  const handlerRates: number[] = [];
  const rawRates: number[] = [];
  const requests: number[] = [];
  const writes: number[] = [];
  const writeUnits: number[] = [];
  const rss: number[] = [];
  const bundleRates: number[] = [];
  const perCommand = new Map<string, number[]>();
  try {
    // One untimed warm-up run so the JIT and dynalite's first table are not in the figures.
    for (let run = -1; run < options.runs; run++) {
      const tableName = `throughput-${run + 1}`;
      await createAlertTable(peers.dynalite.client, tableName);
      const events = handlerTransitions(options.transitions, `r${run + 1}`);
      const handler = await runHandler(peers, tableName, events);
      const sample = await peers.dynalite.client.send(
        new GetItemCommand({ TableName: tableName, Key: handler.sampleKey }),
      );
      if (sample.Item === undefined) throw new Error('the handler wrote no alert item');
      const rawMs = await runRawPuts(peers.dynalite.client, tableName, sample.Item, options.transitions);
      if (run < 0) continue;
      handlerRates.push((options.transitions / handler.ms) * 1000);
      rawRates.push((options.transitions / rawMs) * 1000);
      requests.push(handler.counts.requests / options.transitions);
      writes.push(handler.counts.writes / options.transitions);
      writeUnits.push(handler.counts.writeUnits / options.transitions);
      for (const [command, n] of handler.counts.byCommand) {
        perCommand.set(command, [...(perCommand.get(command) ?? []), n / options.transitions]);
      }
      const measured = await measureHandlerRss(options, peers, run);
      rss.push(measured.rssMb);
      bundleRates.push(measured.rate);
    }
  } finally {
    await peers.stop();
  }
  return {
    'alarm handler throughput (source, in process)': figureOf(handlerRates, 'transitions/s'),
    'dynalite raw conditional puts': figureOf(rawRates, 'puts/s'),
    'alarm handler / raw conditional puts': ratioFigure(handlerRates, rawRates, { op: '>=', value: 0.5 }),
    'DynamoDB requests per transition': figureOf(requests, 'requests'),
    'DynamoDB writes per transition': figureOf(writes, 'writes', { op: '<=', value: 2 }),
    'DynamoDB write units per transition': figureOf(writeUnits, 'WCU'),
    ...Object.fromEntries(
      [...perCommand].map(([command, samples]) => [
        `DynamoDB ${command.replace(/Command$/, '')} per transition`,
        figureOf(samples, 'requests'),
      ]),
    ),
    [`peak RSS, deployed bundle serving ${options.transitions} transitions`]: figureOf(rss, 'MB', {
      op: '<=',
      value: 150,
    }),
    'alarm handler throughput (deployed bundle, own process)': figureOf(bundleRates, 'transitions/s'),
  };
}
