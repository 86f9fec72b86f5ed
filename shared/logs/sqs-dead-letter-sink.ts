/**
 * {@link DeadLetterSink} on an SQS queue: one message per letter, `SendMessageBatch` in batches of
 * ten, spoken directly in SQS's JSON protocol over signed HTTP (one call does not justify the SDK's
 * client runtime in the indexer's bundle).
 */
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { createAwsHttp, NoAnswerError } from '../adapters/aws-http';
import type { AwsCredentialsProvider, AwsHttp } from '../adapters/aws-http';
import type { DeadLetter, DeadLetterSink } from './log-ports';
import '../domain/zod-locale';

// SQS caps a message at 256 KiB; leave room for the envelope around `original`.
const MAX_ORIGINAL_CHARS = 200_000;

/** Raised when SQS refuses some letters, or the whole batch. */
export class DeadLetterSendError extends Error {
  public readonly code = 'DEAD_LETTER_SEND_FAILED';
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeadLetterSendError';
  }
}

/** Where and how to send. */
export interface SqsDeadLetterSinkOptions {
  readonly queueUrl: string;
  readonly region: string;
  readonly credentials: AwsCredentialsProvider;
  /** The SQS endpoint; @default the queue URL's origin (`https://sqs.<region>.amazonaws.com`) */
  readonly endpoint?: string;
  /** @default 10000 */
  readonly timeoutMs?: number;
}

const batchAnswerSchema = z.object({
  Successful: z.optional(z.array(z.object({ Id: z.string(), MD5OfMessageBody: z.optional(z.string()) }))),
  Failed: z.optional(
    z.array(z.object({ Id: z.string(), Code: z.optional(z.string()), Message: z.optional(z.string()) })),
  ),
});
const errorAnswerSchema = z.object({ __type: z.optional(z.string()), message: z.optional(z.string()) });

/** The message body of a letter, its `original` cut to fit one SQS message (and flagged). */
export function letterBody(letter: DeadLetter): string {
  return JSON.stringify(
    letter.original.length > MAX_ORIGINAL_CHARS
      ? { ...letter, original: letter.original.slice(0, MAX_ORIGINAL_CHARS), truncated: true }
      : letter,
  );
}

/** Sends letters to a queue. */
export class SqsDeadLetterSink implements DeadLetterSink {
  private readonly http: AwsHttp;
  private readonly endpoint: URL;

  public constructor(private readonly options: SqsDeadLetterSinkOptions) {
    this.endpoint = new URL('/', options.endpoint ?? new URL(options.queueUrl).origin);
    this.http = createAwsHttp({
      service: 'sqs',
      region: options.region,
      credentials: options.credentials,
      timeoutMs: options.timeoutMs ?? 10_000,
    });
  }

  public async send(letters: readonly DeadLetter[]): Promise<void> {
    for (let start = 0; start < letters.length; start += 10) {
      const batch = letters.slice(start, start + 10);
      const bodies = batch.map(letterBody);
      const body = JSON.stringify({
        QueueUrl: this.options.queueUrl,
        Entries: batch.map((letter, position) => ({
          Id: String(position),
          MessageBody: bodies[position],
          MessageAttributes: { code: { DataType: 'String', StringValue: letter.code } },
        })),
      });
      let answer;
      try {
        answer = await this.http({
          method: 'POST',
          url: this.endpoint,
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'x-amz-target': 'AmazonSQS.SendMessageBatch',
          },
          body,
        });
      } catch (error) {
        if (error instanceof NoAnswerError) {
          throw new DeadLetterSendError(`SQS did not answer: ${error.message}`, { cause: error });
        }
        throw error;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(answer.body);
      } catch (error) {
        throw new DeadLetterSendError(`SQS answered ${answer.status} with a body that is not JSON`, {
          cause: error,
        });
      }
      if (answer.status !== 200) {
        const refusal = errorAnswerSchema.safeParse(parsed);
        const type = refusal.success ? (refusal.data.__type ?? 'unknown') : 'unknown';
        const message = refusal.success ? (refusal.data.message ?? '') : '';
        throw new DeadLetterSendError(`SQS refused the batch (${answer.status} ${type}: ${message})`);
      }
      const result = batchAnswerSchema.safeParse(parsed);
      if (!result.success) throw new DeadLetterSendError('SQS answered with an unexpected shape');
      const failed = result.data.Failed ?? [];
      const succeeded = result.data.Successful?.length ?? 0;
      // As the SDK does: the digest SQS computed of what it stored must be the digest of what was sent.
      for (const entry of result.data.Successful ?? []) {
        const sent = bodies[Number(entry.Id)];
        const digest = createHash('md5')
          .update(sent ?? '', 'utf8')
          .digest('hex');
        if (entry.MD5OfMessageBody !== undefined && entry.MD5OfMessageBody !== digest) {
          throw new DeadLetterSendError(
            `SQS stored dead letter ${entry.Id} with a different digest than was sent`,
          );
        }
      }
      if (failed.length > 0 || succeeded !== batch.length) {
        const first = failed[0];
        throw new DeadLetterSendError(
          `SQS refused ${batch.length - succeeded} dead letters (${first?.Code ?? 'unknown'}: ${first?.Message ?? ''})`,
        );
      }
    }
  }
}
