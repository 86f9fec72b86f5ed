import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { deliveryKeyPrefix } from '../../shared/adapters/delivery-ledger';
import { PAGERDUTY_EVENTS_URL } from '../../shared/delivery/pagerduty-delivery';
import { isSeverity, type Severity } from '../../shared/domain/alert';
import { isValidSenderId } from '../../shared/domain/format/sms';
import { createEmptySecret } from './empty-secret';
import { VigilFunction } from './vigil-function';

/**
 * Account-level SMS settings. The account's MonthlySpendLimit is deliberately not among them: SNS
 * refuses a limit above the account's spend quota (1 USD on a new account), which would fail the
 * deploy; the operator raises quota and limit together (`vigil preflight` compares them).
 */
export interface DeliverySmsSettings {
  /** Alphanumeric sender id (1-11 letters or digits, at least one letter). @default - the carrier's default sender */
  readonly senderId?: string;
}

/** Properties of {@link DeliveryChannels}. */
export interface DeliveryChannelsProps {
  /** Topic the core publishes Slack notifications to. */
  readonly slackTopic: sns.ITopic;
  /** Topic the core publishes PagerDuty notifications to. */
  readonly pagerdutyTopic: sns.ITopic;
  /** The alert-state table; forwarders keep their delivery records in it under `DELIVERY#<channel>#`. */
  readonly alertTable: dynamodb.ITable;
  /** Customer key of the table and the dead-letter queues (SNS must be allowed to use it). @default - queues use SQS-managed encryption and the table is assumed to use an AWS-owned key */
  readonly encryptionKey?: kms.IKey;
  /** Complete ARN of an existing secret holding the Slack incoming webhook URL. @default - a secret is created without a value, to be set after deploy */
  readonly slackWebhookSecretArn?: string;
  /** Complete ARN of an existing secret holding the PagerDuty Events API v2 routing key. @default - a secret is created without a value, to be set after deploy */
  readonly pagerdutyRoutingKeySecretArn?: string;
  /** Creates the PagerDuty forwarder and its subscription. @default true */
  readonly pagerdutyEnabled?: boolean;
  /** Lowest severity of a firing notification that pages; resolves always pass. @default 'critical' */
  readonly pagerdutyMinSeverity?: Severity;
  /** Events API v2 endpoint (the EU service region uses `https://events.eu.pagerduty.com/v2/enqueue`). @default 'https://events.pagerduty.com/v2/enqueue' */
  readonly pagerdutyEventsUrl?: string;
  /** Account SMS settings applied through SNS SetSMSAttributes. @default - account SMS settings are not changed */
  readonly sms?: DeliverySmsSettings;
  /** Region of the CloudWatch console links for alerts that carry no region. @default - the stack's region */
  readonly consoleRegion?: string;
  /** Dashboard linked from messages whose notification names none. @default - no dashboard link */
  readonly dashboardUrl?: string;
  /** Prefix of the names of created secrets, e.g. `vigil-prod`. @default 'vigil' */
  readonly namePrefix?: string;
  /** How long a forwarder reuses a secret value before reading it again. @default Duration.minutes(5) */
  readonly secretMaxAge?: Duration;
}

/** One forwarder with its secret and dead-letter queue. */
interface Forwarder {
  readonly fn: VigilFunction;
  readonly secret: secretsmanager.ISecret;
  readonly deadLetterQueue: sqs.Queue;
}

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/**
 * Delivery channels that need code: the Slack and PagerDuty forwarders subscribed to their topics,
 * their secrets, dead-letter queues and scoped grants, and the account's SMS settings.
 *
 * Failure handling: a forwarder throws on retryable failures, so Lambda retries the asynchronous
 * invocation twice and then sends the event to the dead-letter queue (on-failure destination).
 * Permanent rejections (HTTP 4xx) are written to the same queue by the forwarder with their reason.
 * SNS's own delivery failures (e.g. the function throttled for too long) go to the subscription's
 * dead-letter queue, which is also the same queue.
 */
