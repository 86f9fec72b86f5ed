// In-process dynalite (DynamoDB API on in-memory LevelDB): the local replay's table and the integration tests'.
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { listenOnLoopback } from './loopback';

/** The local DynamoDB could not be started. */
export class LocalDynamoError extends Error {
  public readonly code = 'LOCAL_DYNAMO';

  public constructor(message: string) {
    super(message);
    this.name = 'LocalDynamoError';
  }
}

/** A running dynalite server and a client pointed at it. */
export interface RunningDynalite {
  /** `http://127.0.0.1:<port>` of the server. */
  readonly endpoint: string;
  /** A DynamoDB client configured for the endpoint with dummy credentials. */
  readonly client: DynamoDBClient;
  /** Closes the client and the server. */
  readonly stop: () => Promise<void>;
}

type DynaliteFactory = (options: {
  path?: string;
  createTableMs: number;
  deleteTableMs: number;
  updateTableMs: number;
}) => Server;

function loadDynalite(): DynaliteFactory {
  // dynalite ships no type declarations; check the export's shape before using it.
  const loaded: unknown = createRequire(__filename)('dynalite');
  if (typeof loaded !== 'function') throw new LocalDynamoError('dynalite did not export a factory function');
  return loaded as DynaliteFactory;
}

/** Options of {@link startDynalite}. */
export interface StartDynaliteOptions {
  /** Directory of a LevelDB that keeps the tables across runs. @default - in memory, gone on stop */
  readonly path?: string;
  /**
   * Serve from a worker thread, so the local DynamoDB and the code calling it use a core each (a
   * long replay runs about twice as fast). @default false
   */
  readonly thread?: boolean;
}

// The worker's source: it loads dynalite by the resolved path the parent passes in.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const dynalite = require(workerData.module);
const server = dynalite({ ...workerData.options, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.on('message', () => server.close(() => parentPort.close()));
`;

async function startInThread(
  path: string | undefined,
): Promise<{ port: number; close: () => Promise<void> }> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      module: createRequire(__filename).resolve('dynalite'),
      options: path === undefined ? {} : { path },
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', (value: unknown) =>
      typeof value === 'number'
        ? resolve(value)
        : reject(new LocalDynamoError('dynalite worker sent no port')),
    );
    worker.once('error', reject);
  });
  const close = async (): Promise<void> => {
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage('stop');
    await exited;
  };
  return { port, close };
}

/** Starts dynalite on an ephemeral 127.0.0.1 port with instant table creation. */
export async function startDynalite(options: StartDynaliteOptions = {}): Promise<RunningDynalite> {
  let port: number | undefined;
  let closeServer: () => Promise<void>;
  if (options.thread === true) {
    const running = await startInThread(options.path);
    port = running.port;
    closeServer = running.close;
  } else {
    const server = loadDynalite()({
      ...(options.path === undefined ? {} : { path: options.path }),
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
    });
    port = await listenOnLoopback(server);
    closeServer = () =>
      new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  }
  if (port === undefined) throw new LocalDynamoError('dynalite is not listening on TCP');
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const stop = async (): Promise<void> => {
    client.destroy();
    await closeServer();
  };
  return { endpoint, client, stop };
}

/**
 * Creates the alert-state table as the stack defines it: `pk` (S) + `sk` (S), on-demand,
 * and the sparse `due` index (`dueShard` S, `dueAt` N, projection ALL). TTL is not emulated.
 */
export async function createAlertTable(client: DynamoDBClient, name: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'dueShard', AttributeType: 'S' },
        { AttributeName: 'dueAt', AttributeType: 'N' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'due',
          KeySchema: [
            { AttributeName: 'dueShard', KeyType: 'HASH' },
            { AttributeName: 'dueAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
}
