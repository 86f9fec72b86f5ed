import type { DocTable, DocWriteRequest } from './doc-table';
import { ALL_SHARDS } from '../domain/shard';

/** Key and index attribute names of the alert-state table. */
export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttl: 'expiresAt',
  dueIndex: 'due',
  dueShard: 'dueShard',
  dueAt: 'dueAt',
} as const;

/**
 * Kinds of entries in the sparse `due` index, each spread over the shards `<KIND>#0` to
 * `<KIND>#15` so that no partition key carries a storm's writes:
 * - OUTBOX: alerts with a notification still to publish, by claim expiry;
 * - CHANGED: alerts whose latest change the tick has not folded yet, oldest first;
 * - FIRING: folded firing alerts, by when they are next checked against CloudWatch;
 * - SETTLED: folded resolved or never-fired alerts, by their last change (history for the CLI);
 * - GROUP: group heads with something scheduled, by when;
 * - MUTED: groups holding firing alerts that a silence or inhibition mutes;
 * - SOURCE: firing alerts that can inhibit others;
 * - SIGNAL: incident signals kept after a failed send, for the tick to send again (one shard).
 */
export type DueKind = 'OUTBOX' | 'CHANGED' | 'FIRING' | 'SETTLED' | 'GROUP' | 'MUTED' | 'SOURCE' | 'SIGNAL';

/** The index partition key of a kind's shard. */
export function dueShardKey(kind: DueKind, shard: number): string {
  return `${kind}#${shard}`;
}

/** The far end of the index: entries that are listed but never due. */
export const NOT_DUE = 8_640_000_000_000_000;

/** Items per index page. */
const PAGE = 100;

/** True when DynamoDB refused a write because its condition did not hold. */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/**
 * Puts the item if its stored `version` still equals `expectedVersion` (undefined: the item must
 * not exist). Returns false when another writer got there first.
 */
