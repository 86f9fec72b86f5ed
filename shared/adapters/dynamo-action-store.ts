/**
 * What the action endpoint keeps in the alert-state table: the audit trail of actions
 * (`AUDIT#<fingerprint>`) and the claims that make a request or link count once (`ACTION#<key>`).
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import '../domain/zod-locale';
import { ACTION_SOURCES } from '../domain/actions/actor';
import type { AuditEntry, AuditLog } from '../domain/actions/audit';
import type { ActionClaims } from '../domain/actions/claims';
import type { DocTable } from './doc-table';
import { isConditionFailure, TABLE_KEYS } from './dynamo-index';

/** Partition-key prefixes of the items this file writes (the endpoint's IAM grant lists them). */
export const ACTION_KEY_PREFIXES = { audit: 'AUDIT#', claim: 'ACTION#' } as const;

const auditSchema = z.object({
  at: z.number(),
  action: z.enum(['acknowledge', 'silence', 'resolve']),
  fingerprint: z.string(),
  alarmName: z.string(),
  by: z.string(),
  via: z.enum(ACTION_SOURCES),
  outcome: z.string(),
  incidentId: z.optional(z.string()),
});

/** The audit trail in the alert-state table, kept `retentionDays`. */
export class DynamoAuditLog implements AuditLog {
  public constructor(
    private readonly doc: DocTable,
    private readonly options: { readonly tableName: string; readonly retentionDays: number },
  ) {}

  /** @inheritdoc */
  public async record(entry: AuditEntry): Promise<void> {
    await this.doc.put({
      TableName: this.options.tableName,
      Item: {
        pk: `${ACTION_KEY_PREFIXES.audit}${entry.fingerprint}`,
        // Time first, so a query reads the trail in order; the suffix keeps same-millisecond entries apart.
        sk: `${String(entry.at).padStart(15, '0')}#${randomUUID().slice(0, 8)}`,
        ...entry,
        [TABLE_KEYS.ttl]: Math.floor(entry.at / 1000) + this.options.retentionDays * 86_400,
      },
    });
  }

  /** @inheritdoc */
  public async list(fingerprint: string, limit: number): Promise<AuditEntry[]> {
    const out = await this.doc.query({
      TableName: this.options.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `${ACTION_KEY_PREFIXES.audit}${fingerprint}` },
      ScanIndexForward: false,
      Limit: limit,
    });
    return (out.Items ?? []).map((item) => auditSchema.parse(item));
  }
}

/** Claims as single conditional puts; DynamoDB TTL removes them after their expiry. */
export class DynamoActionClaims implements ActionClaims {
  public constructor(
    private readonly doc: DocTable,
    private readonly tableName: string,
  ) {}

  private key(key: string): { pk: string; sk: string } {
    return { pk: `${ACTION_KEY_PREFIXES.claim}${key}`, sk: 'CLAIM' };
  }

  /** @inheritdoc */
  public async claim(key: string, until: number, now: number): Promise<boolean> {
    try {
      await this.doc.put({
        TableName: this.tableName,
        Item: { ...this.key(key), claimedAt: now, until, [TABLE_KEYS.ttl]: Math.ceil(until / 1000) },
        ConditionExpression: 'attribute_not_exists(pk)',
      });
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** @inheritdoc */
  public async isClaimed(key: string): Promise<boolean> {
    const out = await this.doc.get({ TableName: this.tableName, Key: this.key(key), ConsistentRead: true });
    return out.Item !== undefined;
  }

  /** @inheritdoc */
  public async release(key: string): Promise<void> {
    await this.doc.delete({ TableName: this.tableName, Key: this.key(key) });
  }
}
