/** DynamoDB delivery ledger in the alert table: one item per channel and notification id. */
import type { DocTable } from './doc-table';
import { isConditionFailure } from './dynamo-index';
import type { Channel } from '../domain/alert';
import type { ClaimResult, DeliveryFinalState, DeliveryKey, DeliveryLedger } from '../delivery/ledger';

/** Sort key of every ledger item. */
export const DELIVERY_SORT_KEY = 'DELIVERY';

/** Partition-key prefix of a channel's ledger items; IAM scopes each forwarder to its prefix. */
export function deliveryKeyPrefix(channel: Channel): string {
  return `DELIVERY#${channel}#`;
}

/** Options of {@link DynamoDeliveryLedger}. */
export interface DynamoDeliveryLedgerOptions {
  readonly tableName: string;
  /** Days a finished record is kept (TTL `expiresAt`); SNS redelivers within hours. @default 7 */
  readonly retentionDays?: number;
}

// Single-item conditional writes only: they scale and the local emulator supports them.
/** Ledger items: `pk = DELIVERY#<channel>#<notificationId>`, `sk = DELIVERY`, TTL `expiresAt`. */
export class DynamoDeliveryLedger implements DeliveryLedger {
  private readonly retentionSeconds: number;

  public constructor(
    private readonly doc: DocTable,
    private readonly options: DynamoDeliveryLedgerOptions,
  ) {
    this.retentionSeconds = (options.retentionDays ?? 7) * 86_400;
  }

  private key(key: DeliveryKey): { pk: string; sk: string } {
    return { pk: `${deliveryKeyPrefix(key.channel)}${key.notificationId}`, sk: DELIVERY_SORT_KEY };
  }

  /** @inheritdoc */
  public async claim(key: DeliveryKey, now: number, leaseMs: number): Promise<ClaimResult> {
    try {
      await this.doc.put({
        TableName: this.options.tableName,
        Item: {
          ...this.key(key),
          state: 'in_progress',
          leaseUntil: now + leaseMs,
          updatedAt: new Date(now).toISOString(),
          expiresAt: Math.floor(now / 1000) + this.retentionSeconds,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR (#state = :inProgress AND #leaseUntil < :now)',
        ExpressionAttributeNames: { '#state': 'state', '#leaseUntil': 'leaseUntil' },
        ExpressionAttributeValues: { ':inProgress': 'in_progress', ':now': now },
      });
      return { outcome: 'claimed' };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
    // The emulator cannot return the old item with the failure, so read it.
    const existing = await this.doc.get({
      TableName: this.options.tableName,
      Key: this.key(key),
      ConsistentRead: true,
    });
    const state: unknown = existing.Item?.['state'];
    if (state === 'delivered' || state === 'rejected') return { outcome: 'done', state };
    return { outcome: 'in-progress' };
  }

  /** @inheritdoc */
  public async finish(
    key: DeliveryKey,
    state: DeliveryFinalState,
    now: number,
    detail?: { code: string; reason: string },
  ): Promise<void> {
    await this.doc.update({
      TableName: this.options.tableName,
      Key: this.key(key),
      UpdateExpression:
        'SET #state = :state, updatedAt = :at, expiresAt = :exp, code = :code, reason = :reason REMOVE leaseUntil',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: {
        ':state': state,
        ':at': new Date(now).toISOString(),
        ':exp': Math.floor(now / 1000) + this.retentionSeconds,
        ':code': detail?.code ?? 'OK',
        ':reason': detail?.reason ?? 'delivered',
      },
    });
  }

  /** @inheritdoc */
  public async release(key: DeliveryKey): Promise<void> {
    try {
      await this.doc.delete({
        TableName: this.options.tableName,
        Key: this.key(key),
        ConditionExpression: '#state = :inProgress',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':inProgress': 'in_progress' },
      });
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }
}
