import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';

/** Key and index attribute names of the alert-state table. */
export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttl: 'expiresAt',
  dueIndex: 'due',
  dueShard: 'dueShard',
  dueAt: 'dueAt',
} as const;

/** True when DynamoDB refused a write because its condition did not hold. */
export function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}

/**
 * Puts the item if its stored `version` still equals `expectedVersion` (undefined: the item must
 * not exist). Returns false when another writer got there first.
 */
export async function putIfVersion(
  doc: DynamoDBDocumentClient,
  tableName: string,
  item: Record<string, unknown>,
  expectedVersion: number | undefined,
): Promise<boolean> {
  try {
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: item,
        ConditionExpression:
          expectedVersion === undefined ? 'attribute_not_exists(pk)' : '#version = :expected',
        ExpressionAttributeNames: expectedVersion === undefined ? undefined : { '#version': 'version' },
        ExpressionAttributeValues:
          expectedVersion === undefined ? undefined : { ':expected': expectedVersion },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * Reads one shard of the sparse `due` index between two `dueAt` values, paging up to `limit` items,
 * oldest first (or newest first).
 */
export async function queryDueIndex(
  doc: DynamoDBDocumentClient,
  tableName: string,
  shard: string,
  from: number,
  until: number,
  limit: number,
  order: 'oldest-first' | 'newest-first' = 'oldest-first',
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: TABLE_KEYS.dueIndex,
        KeyConditionExpression: '#shard = :shard AND #dueAt BETWEEN :from AND :until',
        ExpressionAttributeNames: { '#shard': TABLE_KEYS.dueShard, '#dueAt': TABLE_KEYS.dueAt },
        ExpressionAttributeValues: { ':shard': shard, ':from': from, ':until': until },
        ExclusiveStartKey: startKey,
        ScanIndexForward: order === 'oldest-first',
        Limit: Math.min(limit - out.length, 500),
      }),
    );
    out.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey && out.length < limit);
  return out;
}