export class DeliveryChannels extends Construct {
  /** The Slack forwarder. */
  public readonly slackNotifier: VigilFunction;
  /** Dead-letter queue of Slack deliveries. */
  public readonly slackDeadLetterQueue: sqs.Queue;
  /** Secret holding the Slack webhook URL. */
  public readonly slackWebhookSecret: secretsmanager.ISecret;
  /** The PagerDuty forwarder, when enabled. */
  public readonly pagerdutyNotifier?: VigilFunction;
  /** Dead-letter queue of PagerDuty deliveries, when enabled. */
  public readonly pagerdutyDeadLetterQueue?: sqs.Queue;
  /** Secret holding the PagerDuty routing key, when enabled. */
  public readonly pagerdutyRoutingKeySecret?: secretsmanager.ISecret;

  public constructor(scope: Construct, id: string, props: DeliveryChannelsProps) {
    super(scope, id);
    validate(props);
    const prefix = props.namePrefix ?? 'vigil';

    const slack = this.forwarder('Slack', props, {
      channel: 'slack',
      topic: props.slackTopic,
      secretArn: props.slackWebhookSecretArn,
      secretName: `${prefix}/slack-webhook-url`,
      secretDescription:
        'Slack incoming webhook URL used by the vigil slack-notifier. Created without a value: put the https://hooks.slack.com/services/... URL in it (put-secret-value).',
      secretEnv: 'SLACK_WEBHOOK_SECRET_ARN',
      description: 'Forwards Slack notifications from SNS to the Slack incoming webhook',
    });
    this.slackNotifier = slack.fn;
    this.slackDeadLetterQueue = slack.deadLetterQueue;
    this.slackWebhookSecret = slack.secret;

    if (props.pagerdutyEnabled ?? true) {
      const pd = this.forwarder('PagerDuty', props, {
        channel: 'pagerduty',
        topic: props.pagerdutyTopic,
        secretArn: props.pagerdutyRoutingKeySecretArn,
        secretName: `${prefix}/pagerduty-routing-key`,
        secretDescription:
          'PagerDuty Events API v2 integration (routing) key used by the vigil pagerduty-notifier. Created without a value: put the 32-character key of the service integration in it (put-secret-value).',
        secretEnv: 'PAGERDUTY_ROUTING_KEY_SECRET_ARN',
        description: 'Forwards PagerDuty notifications from SNS to the Events API v2',
      });
      pd.fn.addEnvironment('PAGERDUTY_MIN_SEVERITY', props.pagerdutyMinSeverity ?? 'critical');
      pd.fn.addEnvironment('PAGERDUTY_EVENTS_URL', props.pagerdutyEventsUrl ?? PAGERDUTY_EVENTS_URL);
      this.pagerdutyNotifier = pd.fn;
      this.pagerdutyDeadLetterQueue = pd.deadLetterQueue;
      this.pagerdutyRoutingKeySecret = pd.secret;
    }

    if (props.sms?.senderId !== undefined) this.applySmsSettings(props.sms);
  }

  private forwarder(
    id: string,
    props: DeliveryChannelsProps,
    spec: {
      channel: 'slack' | 'pagerduty';
      topic: sns.ITopic;
      secretArn?: string;
      secretName: string;
      secretDescription: string;
      secretEnv: string;
      description: string;
    },
  ): Forwarder {
    const key = props.encryptionKey;
    const deadLetterQueue = new sqs.Queue(this, `${id}DeadLetterQueue`, {
      ...(key
        ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key }
        : { encryption: sqs.QueueEncryption.SQS_MANAGED }),
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is the dead-letter queue of the forwarder and its subscription; a DLQ of a DLQ would only move the problem',
    });

    const secret = spec.secretArn
      ? secretsmanager.Secret.fromSecretCompleteArn(this, `${id}Secret`, spec.secretArn)
      : createEmptySecret(this, `${id}Secret`, {
          name: spec.secretName,
          description: spec.secretDescription,
          key,
          rotation:
            'Slack webhook URLs and PagerDuty routing keys are issued by those services and cannot be rotated by a Lambda; they are rotated by issuing a new one and updating the secret',
        });

    const fn = new VigilFunction(this, `${id}Notifier`, {
      functionDir: `${spec.channel}-notifier`,
      description: spec.description,
      serviceName: `${spec.channel}-notifier`,
      timeout: Duration.seconds(30),
      environment: {
        CONSOLE_REGION: props.consoleRegion ?? Stack.of(this).region,
        SECRET_MAX_AGE_SECONDS: String((props.secretMaxAge ?? Duration.minutes(5)).toSeconds()),
        ...(props.dashboardUrl ? { DASHBOARD_URL: props.dashboardUrl } : {}),
      },
    });
    fn.addEnvironment(spec.secretEnv, secret.secretArn);
    secret.grantRead(fn.role);
    fn.bindQueue(deadLetterQueue, 'DEAD_LETTER_QUEUE_URL', key);
    this.grantLedger(fn, props.alertTable, spec.channel, key);

