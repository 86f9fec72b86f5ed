// Intent of the delivery channels construct: subscriptions with DLQs, encrypted TLS-only queues,
// grants scoped to each forwarder's own secret and ledger records, SMS settings; cdk-nag clean.
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DeliveryChannels, type DeliveryChannelsProps } from '../../infra/constructs/delivery-channels';

const SLACK_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vigil/slack-AbC123';

function synth(props: Partial<DeliveryChannelsProps> = {}, withKey = false) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'DeliveryStack');
  const key = withKey ? new kms.Key(stack, 'Key', { enableKeyRotation: true }) : undefined;
  const table = new dynamodb.Table(stack, 'Alerts', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    timeToLiveAttribute: 'expiresAt',
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    ...(key ? { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: key } : {}),
  });
  const slackTopic = new sns.Topic(stack, 'SlackTopic', { enforceSSL: true, masterKey: key });
  const pagerdutyTopic = new sns.Topic(stack, 'PagerDutyTopic', { enforceSSL: true, masterKey: key });
  const channels = new DeliveryChannels(stack, 'Delivery', {
    slackTopic,
    pagerdutyTopic,
    alertTable: table,
    encryptionKey: key,
    ...props,
  });
  return { app, stack, channels, template: Template.fromStack(stack), slackTopic, pagerdutyTopic };
}

function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  const child = construct.node.defaultChild;
  if (!(child instanceof Object) || !('logicalId' in child)) throw new Error('no default child');
  return stack.resolve(child.logicalId) as string;
}

describe('subscriptions', () => {
  it('subscribes each forwarder to its topic with a dead-letter queue', () => {
    // Arrange / Act
    const { template, stack, channels } = synth();

    // Assert
    const slackQueue = logicalId(stack, channels.slackDeadLetterQueue);
    const pdQueue = channels.pagerdutyDeadLetterQueue
      ? logicalId(stack, channels.pagerdutyDeadLetterQueue)
      : '';
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: Match.stringLikeRegexp('^SlackTopic') },
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [slackQueue, 'Arn'] } },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: Match.stringLikeRegexp('^PagerDutyTopic') },
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [pdQueue, 'Arn'] } },
    });
  });

  it('lets only its topic send to a subscription dead-letter queue', () => {
    // Arrange / Act
    const { template } = synth();

    // Assert
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'sns.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Condition: { ArnEquals: { 'aws:SourceArn': { Ref: Match.stringLikeRegexp('^SlackTopic') } } },
          }),
        ]),
      },
    });
  });

  it('retries failed invocations twice, then sends them to the dead-letter queue', () => {
    // Arrange / Act
    const { template } = synth();

    // Assert
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 2);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('SlackDeadLetterQueue'), 'Arn'] } },
      },
    });
  });

  it('creates no PagerDuty forwarder when disabled', () => {
    // Arrange / Act
    const { template, channels } = synth({ pagerdutyEnabled: false });

    // Assert
    expect(channels.pagerdutyNotifier).toBeUndefined();
    template.resourceCountIs('AWS::SNS::Subscription', 1);
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
  });
});

describe('queues', () => {
  it('encrypts every dead-letter queue and denies non-TLS access', () => {
    // Arrange / Act
    const { template } = synth();

    // Assert
    const queues = template.findResources('AWS::SQS::Queue');
    expect(Object.keys(queues)).toHaveLength(2);
    for (const q of Object.values(queues))
      expect(q).toMatchObject({ Properties: { SqsManagedSseEnabled: true } });
    template.allResourcesProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('uses the customer key when one is given', () => {
    // Arrange / Act
    const { template } = synth({}, true);

    // Assert
    template.allResourcesProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
    });
  });
});

