/** SQS over its JSON protocol: SendMessage with the body digest checked, as the SDK checks it. */
import { createHash } from 'node:crypto';
import type { AwsHttp } from './aws-http';
import type { AwsJsonCall } from './aws-json';
import { AwsServiceError, createAwsJsonClient, endpointOf } from './aws-json';
import type { LeanAws } from './lean-aws';

/** A String message attribute. */
export interface SqsAttribute {
  readonly DataType: 'String';
  readonly StringValue: string;
}

/** What SendMessage takes (the parts this project uses). */
export interface SendMessageInput {
  readonly QueueUrl: string;
  readonly MessageBody: string;
  readonly MessageAttributes?: Readonly<Record<string, SqsAttribute>>;
  /** FIFO queues: messages of one group are delivered one at a time, in order. */
  readonly MessageGroupId?: string;
  /** FIFO queues: a second message with this id within five minutes is dropped by SQS. */
  readonly MessageDeduplicationId?: string;
}

/** An SQS client for one Lambda. */
export function createSqsCall(
  aws: LeanAws,
  options: { readonly http?: AwsHttp; readonly maxAttempts?: number } = {},
): AwsJsonCall {
  return createAwsJsonClient({
    signingName: 'sqs',
    targetPrefix: 'AmazonSQS',
    jsonVersion: '1.0',
    region: aws.region,
    endpoint: endpointOf('sqs', aws.region, aws.env),
    credentials: aws.credentials,
    ...(options.http ? { http: options.http } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    ...(aws.around ? { around: aws.around('SQS') } : {}),
  });
}

/** Sends one message; rejects when SQS refused it or stored something other than what was sent. */
export async function sendMessage(call: AwsJsonCall, input: SendMessageInput): Promise<string> {
  const answer = (await call('SendMessage', input)) as { MessageId?: unknown; MD5OfMessageBody?: unknown };
  const digest = createHash('md5').update(input.MessageBody, 'utf8').digest('hex');
  if (typeof answer.MD5OfMessageBody === 'string' && answer.MD5OfMessageBody !== digest) {
    throw new AwsServiceError('DigestMismatch', 'SendMessage: SQS stored a body with a different digest', {
      status: 200,
      retryable: true,
    });
  }
  if (typeof answer.MessageId !== 'string') {
    throw new AwsServiceError('InvalidResponse', 'SendMessage: answer has no MessageId', {
      status: 200,
      retryable: false,
    });
  }
  return answer.MessageId;
}
