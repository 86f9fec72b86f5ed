/** {@link DeadLetterSink} on an SQS queue: one message per letter, sent in batches of ten. */
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetter, DeadLetterSink } from './log-ports';

// SQS caps a message at 256 KiB; leave room for the envelope around `original`.
const MAX_ORIGINAL_CHARS = 200_000;

/** Raised when SQS refuses some letters. */
export class DeadLetterSendError extends Error {
  public readonly code = 'DEAD_LETTER_SEND_FAILED';
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeadLetterSendError';
  }
}

/** Sends letters to a queue. */
export class SqsDeadLetterSink implements DeadLetterSink {
  public constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  public async send(letters: readonly DeadLetter[]): Promise<void> {
    for (let start = 0; start < letters.length; start += 10) {
      const batch = letters.slice(start, start + 10);
      const response = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((letter, position) => ({
            Id: String(position),
            MessageBody: JSON.stringify(
              letter.original.length > MAX_ORIGINAL_CHARS
                ? { ...letter, original: letter.original.slice(0, MAX_ORIGINAL_CHARS), truncated: true }
                : letter,
            ),
            MessageAttributes: { code: { DataType: 'String', StringValue: letter.code } },
          })),
        }),
      );
      const failed = response.Failed ?? [];
      if (failed.length > 0) {
        const first = failed[0];
        throw new DeadLetterSendError(
          `SQS refused ${failed.length} dead letters (${first?.Code ?? 'unknown'}: ${first?.Message ?? ''})`,
        );
      }
    }
  }
}
