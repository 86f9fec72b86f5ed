import type { DocTable } from './doc-table';
import * as z from 'zod/mini';
import '../domain/zod-locale';
import { CHANNELS, SEVERITIES } from '../domain/alert';
import type { DigestEntry, DigestRecord } from '../domain/digest-record';
import type { GroupHead, GroupMember } from '../domain/group';
import type { MemberWidth } from '../domain/group';
import { MEMBER_SHARDS, memberShardOf } from '../domain/group';
import { MATCHER_OPS } from '../domain/matchers';
import type { GroupStore, InhibitionSource, TickState } from '../domain/ports';
import { shardOf } from '../domain/shard';
import type { Silence } from '../domain/silence';
import { annotationsSchema } from './dynamo-alert-store';
import {
  batchGet,
  batchWrite,
  dueShardKey,
  isConditionFailure,
  NOT_DUE,
  putIfVersion,
  queryDueIndex,
  queryShards,
  TABLE_KEYS,
} from './dynamo-index';

const channels = z.array(z.enum(CHANNELS));
const labels = z.record(z.string(), z.string());

const notifiedAlertSchema = z.object({
  fingerprint: z.string(),
  alarmName: z.string(),
  ruleId: z.optional(z.string()),
  status: z.enum(['firing', 'resolved']),
  severity: z.enum(SEVERITIES),
  labels,
  annotations: annotationsSchema,
  startsAt: z.string(),
  endsAt: z.optional(z.string()),
  value: z.optional(z.number()),
  threshold: z.optional(z.number()),
  unit: z.optional(z.string()),
  comparison: z.optional(z.string()),
  region: z.optional(z.string()),
  alarmArn: z.optional(z.string()),
});

const memberSchema = z.object({
  alert: notifiedAlertSchema,
  changedAt: z.number(),
  acked: z.boolean(),
  notifiedStatus: z.optional(z.enum(['firing', 'resolved'])),
  sentImmediately: z.optional(z.boolean()),
  mutedWhileFiring: z.optional(z.boolean()),
  firstToldAt: z.optional(z.number()),
  lastToldAt: z.optional(z.number()),
  mergedAt: z.optional(z.number()),
  movedOut: z.optional(z.boolean()),
});

const headSchema = z.object({
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
  createdAt: z.number(),
  lastFlushAt: z.optional(z.number()),
  lastHash: z.optional(z.string()),
  notifiedChannels: channels,
  escalationLevel: z.number(),
  dueAt: z.optional(z.number()),
  memberWidth: z._default(z.union([z.literal(1), z.literal(MEMBER_SHARDS)]), 1),
  size: z.optional(z.number()),
  muted: z.optional(z.boolean()),
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
  expiredAt: z.optional(z.number()),
  expiredBy: z.optional(z.string()),
});

const stormSchema = z.object({
  id: z.string(),
  since: z.number(),
  routes: z.record(
    z.string(),
    z.object({ since: z.number(), lastActivityAt: z.number(), intervalSeconds: z.number() }),
  ),
  rounds: z.number(),
  lastRoundAt: z.optional(z.number()),
  waitingSince: z.optional(z.number()),
  told: z.partialRecord(z.enum(CHANNELS), z.object({ firing: z.number(), resolved: z.number() })),
});

const tickSchema = z.object({
  silencesSeenAt: z.number(),
  reconciledAt: z.optional(z.number()),
  smsPaused: z.optional(z.boolean()),
  leaseUntil: z.optional(z.number()),
  backlogSince: z.optional(z.number()),
  arrivals: z.optional(z.record(z.string(), z.record(z.string(), z.number()))),
  storm: z.optional(stormSchema),
  version: z.number(),
});

const sourceSchema = z.object({ fingerprint: z.string(), labels });

const digestEntrySchema = z.object({
  fingerprint: z.string(),
  alarmName: z.string(),
  status: z.enum(['firing', 'resolved']),
  severity: z.enum(SEVERITIES),
  service: z.string(),
  channels,
});
const digestPartSchema = z.object({
  id: z.string(),
  stormId: z.string(),
  sentAt: z.number(),
  entries: z.array(digestEntrySchema),
});

