import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { TABLE_KEYS } from '../../shared/adapters/dynamo-alert-store';

/** Properties of {@link AlertTable}. */
export interface AlertTableProps {
  /** Customer-managed key for encryption at rest. */
  readonly encryptionKey: kms.IKey;
  /** Keep the table (and refuse deletion) when the stack goes away. @default true */
  readonly retain?: boolean;
}

/**
 * The alert-state table: one item per alert (and later group, silence, incident), on-demand,
 * point-in-time recovery, KMS encryption, TTL for history, and a sparse `due` index.
 */
export class AlertTable extends Construct {
  /** The table. */
  public readonly table: dynamodb.Table;

  public constructor(scope: Construct, id: string, props: AlertTableProps) {
    super(scope, id);
    const retain = props.retain ?? true;
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      timeToLiveAttribute: TABLE_KEYS.ttl,
      deletionProtection: retain,
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    // Sparse: only items with something due (pending outbox, group flush, silence expiry) are in it.
    this.table.addGlobalSecondaryIndex({
      indexName: TABLE_KEYS.dueIndex,
      partitionKey: { name: TABLE_KEYS.dueShard, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.dueAt, type: dynamodb.AttributeType.NUMBER },
      projectionType: dynamodb.ProjectionType.ALL,
    });
  }
}
