import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { CHANNELS, SEVERITIES } from '../domain/alert';
import type { GroupRecord } from '../domain/group';
import { MATCHER_OPS } from '../domain/matchers';
import type { GroupStore, TickState } from '../domain/ports';
import type { Silence } from '../domain/silence';
import { annotationsSchema } from './dynamo-alert-store';
import { isConditionFailure, putIfVersion, queryDueIndex, TABLE_KEYS } from './dynamo-index';

const channels = z.array(z.enum(CHANNELS));
const labels = z.record(z.string(), z.string());

const notifiedAlertSchema = z.object({
  fingerprint: z.string(),
  alarmName: z.string(),
  ruleId: z.string().optional(),
  status: z.enum(['firing', 'resolved']),
  severity: z.enum(SEVERITIES),
  labels,
  annotations: annotationsSchema,
  startsAt: z.string(),
  endsAt: z.string().optional(),
  value: z.number().optional(),
  threshold: z.number().optional(),
  unit: z.string().optional(),
  comparison: z.string().optional(),
  region: z.string().optional(),
  alarmArn: z.string().optional(),
});

const groupSchema = z.object({
  key: z.string(),
  route: z.object({
    routeId: z.string(),
    receiver: z.string(),
    channels,
    groupBy: z.array(z.string()),
    groupWaitSeconds: z.number(),
    groupIntervalSeconds: z.number(),
    repeatIntervalSeconds: z.number(),
    escalation: z.array(z.object({ afterSeconds: z.number(), channels })),
  }),
  labels,
  members: z.record(
    z.string(),
    z.object({
      alert: notifiedAlertSchema,
      changedAt: z.number(),
      acked: z.boolean(),
      notifiedStatus: z.enum(['firing', 'resolved']).optional(),
      sentImmediately: z.boolean().optional(),
      mutedWhileFiring: z.boolean().optional(),
      firstToldAt: z.number().optional(),
      lastToldAt: z.number().optional(),
      mergedAt: z.number().optional(),
      movedOut: z.boolean().optional(),
    }),
  ),
  createdAt: z.number(),
  lastFlushAt: z.number().optional(),
  lastHash: z.string().optional(),
  notifiedChannels: channels,
  escalationLevel: z.number(),
  dueAt: z.number().optional(),
  version: z.number(),
});

const silenceSchema = z.object({
  id: z.string(),
  matchers: z.array(z.object({ label: z.string(), op: z.enum(MATCHER_OPS), value: z.string() })),
  startsAt: z.number(),
  endsAt: z.number(),
  author: z.string(),
  comment: z.string(),
  endOnResolve: z.boolean(),
  createdAt: z.number(),
  expiredAt: z.number().optional(),
  expiredBy: z.string().optional(),
});

const tickSchema = z.object({
  cursor: z.number(),
  silencesSeenAt: z.number(),
  reconciledAt: z.number().optional(),
  version: z.number(),
});

// Groups with nothing scheduled stay findable (for silences and inhibition) at the far end of the index.
const NOT_DUE = 8_640_000_000_000_000;

/** GroupStore on the alert-state table: `GROUP#`, `SILENCE#` and `TICK#` items, all in the due index. */
export class DynamoGroupStore implements GroupStore {
  public constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private query(shard: string, until: number, limit: number, from = 0): Promise<Record<string, unknown>[]> {
    return queryDueIndex(this.doc, this.tableName, shard, from, until, limit);
  }

  private conditionalPut(
    item: Record<string, unknown>,
    expectedVersion: number | undefined,
  ): Promise<boolean> {
    return putIfVersion(this.doc, this.tableName, item, expectedVersion);
  }

  /** @inheritdoc */
  public async getGroup(key: string): Promise<GroupRecord | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: `GROUP#${key}`, sk: 'GROUP' },
        ConsistentRead: true,
      }),
    );
    return out.Item ? groupSchema.parse(out.Item) : undefined;
  }

  /** @inheritdoc */
  public async putGroup(
    group: GroupRecord,
    expectedVersion: number | undefined,
  ): Promise<GroupRecord | undefined> {
    const stored: GroupRecord = { ...group, version: (expectedVersion ?? 0) + 1 };
    const item = {
      pk: `GROUP#${group.key}`,
      sk: 'GROUP',
      ...stored,
      [TABLE_KEYS.dueShard]: 'GROUP',
      [TABLE_KEYS.dueAt]: stored.dueAt ?? NOT_DUE,
    };
    return (await this.conditionalPut(item, expectedVersion)) ? stored : undefined;
  }

  /** @inheritdoc */
  public async deleteGroup(key: string, expectedVersion: number): Promise<boolean> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: `GROUP#${key}`, sk: 'GROUP' },
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** @inheritdoc */
  public async listDueGroups(until: number, limit: number): Promise<GroupRecord[]> {
    return (await this.query('GROUP', until, limit)).map((i) => groupSchema.parse(i));
  }

  /** @inheritdoc */
  public async listActiveGroups(limit: number): Promise<GroupRecord[]> {
    return (await this.query('GROUP', NOT_DUE, limit)).map((i) => groupSchema.parse(i));
  }

  /** @inheritdoc */
  public async putSilence(silence: Silence): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: `SILENCE#${silence.id}`,
          sk: 'SILENCE',
          ...silence,
          [TABLE_KEYS.dueShard]: 'SILENCE',
          [TABLE_KEYS.dueAt]: Math.min(silence.endsAt, silence.expiredAt ?? Number.MAX_SAFE_INTEGER),
          [TABLE_KEYS.ttl]: Math.floor(silence.endsAt / 1000) + 30 * 86_400,
        },
      }),
    );
  }

  /** @inheritdoc */
  public async getSilence(id: string): Promise<Silence | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: `SILENCE#${id}`, sk: 'SILENCE' },
        ConsistentRead: true,
      }),
    );
    return out.Item ? silenceSchema.parse(out.Item) : undefined;
  }

  /** @inheritdoc */
  public async listSilences(now: number, recentMs: number): Promise<Silence[]> {
    return (await this.query('SILENCE', Number.MAX_SAFE_INTEGER, 1000, now - recentMs)).map((i) =>
      silenceSchema.parse(i),
    );
  }

  /** @inheritdoc */
  public async getTickState(): Promise<(TickState & { version: number }) | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: 'TICK#STATE', sk: 'TICK' },
        ConsistentRead: true,
      }),
    );
    return out.Item ? tickSchema.parse(out.Item) : undefined;
  }

  /** @inheritdoc */
  public async putTickState(state: TickState, expectedVersion: number | undefined): Promise<boolean> {
    return this.conditionalPut(
      { pk: 'TICK#STATE', sk: 'TICK', ...state, version: (expectedVersion ?? 0) + 1 },
      expectedVersion,
    );
  }
}