/** Bytes of digest entries per stored part, well under DynamoDB's 400 KB item limit. */
const DIGEST_PART_BYTES = 300_000;
/** Days a digest's full list is kept. */
const DIGEST_RETENTION_DAYS = 30;

function memberPk(key: string, shard: number): string {
  return `GROUP#${key}#${shard}`;
}

function memberKey(key: string, fingerprint: string, width: MemberWidth): { pk: string; sk: string } {
  return { pk: memberPk(key, memberShardOf(fingerprint, width)), sk: `M#${fingerprint}` };
}

/** Splits digest entries into parts that each stay under {@link DIGEST_PART_BYTES}. */
export function digestParts(entries: readonly DigestEntry[]): DigestEntry[][] {
  const parts: DigestEntry[][] = [];
  let current: DigestEntry[] = [];
  let bytes = 0;
  for (const e of entries) {
    const size = Buffer.byteLength(JSON.stringify(e)) + 32;
    if (current.length > 0 && bytes + size > DIGEST_PART_BYTES) {
      parts.push(current);
      current = [];
      bytes = 0;
    }
    current.push(e);
    bytes += size;
  }
  if (current.length > 0 || parts.length === 0) parts.push(current);
  return parts;
}

/**
 * GroupStore on the alert-state table. A group's head is `GROUP#<key>`/`GROUP` (in the `due`
 * index while something is scheduled); its members are `GROUP#<key>#<shard>`/`M#<fingerprint>`,
 * spread over 16 partition keys so that a group of thousands is neither one oversized item nor
 * one hot key. Muted-group markers, inhibition sources, silences, digests and the tick's state
 * are items of their own.
 */
export class DynamoGroupStore implements GroupStore {
  public constructor(
    private readonly doc: DocTable,
    private readonly tableName: string,
  ) {}

  /** @inheritdoc */
  public async getGroup(key: string): Promise<GroupHead | undefined> {
    const out = await this.doc.get({
      TableName: this.tableName,
      Key: { pk: `GROUP#${key}`, sk: 'GROUP' },
      ConsistentRead: true,
    });
    return out.Item ? headSchema.parse(out.Item) : undefined;
  }

  /** @inheritdoc */
  public async putGroup(
    group: GroupHead,
    expectedVersion: number | undefined,
  ): Promise<GroupHead | undefined> {
    const stored: GroupHead = { ...group, version: (expectedVersion ?? 0) + 1 };
    const item: Record<string, unknown> = { pk: `GROUP#${group.key}`, sk: 'GROUP', ...stored };
    if (stored.dueAt !== undefined) {
      item[TABLE_KEYS.dueShard] = dueShardKey('GROUP', shardOf(group.key));
      item[TABLE_KEYS.dueAt] = stored.dueAt;
    }
    return (await putIfVersion(this.doc, this.tableName, item, expectedVersion)) ? stored : undefined;
  }

