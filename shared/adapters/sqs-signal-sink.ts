/** Incident signals to the responder's SQS FIFO queue: one message group per service. */
import type { IncidentSignal, IncidentSignalSink } from '../domain/incident-signal';
import type { AwsJsonCall } from './aws-json';
import { sendMessage } from './sqs-http';

/** Env var naming the responder's queue. */
export const SIGNAL_QUEUE_ENV = 'INCIDENT_SIGNAL_QUEUE_URL';

/** SQS allows printable ASCII in a message group id, at most 128 characters. */
export function messageGroupOf(service: string): string {
  return service.replace(/[^\x21-\x7e]/g, '_').slice(0, 128) || 'unknown';
}

/**
 * Sends each signal to the FIFO queue: the service is the message group (its signals are handled
 * one at a time, in the order sent) and the signal id the deduplication id (a re-sent signal
 * within five minutes is dropped by SQS).
 */
export class SqsSignalSink implements IncidentSignalSink {
  public constructor(
    private readonly sqs: AwsJsonCall,
    private readonly queueUrl: string,
  ) {}

  /** @inheritdoc */
  public async send(signal: IncidentSignal): Promise<void> {
    await sendMessage(this.sqs, {
      QueueUrl: this.queueUrl,
      MessageBody: JSON.stringify(signal),
      MessageGroupId: messageGroupOf(signal.service),
      MessageDeduplicationId: signal.id,
      MessageAttributes: { kind: { DataType: 'String', StringValue: signal.kind } },
    });
  }
}
