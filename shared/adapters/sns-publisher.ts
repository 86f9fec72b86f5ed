import type { Channel } from '../domain/alert';
import { ConfigError } from '../domain/errors';
import type { NotificationActionLinks } from '../domain/format/action-links';
import { renderSnsEnvelope } from '../domain/format/sns-message';
import { smsPublishAttributes } from '../domain/format/sms';
import type { Notification } from '../domain/notification';
import type { Publisher } from '../domain/ports';
import type { PublishInput, SnsPublish } from './sns-http';

/** Env var naming the topic ARN of each channel. */
export const TOPIC_ENV: Readonly<Record<Channel, string>> = {
  slack: 'TOPIC_ARN_SLACK',
  email: 'TOPIC_ARN_EMAIL',
  sms: 'TOPIC_ARN_SMS',
  pagerduty: 'TOPIC_ARN_PAGERDUTY',
};

/** Reads the channel topic ARNs that are configured in the environment. */
export function topicArnsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<Record<Channel, string>> {
  const out: Partial<Record<Channel, string>> = {};
  for (const [channel, name] of Object.entries(TOPIC_ENV) as [Channel, string][]) {
    const arn = env[name];
    if (arn) out[channel] = arn;
  }
  return out;
}

/** Per-channel extra publish attributes: SMS type Transactional and the sender id for the SMS topic. */
export function channelAttributes(
  smsSenderId: string | undefined,
): (channel: Channel) => Record<string, string> {
  const sms = Object.fromEntries(
    Object.entries(smsPublishAttributes({ senderId: smsSenderId })).map(([k, v]) => [k, v.StringValue]),
  );
  return (channel) => (channel === 'sms' ? sms : {});
}

/** Publisher on one SNS topic per channel, `MessageStructure: json`, filterable attributes. */
export class SnsPublisher implements Publisher {
  public constructor(
    private readonly publishToSns: SnsPublish,
    private readonly topics: Partial<Record<Channel, string>>,
    private readonly extraAttributes: (channel: Channel) => Record<string, string> = () => ({}),
    /** One-click links for the email and SMS bodies; never throws (no links rather than no page). */
    private readonly actionLinks?: (n: Notification) => Promise<NotificationActionLinks | undefined>,
  ) {}

  /** @inheritdoc */
  public async publish(channel: Channel, notification: Notification): Promise<void> {
    const topicArn = this.topics[channel];
    if (!topicArn)
      throw new ConfigError(`no topic configured for channel "${channel}" (${TOPIC_ENV[channel]})`);
    const links =
      this.actionLinks && (channel === 'email' || channel === 'sms')
        ? await this.actionLinks(notification)
        : undefined;
    const envelope = renderSnsEnvelope(notification, links);
    const attributes: Record<string, NonNullable<PublishInput['MessageAttributes']>[string]> = {};
    for (const [name, value] of Object.entries({
      ...envelope.attributes,
      ...this.extraAttributes(channel),
    })) {
      attributes[name] = { DataType: 'String', StringValue: value };
    }
    await this.publishToSns({
      TopicArn: topicArn,
      Subject: envelope.subject,
      Message: envelope.message,
      MessageStructure: 'json',
      MessageAttributes: attributes,
    });
  }
}