export async function putIfVersion(
  doc: DocTable,
  tableName: string,
  item: Record<string, unknown>,
  expectedVersion: number | undefined,
): Promise<boolean> {
  try {
    await doc.put({
      TableName: tableName,
      Item: item,
      ConditionExpression:
        expectedVersion === undefined ? 'attribute_not_exists(pk)' : '#version = :expected',
      ExpressionAttributeNames: expectedVersion === undefined ? undefined : { '#version': 'version' },
      ExpressionAttributeValues: expectedVersion === undefined ? undefined : { ':expected': expectedVersion },
    });
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** A read of one index partition between two `dueAt` values. */
export interface DueRange {
  readonly from: number;
  readonly until: number;
  readonly order?: 'oldest-first' | 'newest-first';
  /** Attributes to return (all when absent). */
  readonly projection?: readonly string[];
}

async function queryPage(
  doc: DocTable,
  tableName: string,
  shardKey: string,
  range: DueRange,
  startKey: Record<string, unknown> | undefined,
  limit: number,
): Promise<{ items: Record<string, unknown>[]; next: Record<string, unknown> | undefined }> {
  const names: Record<string, string> = { '#shard': TABLE_KEYS.dueShard, '#dueAt': TABLE_KEYS.dueAt };
  range.projection?.forEach((p, i) => (names[`#p${i}`] = p));
  const page = await doc.query({
    TableName: tableName,
    IndexName: TABLE_KEYS.dueIndex,
    KeyConditionExpression: '#shard = :shard AND #dueAt BETWEEN :from AND :until',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: { ':shard': shardKey, ':from': range.from, ':until': range.until },
    ProjectionExpression: range.projection?.map((_, i) => `#p${i}`).join(', '),
    ExclusiveStartKey: startKey,
    ScanIndexForward: (range.order ?? 'oldest-first') === 'oldest-first',
    Limit: limit,
  });
  return { items: page.Items ?? [], next: page.LastEvaluatedKey };
}

/**
 * Reads every shard of a kind between two `dueAt` values: one page from each shard still open per
 * round, fetched together, yielded shard by shard (oldest first within a shard). A caller that
 * stops early reads no more.
 */
export async function* queryShards(
  doc: DocTable,
  tableName: string,
  kind: DueKind,
  range: DueRange,
): AsyncGenerator<Record<string, unknown>[]> {
  let open = ALL_SHARDS.map((shard) => ({
    key: dueShardKey(kind, shard),
    start: undefined as Record<string, unknown> | undefined,
  }));
  while (open.length > 0) {
    const pages = await Promise.all(open.map((s) => queryPage(doc, tableName, s.key, range, s.start, PAGE)));
    const still: typeof open = [];
    for (const [i, page] of pages.entries()) {
      const shard = open[i];
      if (shard === undefined) continue;
      if (page.items.length > 0) yield page.items;
      if (page.next) still.push({ key: shard.key, start: page.next });
    }
    open = still;
  }
}

/**
 * Reads one index partition newest or oldest first, up to `limit` items (for bounded listings).
 */
export async function queryDueIndex(
  doc: DocTable,
  tableName: string,
  shardKey: string,
  range: DueRange,
  limit: number,
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await queryPage(
      doc,
      tableName,
      shardKey,
      range,
      startKey,
      Math.min(limit - out.length, 500),
    );
    out.push(...page.items);
    startKey = page.next;
  } while (startKey && out.length < limit);
  return out;
}

/** Counts the entries of every shard of a kind from `since`, at most `perShard` in each. */
export async function countShards(
  doc: DocTable,
  tableName: string,
  kind: DueKind,
  since: number,
  perShard: number,
): Promise<number> {
  const counts = await Promise.all(
    ALL_SHARDS.map(async (shard) => {
      const out = await doc.query({
        TableName: tableName,
        IndexName: TABLE_KEYS.dueIndex,
        KeyConditionExpression: '#shard = :shard AND #dueAt >= :since',
        ExpressionAttributeNames: { '#shard': TABLE_KEYS.dueShard, '#dueAt': TABLE_KEYS.dueAt },
        ExpressionAttributeValues: { ':shard': dueShardKey(kind, shard), ':since': since },
        Select: 'COUNT',
        Limit: perShard,
      });
      return out.Count ?? 0;
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}

const BATCH_ATTEMPTS = 8;

function backoff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
}

/** A batch call kept returning unprocessed items (throttling): the work is reported, not dropped. */
export class BatchIncompleteError extends Error {
  public readonly code = 'BATCH_INCOMPLETE';

  public constructor(what: string, left: number) {
    super(`${what}: ${left} item(s) still unprocessed after ${BATCH_ATTEMPTS} attempts`);
    this.name = 'BatchIncompleteError';
  }
}

type WriteRequest = DocWriteRequest;

/** Writes puts and deletes 25 at a time, retrying what DynamoDB leaves unprocessed. */
export async function batchWrite(
  doc: DocTable,
  tableName: string,
  requests: readonly WriteRequest[],
): Promise<void> {
  for (let i = 0; i < requests.length; i += 25) {
    let pending: WriteRequest[] = requests.slice(i, i + 25);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= BATCH_ATTEMPTS) throw new BatchIncompleteError('BatchWriteItem', pending.length);
      if (attempt > 0) await backoff(attempt);
      const out = await doc.batchWrite({ RequestItems: { [tableName]: pending } });
      pending = out.UnprocessedItems?.[tableName] ?? [];
    }
  }
}

/** Reads items by key 100 at a time, retrying what DynamoDB leaves unprocessed; missing items are absent. */
export async function batchGet(
  doc: DocTable,
  tableName: string,
  keys: readonly Record<string, unknown>[],
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i += 100) {
    let pending: Record<string, unknown>[] = keys.slice(i, i + 100);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= BATCH_ATTEMPTS) throw new BatchIncompleteError('BatchGetItem', pending.length);
      if (attempt > 0) await backoff(attempt);
      const res = await doc.batchGet({
        RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } },
      });
      out.push(...(res.Responses?.[tableName] ?? []));
      pending = res.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
  return out;
}
