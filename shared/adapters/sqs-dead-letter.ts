import { createHash } from 'node:crypto';
import type { DeadLetterRecord, DeadLetterSink } from '../domain/ports';
import type { AwsJsonCall } from './aws-json';
import { sendMessage } from './sqs-http';

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

/**
 * Dead-letter sink on an SQS queue (the function's own dead-letter queue). On a FIFO queue, give
 * the message group the letters go to; each letter is deduplicated by its content.
 */
export class SqsDeadLetterSink implements DeadLetterSink {
  public constructor(
    private readonly sqs: AwsJsonCall,
    private readonly queueUrl: string,
    private readonly fifoGroup?: string,
  ) {}

  /** @inheritdoc */
  public async send(record: DeadLetterRecord): Promise<void> {
    const body = serialiseDeadLetter(record);
    await sendMessage(this.sqs, {
      QueueUrl: this.queueUrl,
      MessageBody: body,
      ...(this.fifoGroup === undefined
        ? {}
        : {
            MessageGroupId: this.fifoGroup,
            MessageDeduplicationId: createHash('sha256').update(body).digest('hex').slice(0, 64),
          }),
      MessageAttributes: {
        code: { DataType: 'String', StringValue: record.code },
        source: { DataType: 'String', StringValue: record.source },
      },
    });
  }
}
