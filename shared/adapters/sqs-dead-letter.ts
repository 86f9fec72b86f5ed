import type { SQSClient } from '@aws-sdk/client-sqs';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { DeadLetterRecord, DeadLetterSink } from '../domain/ports';

// SQS takes 256 KiB per message; keep room for the envelope around the payload.
const MAX_PAYLOAD_CHARS = 200_000;

/** Serialises a dead-letter record, truncating a huge payload but saying so. */
export function serialiseDeadLetter(record: DeadLetterRecord): string {
  const payload = JSON.stringify(record.payload) ?? 'undefined';
  if (payload.length <= MAX_PAYLOAD_CHARS) return JSON.stringify({ ...record, payload: record.payload });
  return JSON.stringify({
    ...record,
    payload: undefined,
    payloadTruncated: payload.slice(0, MAX_PAYLOAD_CHARS),
    payloadLength: payload.length,
  });
}

/** Dead-letter sink on an SQS queue (the function's own dead-letter queue). */
export class SqsDeadLetterSink implements DeadLetterSink {
  public constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  /** @inheritdoc */
  public async send(record: DeadLetterRecord): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: serialiseDeadLetter(record),
        MessageAttributes: {
          code: { DataType: 'String', StringValue: record.code },
          source: { DataType: 'String', StringValue: record.source },
        },
      }),
    );
  }
}
