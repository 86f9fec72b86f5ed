// In-process dynalite (DynamoDB API on in-memory LevelDB): the local replay's table and the integration tests'.
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
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
}

/** Starts dynalite on an ephemeral 127.0.0.1 port with instant table creation. */
export async function startDynalite(options: StartDynaliteOptions = {}): Promise<RunningDynalite> {
  const server = loadDynalite()({
    ...(options.path === undefined ? {} : { path: options.path }),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  const port = await listenOnLoopback(server);
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
    await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
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
