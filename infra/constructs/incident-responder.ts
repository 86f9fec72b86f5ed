import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TOPIC_ENV } from '../../shared/adapters/sns-publisher';
import type { Channel } from '../../shared/domain/alert';
import { EVIDENCE_CHANNELS } from '../../shared/domain/incident-response';
import { VigilFunction } from './vigil-function';

/** Properties of {@link IncidentResponder}. */
export interface IncidentResponderProps {
  /** The alert-state table: incidents, their timelines and the alerts they read. */
  readonly table: dynamodb.ITable;
  /** Encrypts the queues; the table and topics use it too. */
  readonly encryptionKey: kms.IKey;
  /** Channel topics; the responder publishes evidence updates to the evidence channels only. */
  readonly topics: Readonly<Record<Channel, sns.ITopic>>;
  /** Runtime config file shipped with the function. */
  readonly runtimeConfig: unknown;
  /**
   * Receives of one signal before SQS moves it to the dead-letter queue.
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * Function timeout; the queue's visibility timeout is six times it, as Lambda advises.
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
}

/**
 * The incident responder behind its SQS FIFO signal queue. The page path sends one message per
 * page (or incident-relevant transition) after publishing; the message group is the service, so a
 * service's signals are handled one at a time and in order, while other services go on. A signal
 * that fails is received again after the visibility timeout, up to `maxReceiveCount` times, then
 * lands in a FIFO dead-letter queue (alarmed by self-monitoring). Messages that are not signals
 * go at once to a plain dead-letter queue with their reason.
 */
export class IncidentResponder extends Construct {
  /** Where the page path sends incident signals. */
  public readonly signalQueue: sqs.Queue;
  /** Signals that failed every receive. */
  public readonly signalDeadLetterQueue: sqs.Queue;
  /** Messages that were not signals, with the reason. */
  public readonly malformedDeadLetterQueue: sqs.Queue;
  /** The responder function. */
  public readonly fn: VigilFunction;

  public constructor(scope: Construct, id: string, props: IncidentResponderProps) {
    super(scope, id);
    const key = props.encryptionKey;
    const timeout = props.timeout ?? Duration.seconds(30);
    this.signalDeadLetterQueue = new sqs.Queue(this, 'SignalDlq', {
      fifo: true,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.signalDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is the signal queue's dead-letter queue; a DLQ of a DLQ would only move the problem",
    });
    this.signalQueue = new sqs.Queue(this, 'SignalQueue', {
      fifo: true,
      // Senders give each signal its id as deduplication id: a re-sent page is dropped within 5 minutes.
      contentBasedDeduplication: false,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(4),
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6),
      deadLetterQueue: { queue: this.signalDeadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });
    this.malformedDeadLetterQueue = new sqs.Queue(this, 'MalformedDlq', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.malformedDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself a dead-letter queue (messages that are not incident signals)',
    });

    this.fn = new VigilFunction(this, 'Function', {
      functionDir: 'incident-responder',
      // Its tracer is created at init (it captures SDK clients), so it is inside the bundle.
      tracingBeside: false,
      description: 'After the page: opens or links incidents, collects evidence, sends the update, mitigates',
      serviceName: 'incident-responder',
      timeout,
      memorySize: 512,
      runtimeConfig: props.runtimeConfig,
    });
    // Incidents and their timelines (versioned puts, updates, the open-incident query) and alert reads.
    this.fn
      .bindTable(props.table, ['GetItem', 'PutItem', 'UpdateItem', 'Query'], 'ALERT_TABLE_NAME', { key })
      .bindQueue(this.malformedDeadLetterQueue, 'DEAD_LETTER_QUEUE_URL', key);
    for (const channel of EVIDENCE_CHANNELS)
      this.fn.bindTopic(props.topics[channel], TOPIC_ENV[channel], key);
    this.fn.fn.addEventSource(
      new SqsEventSource(this.signalQueue, {
        batchSize: 10,
        // A failed signal is retried with the later signals of its service; the rest of the batch is done.
        reportBatchItemFailures: true,
      }),
    );
  }
}
