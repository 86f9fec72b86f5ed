/** {@link DocTable} on the SDK's document client: the CLI (operator credentials), the replay and tests. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { BatchWriteOutput, DocTable, DocWriteRequest } from './doc-table';

/** Wraps a document client (or builds one, removing undefined values, over a plain client). */
export function sdkDocTable(client: DynamoDBClient | DynamoDBDocumentClient): DocTable {
  const doc =
    client instanceof DynamoDBDocumentClient
      ? client
      : DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return {
    get: (input) => doc.send(new GetCommand(input)),
    put: (input) => doc.send(new PutCommand(input)),
    update: (input) => doc.send(new UpdateCommand(input)),
    delete: (input) => doc.send(new DeleteCommand(input)),
    query: (input) => doc.send(new QueryCommand(input)),
    batchGet: (input) => doc.send(new BatchGetCommand(input)),
    batchWrite: async (input): Promise<BatchWriteOutput> => {
      const out = await doc.send(new BatchWriteCommand(input));
      return { UnprocessedItems: out.UnprocessedItems as Record<string, DocWriteRequest[]> | undefined };
    },
  };
}
