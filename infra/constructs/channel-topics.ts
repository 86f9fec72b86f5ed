import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { Channel } from '../../shared/domain/alert';
import { CHANNELS } from '../../shared/domain/alert';

/** Properties of {@link ChannelTopics}. */
export interface ChannelTopicsProps {
  /** Name prefix of the topics, e.g. "vigil-dev". */
  readonly namePrefix: string;
  /** Key that encrypts every topic. */
  readonly encryptionKey: kms.IKey;
  /** Email addresses subscribed to the email topic. @default - none */
  readonly emailSubscribers?: readonly string[];
  /** E.164 numbers subscribed to the SMS topic. @default - none */
  readonly smsSubscribers?: readonly string[];
}

/** One KMS-encrypted, TLS-only SNS topic per channel, with email and SMS subscriptions from config. */
export class ChannelTopics extends Construct {
  /** Topic of each channel. */
  public readonly topics: Readonly<Record<Channel, sns.Topic>>;

  public constructor(scope: Construct, id: string, props: ChannelTopicsProps) {
    super(scope, id);
    const make = (channel: Channel): sns.Topic =>
      new sns.Topic(this, `${channel}Topic`, {
        topicName: `${props.namePrefix}-${channel}`,
        displayName: `${props.namePrefix} ${channel} notifications`,
        masterKey: props.encryptionKey,
        enforceSSL: true,
      });
    const topics = Object.fromEntries(CHANNELS.map((c) => [c, make(c)])) as Record<Channel, sns.Topic>;
    for (const address of props.emailSubscribers ?? []) {
      topics.email.addSubscription(new subs.EmailSubscription(address));
    }
    for (const phone of props.smsSubscribers ?? []) {
      topics.sms.addSubscription(new subs.SmsSubscription(phone));
    }
    this.topics = topics;
  }
}
