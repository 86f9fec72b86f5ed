/** {@link SnsPublish} on the SDK's SNS client: the CLI (operator credentials) and tests. */
import type { SNSClient } from '@aws-sdk/client-sns';
import { PublishCommand } from '@aws-sdk/client-sns';
import type { SnsPublish } from './sns-http';

/** Publishes through `client`; resolves with the message id. */
export function sdkSnsPublish(client: SNSClient): SnsPublish {
  return async (input) => {
    const out = await client.send(
      new PublishCommand({
        ...input,
        MessageAttributes: input.MessageAttributes === undefined ? undefined : { ...input.MessageAttributes },
      }),
    );
    return out.MessageId ?? '';
  };
}
