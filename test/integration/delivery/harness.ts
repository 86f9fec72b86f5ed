// Shared arrangement of the delivery integration tests: dynalite ledger, local webhook peer,
// mocked Secrets Manager, in-memory dead-letter queue and a fast retry policy.
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDeliveryLedger } from '../../../shared/adapters/delivery-ledger';
import { createSecretReader } from '../../../shared/adapters/secrets';
import { createHttpClient, type RetryPolicy } from '../../../shared/delivery/http-client';
import type { DeadLetterRecord, DeadLetterSink, Log } from '../../../shared/domain/ports';
import type { Notification } from '../../../shared/domain/notification';
import { createAlertTable, localDocTable, startDynalite, type RunningDynalite } from '../../support/dynalite';

export const TABLE = 'vigil-alerts';
/** Fixed wall clock of the tests (the ledger and Retry-After dates use it). */
export const NOW = Date.parse('2026-11-26T14:15:00.000Z');

/** A short policy so retries happen quickly; waits are recorded, not slept. */
export const FAST_POLICY: RetryPolicy = {
  maxAttempts: 4,
  attemptTimeoutMs: 400,
  baseDelayMs: 100,
  maxDelayMs: 1_000,
  maxRetryAfterMs: 5_000,
};

/** The Lambda context the forwarder reads. */
export const context = { getRemainingTimeInMillis: (): number => 30_000 };

/** An SNS event as SNS invokes a Lambda subscription with the notification as the `lambda` body. */
export function snsEvent(n: Notification, messageId = `msg-${n.id}`): unknown {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn:
          'arn:aws:sns:eu-west-1:123456789012:vigil-slack:0b6941c3-f04d-4d3e-a66d-b1df00e1e381',
        Sns: {
          Type: 'Notification',
          MessageId: messageId,
          TopicArn: `arn:aws:sns:eu-west-1:123456789012:vigil-${n.channel}`,
          Subject: null,
          Message: JSON.stringify(n),
          Timestamp: '2026-11-26T14:14:31.000Z',
          SignatureVersion: '1',
          Signature: 'EXAMPLE',
          SigningCertUrl: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-example.pem',
          UnsubscribeUrl: 'https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe',
          MessageAttributes: {},
        },
      },
    ],
  };
}

/** Dead-letter sink that keeps records in memory. */
export class MemoryDeadLetters implements DeadLetterSink {
  public readonly records: DeadLetterRecord[] = [];

  public send(record: DeadLetterRecord): Promise<void> {
    this.records.push(record);
    return Promise.resolve();
  }
}

/** A Log that keeps entries, for asserting on what the forwarder reported. */
export class MemoryLog implements Log {
  public readonly entries: { level: string; message: string; extra?: Record<string, unknown> }[] = [];

  public debug(message: string, extra?: Record<string, unknown>): void {
    this.entries.push({ level: 'debug', message, extra });
  }
  public info(message: string, extra?: Record<string, unknown>): void {
    this.entries.push({ level: 'info', message, extra });
  }
  public warn(message: string, extra?: Record<string, unknown>): void {
    this.entries.push({ level: 'warn', message, extra });
  }
  public error(message: string, extra?: Record<string, unknown>): void {
    this.entries.push({ level: 'error', message, extra });
  }
}

/** Starts dynalite with the alert table and returns a ledger on it. */
export async function startLedger(): Promise<{ db: RunningDynalite; ledger: DynamoDeliveryLedger }> {
  const db = await startDynalite();
  await createAlertTable(db.client, TABLE);
  const ledger = new DynamoDeliveryLedger(localDocTable(db), { tableName: TABLE });
  return { db, ledger };
}

/** Reads a ledger item's state and reason straight from the table. */
export async function ledgerItem(
  db: RunningDynalite,
  channel: string,
  notificationId: string,
): Promise<{ state?: string; code?: string; reason?: string } | undefined> {
  const out = await db.client.send(
    new GetItemCommand({
      TableName: TABLE,
      Key: { pk: { S: `DELIVERY#${channel}#${notificationId}` }, sk: { S: 'DELIVERY' } },
      ConsistentRead: true,
    }),
  );
  if (out.Item === undefined) return undefined;
  return { state: out.Item['state']?.S, code: out.Item['code']?.S, reason: out.Item['reason']?.S };
}

/** An HTTP client on {@link FAST_POLICY} whose waits are recorded and skipped. */
export function fastClient(policy: RetryPolicy = FAST_POLICY): {
  post: ReturnType<typeof createHttpClient>;
  waits: number[];
} {
  const waits: number[] = [];
  const post = createHttpClient(policy, {
    now: () => NOW,
    random: () => 0.5,
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
  });
  return { post, waits };
}

/** A secret reader over the (mocked) Secrets Manager client, with its own cache. */
export function secretReader(secretId: string, label: string): () => Promise<string> {
  return createSecretReader({
    secretId,
    label,
    maxAgeSeconds: 300,
    provider: new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient({ region: 'eu-west-1' }) }),
  });
}
