import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { ALARM_STATES, CHANNELS, SEVERITIES } from '../domain/alert';
import type { AlertRecord } from '../domain/alert-record';
import type { AlertStore } from '../domain/ports';
import { putIfVersion, queryDueIndex, TABLE_KEYS } from './dynamo-index';

export { TABLE_KEYS } from './dynamo-index';

const STATE_SK = 'STATE';

const outboxSchema = z.object({
  id: z.string(),
  status: z.enum(['firing', 'resolved']),
  channels: z.array(z.enum(CHANNELS)),
  createdAt: z.number(),
  claimedBy: z.string().optional(),
  claimUntil: z.number().optional(),
  attempts: z.number(),
});

/** Stored shape of an alert's annotations (shared by the alert and group items). */
export const annotationsSchema = z.object({
  summary: z.string(),
  description: z.string().optional(),
  runbookUrl: z.string().optional(),
  alarmUrl: z.string().optional(),
  dashboardUrl: z.string().optional(),
  reason: z.string().optional(),
  traceId: z.string().optional(),
});

const itemSchema = z.object({
  fingerprint: z.string(),
  alarmName: z.string(),
  ruleId: z.string().optional(),
  status: z.enum(['inactive', 'firing', 'resolved']),
  severity: z.enum(SEVERITIES),
  labels: z.record(z.string(), z.string()),
  annotations: annotationsSchema,
  alarmState: z.enum(ALARM_STATES),
  lastChangeAt: z.number(),
  startsAt: z.number().optional(),
  endsAt: z.number().optional(),
  value: z.number().optional(),
  threshold: z.number().optional(),
  comparison: z.string().optional(),
  unit: z.string().optional(),
  region: z.string().optional(),
  alarmArn: z.string().optional(),
  notified: z.array(z.enum(CHANNELS)),
  outbox: outboxSchema.optional(),
  ack: z.object({ by: z.string(), at: z.number() }).optional(),
  episodeSeverities: z.array(z.enum(SEVERITIES)).optional(),
  dirtyAt: z.number().optional(),
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

/**
 * AlertStore on one DynamoDB item per alert. Every write is a single conditional PutItem on the
 * version; a pending outbox puts the item in the sparse `due` index so a sweeper can find it.
 */
export class DynamoAlertStore implements AlertStore {
  public constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly options: DynamoAlertStoreOptions,
  ) {}

  /** @inheritdoc */
  public async get(fingerprint: string): Promise<AlertRecord | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.options.tableName, Key: alertKey(fingerprint), ConsistentRead: true }),
    );
    if (!out.Item) return undefined;
    return itemSchema.parse(out.Item);
  }

  /** @inheritdoc */
  public async listDueOutboxes(until: number, limit: number): Promise<string[]> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.options.tableName,
        IndexName: TABLE_KEYS.dueIndex,
        KeyConditionExpression: '#shard = :shard AND #dueAt <= :until',
        ExpressionAttributeNames: { '#shard': TABLE_KEYS.dueShard, '#dueAt': TABLE_KEYS.dueAt },
        ExpressionAttributeValues: { ':shard': 'OUTBOX', ':until': until },
        ProjectionExpression: 'fingerprint',
        Limit: limit,
      }),
    );
    return (out.Items ?? []).flatMap((item) =>
      typeof item['fingerprint'] === 'string' ? [item['fingerprint']] : [],
    );
  }

  /** @inheritdoc */
  public async listChanged(since: number, until: number, limit: number): Promise<AlertRecord[]> {
    const items = await queryDueIndex(this.doc, this.options.tableName, 'CHANGED', since + 1, until, limit);
    return items.map((item) => itemSchema.parse(item));
  }

  /** @inheritdoc */
  public async countChangedSince(since: number, limit: number): Promise<number> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.options.tableName,
        IndexName: TABLE_KEYS.dueIndex,
        KeyConditionExpression: '#shard = :shard AND #dueAt >= :since',
        ExpressionAttributeNames: { '#shard': TABLE_KEYS.dueShard, '#dueAt': TABLE_KEYS.dueAt },
        ExpressionAttributeValues: { ':shard': 'CHANGED', ':since': since },
        Select: 'COUNT',
        Limit: limit,
      }),
    );
    return out.Count ?? 0;
  }

  /** @inheritdoc */
  public async put(
    record: AlertRecord,
    expectedVersion: number | undefined,
  ): Promise<AlertRecord | undefined> {
    const stored: AlertRecord = { ...record, version: (expectedVersion ?? 0) + 1 };
    const item: Record<string, unknown> = { ...alertKey(record.fingerprint), ...stored };
    if (stored.outbox) {
      item[TABLE_KEYS.dueShard] = 'OUTBOX';
      item[TABLE_KEYS.dueAt] = stored.outbox.claimUntil ?? stored.outbox.createdAt;
    } else if (stored.dirtyAt !== undefined) {
      // Stays in the index; the tick reads a moving window of it by time.
      item[TABLE_KEYS.dueShard] = 'CHANGED';
      item[TABLE_KEYS.dueAt] = stored.dirtyAt;
    }
    if (stored.status !== 'firing' && !stored.outbox) {
      const since = stored.endsAt ?? stored.lastChangeAt;
      item[TABLE_KEYS.ttl] = Math.floor(since / 1000) + this.options.historyRetentionDays * 86_400;
    }
    return (await putIfVersion(this.doc, this.options.tableName, item, expectedVersion)) ? stored : undefined;
  }
}