    fn.fn.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      onFailure: VigilFunction.queueDestination(deadLetterQueue, key),
    });
    spec.topic.addSubscription(new subs.LambdaSubscription(fn.fn, { deadLetterQueue }));
    return { fn, secret, deadLetterQueue };
  }

  /** Item-level access to this channel's delivery records only (IAM LeadingKeys on the partition key). */
  private grantLedger(
    fn: VigilFunction,
    table: dynamodb.ITable,
    channel: 'slack' | 'pagerduty',
    key?: kms.IKey,
  ): void {
    fn.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resources: [table.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${deliveryKeyPrefix(channel)}*`] },
        },
      }),
    );
    if (key) fn.useKey(key);
    fn.addEnvironment('ALERT_TABLE_NAME', table.tableName);
  }

  /** Sets the account's SMS type and sender id (SNS SetSMSAttributes). */
  private applySmsSettings(sms: DeliverySmsSettings): void {
    const attributes: Record<string, string> = { DefaultSMSType: 'Transactional' };
    if (sms.senderId !== undefined) attributes['DefaultSenderID'] = sms.senderId;
    const call: cr.AwsSdkCall = {
      service: 'SNS',
      action: 'setSMSAttributes',
      parameters: { attributes },
      physicalResourceId: cr.PhysicalResourceId.of('vigil-sms-account-settings'),
    };
    const settings = new cr.AwsCustomResource(this, 'SmsAccountSettings', {
      onCreate: call,
      onUpdate: call,
      installLatestAwsSdk: false,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['sns:SetSMSAttributes'], resources: ['*'] }),
      ]),
    });
    Validations.of(settings).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'sns:SetSMSAttributes is an account-level action with no resource-level permissions',
    });
    // The provider function is a stack-wide singleton that CDK creates and configures.
    const provider = Stack.of(this).node.tryFindChild('AWS679f53fac002430cb0da5b7982bd2287');
    if (provider) {
      Validations.of(provider).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          'The AwsCustomResource provider is created by CDK with the basic execution role; it runs only on deploy',
      });
      Validations.of(provider).acknowledge({
        id: 'AwsSolutions-L1',
        reason: 'The AwsCustomResource provider runtime is chosen by aws-cdk-lib and moves with its upgrades',
      });
    }
  }
}

function validate(props: DeliveryChannelsProps): void {
  const fail = (field: string, rule: string): never => {
    throw new Error(`DeliveryChannels: ${field} ${rule}`);
  };
  for (const [field, arn] of [
    ['slackWebhookSecretArn', props.slackWebhookSecretArn],
    ['pagerdutyRoutingKeySecretArn', props.pagerdutyRoutingKeySecretArn],
  ] as const) {
    if (arn !== undefined && !Token.isUnresolved(arn) && !SECRET_ARN.test(arn)) {
      fail(field, 'must be the complete ARN of a Secrets Manager secret (ending in -XXXXXX)');
    }
  }
  if (props.pagerdutyMinSeverity !== undefined && !isSeverity(props.pagerdutyMinSeverity)) {
    fail('pagerdutyMinSeverity', 'must be info, warning or critical');
  }
  if (props.pagerdutyEventsUrl !== undefined && !/^https:\/\/[^\s]+$/.test(props.pagerdutyEventsUrl)) {
    fail('pagerdutyEventsUrl', 'must be an https URL');
  }
  if (
    props.consoleRegion !== undefined &&
    !Token.isUnresolved(props.consoleRegion) &&
    !REGION.test(props.consoleRegion)
  ) {
    fail('consoleRegion', 'must be an AWS region such as eu-west-1');
  }
  if (props.dashboardUrl !== undefined && !/^https:\/\/[^\s]+$/.test(props.dashboardUrl)) {
    fail('dashboardUrl', 'must be an https URL');
  }
  const senderId = props.sms?.senderId;
  if (senderId !== undefined && !isValidSenderId(senderId)) {
    fail('sms.senderId', 'must be 1-11 letters or digits with at least one letter');
  }
}
