/**
 * Two accounts for `vigil preflight`, answered by aws-sdk-client-mock: a fresh one (not
 * bootstrapped, a concurrency quota of 10, SMS sandbox, no log groups) and one where prod is
 * deployed and every step after deploy was done. Shared by the tests and preflight-examples.ts.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  DescribeSubscriptionFiltersCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  GetSMSAttributesCommand,
  GetSMSSandboxAccountStatusCommand,
  ListSMSSandboxPhoneNumbersCommand,
  ListSubscriptionsByTopicCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { DescribeDocumentCommand, GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { loadStageConfig } from '../../infra/config/stages';
import { preflightPlan } from '../../shared/cli/preflight/plan';

/** The mocked clients: every client of its class, wherever created, answers through them. */
export const cfn = mockClient(CloudFormationClient);
export const ssm = mockClient(SSMClient);
export const logs = mockClient(CloudWatchLogsClient);
export const sns = mockClient(SNSClient);
export const iam = mockClient(IAMClient);
export const secrets = mockClient(SecretsManagerClient);
export const lambda = mockClient(LambdaClient);

/** The account id, the indexer, the email and ops topics of the deployed prod stack. */
export const ACCOUNT = '111122223333';
export const INDEXER = `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:Vigil-prod-LogsIndexerFn4F056655-AbC`;
export const EMAIL_TOPIC = `arn:aws:sns:eu-west-1:${ACCOUNT}:vigil-prod-email`;
export const OPS_TOPIC = `arn:aws:sns:eu-west-1:${ACCOUNT}:vigil-prod-ops`;
/** ARN of a secret of the account. */
export const secretArn = (name: string) =>
  `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:${name}-Ab12Cd`;
/** What preflight checks for prod. */
export const PROD = preflightPlan(loadStageConfig('prod'));

/** An AWS SDK error as the SDK names it. */
export const awsError = (name: string, message = name) => Object.assign(new Error(message), { name });

/** A new account: not bootstrapped, a concurrency quota of 10, SMS sandbox, nothing created. */
export function freshAccount(): void {
  cfn
    .on(DescribeStacksCommand)
    .rejects(awsError('ValidationError', 'Stack with id Vigil-prod does not exist'));
  ssm.on(GetParameterCommand).rejects(awsError('ParameterNotFound'));
  ssm.on(DescribeDocumentCommand).rejects(awsError('InvalidDocument'));
  lambda
    .on(GetAccountSettingsCommand)
    .resolves({ AccountLimit: { ConcurrentExecutions: 10, UnreservedConcurrentExecutions: 10 } });
  logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
  sns.on(GetSMSSandboxAccountStatusCommand).resolves({ IsInSandbox: true });
  sns.on(ListSMSSandboxPhoneNumbersCommand).resolves({ PhoneNumbers: [] });
  sns.on(GetSMSAttributesCommand).resolves({ attributes: { MonthlySpendLimit: '1' } });
  iam.on(GetRoleCommand).rejects(awsError('NoSuchEntityException'));
  secrets.on(DescribeSecretCommand).rejects(awsError('ResourceNotFoundException'));
}

/** An account where prod is deployed and every step after deploy was done. */
export function readyAccount(): void {
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'Vigil-prod',
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: new Date(0),
        Outputs: [
          { OutputKey: 'AlertTableName', OutputValue: 'Vigil-prod-AlertStateTable-1' },
          { OutputKey: 'TopicArnEmail', OutputValue: EMAIL_TOPIC },
          { OutputKey: 'OpsTopicArn', OutputValue: OPS_TOPIC },
          { OutputKey: 'LogIndexerFunctionArn', OutputValue: INDEXER },
          { OutputKey: 'SlackWebhookSecretArn', OutputValue: secretArn('vigil-prod/slack-webhook-url') },
          {
            OutputKey: 'PagerDutyRoutingKeySecretArn',
            OutputValue: secretArn('vigil-prod/pagerduty-routing-key'),
          },
          { OutputKey: 'SlackSigningSecretArn', OutputValue: secretArn('vigil-prod/slack-signing-secret') },
          {
            OutputKey: 'PagerDutyWebhookSecretArn',
            OutputValue: secretArn('vigil-prod/pagerduty-webhook-secret'),
          },
          { OutputKey: 'ActionLinkKeySecretArn', OutputValue: secretArn('vigil-prod/action-link-key') },
        ],
      },
    ],
  });
  ssm
    .on(GetParameterCommand)
    .resolves({ Parameter: { Name: '/cdk-bootstrap/hnb659fds/version', Value: '28' } });
  lambda
    .on(GetAccountSettingsCommand)
    .resolves({ AccountLimit: { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 983 } });
  for (const name of PROD.existingLogGroups) {
    logs
      .on(DescribeLogGroupsCommand, { logGroupNamePrefix: name })
      .resolves({ logGroups: [{ logGroupName: name }] });
    logs.on(DescribeSubscriptionFiltersCommand, { logGroupName: name }).resolves({
      subscriptionFilters: [{ filterName: 'vigil', destinationArn: INDEXER }],
    });
  }
  sns.on(GetSMSSandboxAccountStatusCommand).resolves({ IsInSandbox: false });
  sns.on(GetSMSAttributesCommand).resolves({ attributes: { MonthlySpendLimit: '50' } });
  sns.on(ListSubscriptionsByTopicCommand, { TopicArn: EMAIL_TOPIC }).resolves({
    Subscriptions: [
      { Protocol: 'email', Endpoint: 'oncall@example.com', SubscriptionArn: `${EMAIL_TOPIC}:1a2b` },
      { Protocol: 'lambda', Endpoint: INDEXER, SubscriptionArn: `${EMAIL_TOPIC}:3c4d` },
    ],
  });
  sns.on(ListSubscriptionsByTopicCommand, { TopicArn: OPS_TOPIC }).resolves({
    Subscriptions: [
      { Protocol: 'email', Endpoint: 'platform-ops@example.com', SubscriptionArn: `${OPS_TOPIC}:5e6f` },
    ],
  });
  iam.on(GetRoleCommand).resolves({
    Role: {
      RoleName: 'AWSServiceRoleForAmazonOpenSearchService',
      Path: '/aws-service-role/',
      RoleId: 'AROA1',
      Arn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/opensearchservice.amazonaws.com/AWSServiceRoleForAmazonOpenSearchService`,
      CreateDate: new Date(0),
    },
  });
  secrets.on(DescribeSecretCommand).callsFake((input: { SecretId: string }) => ({
    ARN: input.SecretId,
    VersionIdsToStages: { 'v-1': ['AWSCURRENT'] },
  }));
  secrets.on(GetSecretValueCommand).resolves({ SecretString: 'https://hooks.slack.com/services/T0/B0/real' });
}

/** Clears every mock's answers and recorded calls. */
export function resetAccount(): void {
  for (const client of [cfn, ssm, logs, sns, iam, secrets, lambda]) client.reset();
}
