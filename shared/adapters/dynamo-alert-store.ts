import type { DocTable } from './doc-table';
import * as z from 'zod/mini';
import '../domain/zod-locale';
import { ALARM_STATES, CHANNELS, SEVERITIES } from '../domain/alert';
import type { AlertRecord } from '../domain/alert-record';
import type { AlertStore } from '../domain/ports';
import { shardOf, SHARDS } from '../domain/shard';
import type { DueKind } from './dynamo-index';
import {
  countShards,
  dueShardKey,
  isConditionFailure,
  NOT_DUE,
  putIfVersion,
  queryShards,
  TABLE_KEYS,
} from './dynamo-index';

export { TABLE_KEYS } from './dynamo-index';

const STATE_SK = 'STATE';

const outboxSchema = z.object({
  id: z.string(),
  status: z.enum(['firing', 'resolved', 'acknowledged']),
  channels: z.array(z.enum(CHANNELS)),
  createdAt: z.number(),
  claimedBy: z.optional(z.string()),
  claimUntil: z.optional(z.number()),
  attempts: z.number(),
});

/** Stored shape of an alert's annotations (shared by the alert and group items). */
export const annotationsSchema = z.object({
  summary: z.string(),
  description: z.optional(z.string()),
  runbookUrl: z.optional(z.string()),
  alarmUrl: z.optional(z.string()),
  dashboardUrl: z.optional(z.string()),
  reason: z.optional(z.string()),
  traceId: z.optional(z.string()),
  severityReason: z.optional(z.string()),
});

const itemSchema = z.object({
  fingerprint: z.string(),
  alarmName: z.string(),
  ruleId: z.optional(z.string()),
  status: z.enum(['inactive', 'firing', 'resolved']),
  severity: z.enum(SEVERITIES),
  labels: z.record(z.string(), z.string()),
  annotations: annotationsSchema,
  alarmState: z.enum(ALARM_STATES),
  lastChangeAt: z.number(),
  startsAt: z.optional(z.number()),
  endsAt: z.optional(z.number()),
  value: z.optional(z.number()),
  threshold: z.optional(z.number()),
  comparison: z.optional(z.string()),
  unit: z.optional(z.string()),
  region: z.optional(z.string()),
  alarmArn: z.optional(z.string()),
  notified: z.array(z.enum(CHANNELS)),
  outbox: z.optional(outboxSchema),
  ack: z.optional(z.object({ by: z.string(), at: z.number() })),
  episodeSeverities: z.optional(z.array(z.enum(SEVERITIES))),
  resolveHeld: z.optional(z.boolean()),
  dirtyAt: z.optional(z.number()),
  version: z.number(),
});

/** Parses a stored alert item (e.g. one read from the `due` index). */
export function parseAlertItem(item: Record<string, unknown>): AlertRecord {
  return itemSchema.parse(item);
}

/** Options of {@link DynamoAlertStore}. */
export interface DynamoAlertStoreOptions {
  readonly tableName: string;
  /** Days a resolved alert is kept before DynamoDB TTL removes it. */
  readonly historyRetentionDays: number;
}

/** Key of an alert's state item. */
export function alertKey(fingerprint: string): { pk: string; sk: string } {
  return { pk: `ALERT#${fingerprint}`, sk: STATE_SK };
}

/** The index shard of an alert, for every kind it passes through. */
function alertShard(kind: DueKind, fingerprint: string): string {
  return dueShardKey(kind, shardOf(fingerprint, SHARDS));
}

/**
 * AlertStore on one DynamoDB item per alert. Every write is a single conditional PutItem on the
 * version that queues the alert in the sparse `due` index: OUTBOX while a notification is pending,
 * else CHANGED until the tick folds it; folding moves it to FIRING (by its next reconcile check) or
 * SETTLED. Each kind is sharded by fingerprint.
 */
export class DynamoAlertStore implements AlertStore {
  public constructor(
    private readonly doc: DocTable,
    private readonly options: DynamoAlertStoreOptions,
  ) {}

