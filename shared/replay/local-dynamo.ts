// In-process dynalite (DynamoDB API on in-memory LevelDB): the local replay's table and the integration tests'.
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
  /** Peak resident memory of the server's own process in MB, when it runs in one (Linux). */
  readonly peakRssMb: () => number | undefined;
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
   * Serve from a child process: the local DynamoDB gets a core and a heap of its own, apart from
   * the code calling it (a long replay's memory and time are then the pipeline's). @default false
   */
  readonly ownProcess?: boolean;
}

// Idle keep-alive sockets stay open longer than any pause between a run's calls, so the client
// never reuses a socket the server is closing (a reset under load).
const KEEP_ALIVE_MS = 120_000;

// The child's source: it loads dynalite by the resolved path given as its argument and prints its port.
const CHILD_SOURCE = `
const [module, options] = process.argv.slice(1);
const server = require(module)({ ...JSON.parse(options), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.keepAliveTimeout = ${KEEP_ALIVE_MS};
server.headersTimeout = ${KEEP_ALIVE_MS + 1_000};
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

async function startInChild(
  path: string | undefined,
): Promise<{ port: number; pid: number | undefined; close: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      CHILD_SOURCE,
      createRequire(__filename).resolve('dynalite'),
      JSON.stringify(path === undefined ? {} : { path }),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const line = text.split('\n')[0];
      if (text.includes('\n') && line !== undefined) resolve(Number(line));
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new LocalDynamoError(`local DynamoDB process exited (${code})`)));
  });
  const close = async (): Promise<void> => {
    if (child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  };
  return { port, pid: child.pid, close };
}

/** Peak resident memory of a process in MB (Linux), when it can be read. */
export function peakRssMbOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmHWM:'));
    const kb = Number(line?.replace(/[^0-9]/g, ''));
    return Number.isFinite(kb) && kb > 0 ? Math.round(kb / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/** Starts dynalite on an ephemeral 127.0.0.1 port with instant table creation. */
export async function startDynalite(options: StartDynaliteOptions = {}): Promise<RunningDynalite> {
  let port: number | undefined;
  let pid: number | undefined;
  let closeServer: () => Promise<void>;
  if (options.ownProcess === true) {
    const running = await startInChild(options.path);
    port = running.port;
    pid = running.pid;
    closeServer = running.close;
  } else {
    const server = loadDynalite()({
      ...(options.path === undefined ? {} : { path: options.path }),
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
    });
    server.keepAliveTimeout = KEEP_ALIVE_MS;
    server.headersTimeout = KEEP_ALIVE_MS + 1_000;
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
  return { endpoint, client, stop, peakRssMb: () => peakRssMbOf(pid) };
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