describe('grants', () => {
  it('lets each forwarder read only its own secret', () => {
    // Arrange / Act
    const { template, stack, channels } = synth({ slackWebhookSecretArn: SLACK_SECRET });

    // Assert
    const slackPolicies = Object.values(
      template.findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: logicalId(stack, channels.slackNotifier.role) }] },
      }),
    );
    const statements = JSON.stringify(slackPolicies);
    expect(statements).toContain(SLACK_SECRET);
    expect(statements).not.toContain('PagerDutySecret');
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
  });

  it('limits table access to item actions on the channel ledger partition keys', () => {
    // Arrange / Act
    const { template } = synth();

    // Assert
    for (const channel of ['slack', 'pagerduty']) {
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Effect: 'Allow',
              Action: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
              Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Alerts'), 'Arn'] },
              Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`DELIVERY#${channel}#*`] } },
            },
          ]),
        },
      });
    }
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).not.toMatch(/dynamodb:(Scan|Query|BatchWriteItem|\*)/);
  });

  it('configures the forwarders through their environment', () => {
    // Arrange / Act
    const { template } = synth({ pagerdutyMinSeverity: 'warning', dashboardUrl: 'https://example.com/d' });

    // Assert
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'pagerduty-notifier',
          PAGERDUTY_MIN_SEVERITY: 'warning',
          PAGERDUTY_EVENTS_URL: 'https://events.pagerduty.com/v2/enqueue',
          PAGERDUTY_ROUTING_KEY_SECRET_ARN: { Ref: Match.stringLikeRegexp('PagerDutySecret') },
          DEAD_LETTER_QUEUE_URL: { Ref: Match.stringLikeRegexp('PagerDutyDeadLetterQueue') },
          ALERT_TABLE_NAME: { Ref: Match.stringLikeRegexp('^Alerts') },
          DASHBOARD_URL: 'https://example.com/d',
        }),
      },
    });
  });
});

describe('secrets and SMS', () => {
  it('creates secrets without a value, so no template change rewrites what the operator put in', () => {
    // Arrange / Act
    const { template } = synth();

    // Assert
    const secrets = Object.values(template.findResources('AWS::SecretsManager::Secret')).map(
      (s) => (s as { Properties: Record<string, unknown> }).Properties,
    );
    expect(secrets).toHaveLength(2);
    for (const secret of secrets) {
      expect(secret).not.toHaveProperty('SecretString');
      expect(secret).not.toHaveProperty('GenerateSecretString');
    }
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Description: Match.stringLikeRegexp('put the https://hooks.slack.com/services/... URL in it'),
    });
  });

  it('sets the sender id through SetSMSAttributes and never the account spend limit', () => {
    // Arrange / Act
    const { template } = synth({ sms: { senderId: 'Vigil' } });

    // Assert
    const resources = template.findResources('Custom::AWS');
    const create = JSON.stringify(Object.values(resources)[0]);
    expect(create).toContain('setSMSAttributes');
    expect(create).not.toContain('MonthlySpendLimit');
    expect(create).toContain('\\"DefaultSenderID\\":\\"Vigil\\"');
    expect(create).toContain('\\"DefaultSMSType\\":\\"Transactional\\"');
  });

  it('leaves account SMS settings alone by default', () => {
    expect(Object.keys(synth().template.findResources('Custom::AWS'))).toHaveLength(0);
  });

  it.each([
    [{ sms: { senderId: 'not valid!' } }, /sms\.senderId/],
    [{ slackWebhookSecretArn: 'vigil/slack' }, /slackWebhookSecretArn/],
    [{ pagerdutyEventsUrl: 'http://events.pagerduty.com' }, /pagerdutyEventsUrl/],
    [{ consoleRegion: 'Ireland' }, /consoleRegion/],
  ] as const)('rejects invalid configuration %j naming the field', (props, message) => {
    expect(() => synth(props)).toThrow(message);
  });
});

describe('cdk-nag', () => {
  it.each([
    ['defaults', {}, false],
    [
      'imported secrets, customer key, SMS settings',
      { slackWebhookSecretArn: SLACK_SECRET, sms: { senderId: 'Vigil' } },
      true,
    ],
  ] as const)('has no unacknowledged AwsSolutions finding with %s', (_name, props, withKey) => {
    // Arrange
    const { app, stack } = synth(props, withKey);

    // Act
    const report = new AwsSolutionsChecks(app).validateScope(stack);

    // Assert
    expect(
      report.violations.map(
        (v) =>
          `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath ?? r.resourceLogicalId ?? r.locations.join(' ')).join(',')}`,
      ),
    ).toEqual([]);
  });
});