  /** @inheritdoc */
  public async get(fingerprint: string): Promise<AlertRecord | undefined> {
    const out = await this.doc.get({
      TableName: this.options.tableName,
      Key: alertKey(fingerprint),
      ConsistentRead: true,
    });
    if (!out.Item) return undefined;
    return itemSchema.parse(out.Item);
  }

  /** @inheritdoc */
  public async *dueOutboxes(until: number): AsyncIterable<readonly string[]> {
    const pages = queryShards(this.doc, this.options.tableName, 'OUTBOX', {
      from: 0,
      until,
      projection: ['fingerprint'],
    });
    for await (const page of pages) {
      yield page.flatMap((item) => (typeof item['fingerprint'] === 'string' ? [item['fingerprint']] : []));
    }
  }

  /** @inheritdoc */
  public async *unfolded(): AsyncIterable<readonly AlertRecord[]> {
    for await (const page of queryShards(this.doc, this.options.tableName, 'CHANGED', {
      from: 0,
      until: NOT_DUE,
    })) {
      yield page.map(parseAlertItem);
    }
  }

  /** @inheritdoc */
  public async markFolded(record: AlertRecord, checkAt: number | undefined): Promise<boolean> {
    const firing = record.status === 'firing';
    try {
      await this.doc.update({
        TableName: this.options.tableName,
        Key: alertKey(record.fingerprint),
        UpdateExpression: 'SET #shard = :shard, #dueAt = :at',
        ConditionExpression: '#version = :version',
        ExpressionAttributeNames: {
          '#shard': TABLE_KEYS.dueShard,
          '#dueAt': TABLE_KEYS.dueAt,
          '#version': 'version',
        },
        ExpressionAttributeValues: {
          ':shard': alertShard(firing ? 'FIRING' : 'SETTLED', record.fingerprint),
          ':at': firing ? (checkAt ?? NOT_DUE) : (record.endsAt ?? record.lastChangeAt),
          ':version': record.version,
        },
      });
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** @inheritdoc */
  public countUnfoldedSince(since: number, limit: number): Promise<number> {
    // Changes spread evenly over the shards, so a few per shard tell whether the limit is crossed.
    return countShards(this.doc, this.options.tableName, 'CHANGED', since, Math.ceil(limit / SHARDS) * 2);
  }

  /** @inheritdoc */
  public async *dueForCheck(until: number): AsyncIterable<readonly AlertRecord[]> {
    for await (const page of queryShards(this.doc, this.options.tableName, 'FIRING', { from: 0, until })) {
      yield page.map(parseAlertItem);
    }
  }

  /** @inheritdoc */
  public async *firing(): AsyncIterable<readonly AlertRecord[]> {
    for (const kind of ['FIRING', 'OUTBOX', 'CHANGED'] as const) {
      for await (const page of queryShards(this.doc, this.options.tableName, kind, {
        from: 0,
        until: NOT_DUE,
      })) {
        yield page.map(parseAlertItem).filter((a) => a.status === 'firing');
      }
    }
  }

  /** @inheritdoc */
  public async put(
    record: AlertRecord,
    expectedVersion: number | undefined,
  ): Promise<AlertRecord | undefined> {
    const stored: AlertRecord = { ...record, version: (expectedVersion ?? 0) + 1 };
    const item: Record<string, unknown> = { ...alertKey(record.fingerprint), ...stored };
    if (stored.outbox) {
      item[TABLE_KEYS.dueShard] = alertShard('OUTBOX', stored.fingerprint);
      item[TABLE_KEYS.dueAt] = stored.outbox.claimUntil ?? stored.outbox.createdAt;
    } else {
      // Queued for the tick's fold, oldest change first.
      item[TABLE_KEYS.dueShard] = alertShard('CHANGED', stored.fingerprint);
      item[TABLE_KEYS.dueAt] = stored.dirtyAt ?? stored.lastChangeAt;
    }
    if (stored.status !== 'firing' && !stored.outbox) {
      const since = stored.endsAt ?? stored.lastChangeAt;
      item[TABLE_KEYS.ttl] = Math.floor(since / 1000) + this.options.historyRetentionDays * 86_400;
    }
    return (await putIfVersion(this.doc, this.options.tableName, item, expectedVersion)) ? stored : undefined;
  }
}