  /** @inheritdoc */
  public async deleteGroup(key: string, expectedVersion: number): Promise<boolean> {
    try {
      await this.doc.delete({
        TableName: this.tableName,
        Key: { pk: `GROUP#${key}`, sk: 'GROUP' },
        ConditionExpression: '#version = :expected',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':expected': expectedVersion },
      });
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** @inheritdoc */
  public async *dueGroups(until: number): AsyncIterable<readonly GroupHead[]> {
    for await (const page of queryShards(this.doc, this.tableName, 'GROUP', { from: 0, until })) {
      yield page.map((i) => headSchema.parse(i));
    }
  }

  /** @inheritdoc */
  public async getMembers(
    group: GroupHead,
    fingerprints: readonly string[],
  ): Promise<Map<string, GroupMember>> {
    const items = await batchGet(
      this.doc,
      this.tableName,
      fingerprints.map((fp) => memberKey(group.key, fp, group.memberWidth)),
    );
    const out = new Map<string, GroupMember>();
    for (const item of items) {
      const member = memberSchema.parse(item);
      out.set(member.alert.fingerprint, member);
    }
    return out;
  }

  private async membersIn(key: string, shard: number): Promise<GroupMember[]> {
    const members: GroupMember[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.query({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': memberPk(key, shard) },
        ExclusiveStartKey: startKey,
        ConsistentRead: true,
      });
      for (const item of page.Items ?? []) members.push(memberSchema.parse(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return members;
  }

  /** @inheritdoc */
  public async listMembers(group: GroupHead): Promise<GroupMember[]> {
    const width = group.memberWidth;
    const shards = await Promise.all(
      Array.from({ length: width }, async (_, shard) =>
        // A copy left behind by a spread is not where the width puts it: ignored.
        (await this.membersIn(group.key, shard)).filter(
          (m) => memberShardOf(m.alert.fingerprint, width) === shard,
        ),
      ),
    );
    return shards.flat();
  }

  /** @inheritdoc */
  public async writeMembers(
    group: GroupHead,
    put: readonly GroupMember[],
    remove: readonly string[],
  ): Promise<void> {
    await batchWrite(this.doc, this.tableName, [
      ...put.map((m) => ({
        PutRequest: { Item: { ...memberKey(group.key, m.alert.fingerprint, group.memberWidth), ...m } },
      })),
      ...remove.map((fp) => ({ DeleteRequest: { Key: memberKey(group.key, fp, group.memberWidth) } })),
    ]);
  }

  /** @inheritdoc */
  public async copyMembersTo(group: GroupHead, width: MemberWidth): Promise<string[]> {
    const members = await this.listMembers(group);
    await this.writeMembers({ ...group, memberWidth: width }, members, []);
    return members.map((m) => m.alert.fingerprint);
  }

  /** @inheritdoc */
  public async dropStrayMembers(group: GroupHead, fingerprints: readonly string[]): Promise<void> {
    const stray = fingerprints.filter((fp) => memberShardOf(fp, group.memberWidth) !== 0);
    await batchWrite(
      this.doc,
      this.tableName,
      stray.map((fp) => ({ DeleteRequest: { Key: memberKey(group.key, fp, 1) } })),
    );
  }

  /** @inheritdoc */
  public async setMuted(key: string, muted: boolean): Promise<void> {
    const Key = { pk: `MUTED#${key}`, sk: 'MUTED' };
    if (!muted) {
      await this.doc.delete({ TableName: this.tableName, Key });
      return;
    }
    await this.doc.put({
      TableName: this.tableName,
      Item: {
        ...Key,
        key,
        [TABLE_KEYS.dueShard]: dueShardKey('MUTED', shardOf(key)),
        [TABLE_KEYS.dueAt]: 0,
      },
    });
  }

  /** @inheritdoc */
  public async *mutedGroups(): AsyncIterable<readonly string[]> {
    for await (const page of queryShards(this.doc, this.tableName, 'MUTED', {
      from: 0,
      until: NOT_DUE,
      projection: ['key'],
    })) {
      yield page.flatMap((i) => (typeof i['key'] === 'string' ? [i['key']] : []));
    }
  }

  /** @inheritdoc */
  public async putSource(source: InhibitionSource): Promise<void> {
    await this.doc.put({
      TableName: this.tableName,
      Item: {
        pk: `SOURCE#${source.fingerprint}`,
        sk: 'SOURCE',
        ...source,
        [TABLE_KEYS.dueShard]: dueShardKey('SOURCE', shardOf(source.fingerprint)),
        [TABLE_KEYS.dueAt]: 0,
      },
    });
  }

  /** @inheritdoc */
  public async removeSource(fingerprint: string): Promise<void> {
    await this.doc.delete({ TableName: this.tableName, Key: { pk: `SOURCE#${fingerprint}`, sk: 'SOURCE' } });
  }

  /** @inheritdoc */
  public async listSources(): Promise<InhibitionSource[]> {
    const out: InhibitionSource[] = [];
    for await (const page of queryShards(this.doc, this.tableName, 'SOURCE', { from: 0, until: NOT_DUE })) {
      out.push(...page.map((i) => sourceSchema.parse(i)));
    }
    return out;
  }

  /** @inheritdoc */
  public async putSilence(silence: Silence): Promise<void> {
    await this.doc.put({
      TableName: this.tableName,
      Item: {
        pk: `SILENCE#${silence.id}`,
        sk: 'SILENCE',
        ...silence,
        [TABLE_KEYS.dueShard]: 'SILENCE',
        [TABLE_KEYS.dueAt]: Math.min(silence.endsAt, silence.expiredAt ?? Number.MAX_SAFE_INTEGER),
        [TABLE_KEYS.ttl]: Math.floor(silence.endsAt / 1000) + 30 * 86_400,
      },
    });
  }

  /** @inheritdoc */
  public async getSilence(id: string): Promise<Silence | undefined> {
    const out = await this.doc.get({
      TableName: this.tableName,
      Key: { pk: `SILENCE#${id}`, sk: 'SILENCE' },
      ConsistentRead: true,
    });
    return out.Item ? silenceSchema.parse(out.Item) : undefined;
  }

  /** @inheritdoc */
  public async listSilences(now: number, recentMs: number): Promise<Silence[]> {
    const items = await queryDueIndex(
      this.doc,
      this.tableName,
      'SILENCE',
      { from: now - recentMs, until: Number.MAX_SAFE_INTEGER },
      Number.MAX_SAFE_INTEGER,
    );
    return items.map((i) => silenceSchema.parse(i));
  }

  /** @inheritdoc */
  public async putDigest(digest: DigestRecord): Promise<void> {
    const expiresAt = Math.floor(digest.sentAt / 1000) + DIGEST_RETENTION_DAYS * 86_400;
    await batchWrite(
      this.doc,
      this.tableName,
      digestParts(digest.entries).map((entries, i) => ({
        PutRequest: {
          Item: {
            pk: `DIGEST#${digest.id}`,
            sk: `PART#${String(i).padStart(5, '0')}`,
            id: digest.id,
            stormId: digest.stormId,
            sentAt: digest.sentAt,
            entries,
            [TABLE_KEYS.ttl]: expiresAt,
          },
        },
      })),
    );
  }

  /** @inheritdoc */
  public async getDigest(id: string): Promise<DigestRecord | undefined> {
    const parts: z.infer<typeof digestPartSchema>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.query({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `DIGEST#${id}` },
        ExclusiveStartKey: startKey,
        ConsistentRead: true,
      });
      for (const item of page.Items ?? []) parts.push(digestPartSchema.parse(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    // A round sent again after a failure rewrites its parts; an earlier attempt's extra parts are stale.
    const sentAt = Math.max(...parts.map((p) => p.sentAt));
    const current = parts.filter((p) => p.sentAt === sentAt);
    const first = current[0];
    if (!first) return undefined;
    return {
      id: first.id,
      stormId: first.stormId,
      sentAt,
      entries: current.flatMap((p) => p.entries),
    };
  }

  /** @inheritdoc */
  public async getTickState(): Promise<(TickState & { version: number }) | undefined> {
    const out = await this.doc.get({
      TableName: this.tableName,
      Key: { pk: 'TICK#STATE', sk: 'TICK' },
      ConsistentRead: true,
    });
    return out.Item ? tickSchema.parse(out.Item) : undefined;
  }

  /** @inheritdoc */
  public async putTickState(state: TickState, expectedVersion: number | undefined): Promise<boolean> {
    return putIfVersion(
      this.doc,
      this.tableName,
      { pk: 'TICK#STATE', sk: 'TICK', ...state, version: (expectedVersion ?? 0) + 1 },
      expectedVersion,
    );
  }
}
