import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeLogGroupsCommand,
  DescribeSubscriptionFiltersCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { DescribeSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { DescribeDocumentCommand } from '@aws-sdk/client-ssm';
import { runVigil } from '../../../shared/cli/main';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { CheckResult } from '../../../shared/cli/preflight/checks';
import { runPreflight } from '../../../shared/cli/preflight/checks';
import {
  EMAIL_TOPIC,
  awsError,
  PROD,
  cfn,
  freshAccount,
  iam,
  logs,
  readyAccount,
  resetAccount,
  secretArn,
  secrets,
  sns,
  ssm,
} from '../../support/preflight-accounts';

const sleeps: number[] = [];

async function preflight(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runVigil(['preflight', ...argv], {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    env: {},
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
  });
  return { code, out: out.join(''), err: err.join('') };
}

async function preflightJson(...argv: string[]) {
  const run = await preflight(...argv, '--json');
  const doc = JSON.parse(run.out) as {
    ready: boolean;
    counts: Record<string, number>;
    checks: CheckResult[];
  };
  return { ...run, doc };
}

const find = (checks: readonly CheckResult[], check: string, subject = '') =>
  checks.filter((c) => c.check === check && c.detail.includes(subject));

beforeEach(() => {
  resetAccount();
  sleeps.length = 0;
});

describe('vigil preflight on a fresh account', () => {
  it('fails what would fail the deploy and says how to fix each, on one line', async () => {
    // Arrange
    freshAccount();
    // Act
    const run = await preflight('--stage', 'prod');
    // Assert
    expect(run.code).toBe(1);
    expect(run.err).toBe('');
    const lines = run.out.trimEnd().split('\n');
    expect(lines[0]).toBe('preflight of stage prod (Vigil-prod) in eu-west-1');
    expect(lines).toContain(
      'fail  cdk-bootstrap       this account and region are not bootstrapped for CDK | fix: npx cdk bootstrap aws://<account>/<region> (with this repository, so the CLI is recent)',
    );
    expect(lines).toContain(
      'fail  log-group           /dokkerr/prod/api does not exist; its subscription filter would fail the deploy | fix: aws logs create-log-group --log-group-name /dokkerr/prod/api (or let the stack create it: logs.createLogGroups)',
    );
    expect(lines.at(-1)).toBe('9 fail, 2 warn, 7 ok: not ready, fix each fail first');
    for (const line of lines.filter((l) => /^(warn|fail) /.test(l))) expect(line).toContain(' | fix: ');
  });

  it('reports the SMS sandbox, the spend limit, concurrency and the service-linked role', async () => {
    // Arrange
    freshAccount();
    // Act
    const { doc } = await preflightJson('--stage', 'prod');
    // Assert
    expect(doc.ready).toBe(false);
    expect(find(doc.checks, 'log-group').map((c) => c.status)).toEqual(Array(6).fill('fail'));
    expect(find(doc.checks, 'sms-sandbox')).toEqual([
      expect.objectContaining({
        status: 'warn',
        detail:
          'the account is in the SMS sandbox: SMS reaches verified numbers only, and +447700900123, +447700900456 are not verified',
      }),
    ]);
    expect(find(doc.checks, 'sms-spend')[0]).toMatchObject({
      status: 'warn',
      fix: 'ask AWS Support for an SMS spend quota of 50 USD, then aws sns set-sms-attributes --attributes MonthlySpendLimit=50',
    });
    expect(find(doc.checks, 'lambda-concurrency')[0]).toMatchObject({
      status: 'fail',
      detail:
        'quota 10, unreserved 10; the stack reserves 19, which would leave -9 (Lambda keeps at least 10 unreserved)',
    });
    expect(find(doc.checks, 'opensearch-role')[0]).toMatchObject({
      status: 'fail',
      fix: 'aws iam create-service-linked-role --aws-service-name opensearchservice.amazonaws.com',
    });
    expect(find(doc.checks, 'secret').map((c) => [c.status, c.detail])).toEqual([
      [
        'ok',
        'Slack webhook URL: vigil-prod/slack-webhook-url is free; the stack creates it without a value, to be set after deploy',
      ],
      [
        'ok',
        'PagerDuty routing key: vigil-prod/pagerduty-routing-key is free; the stack creates it without a value, to be set after deploy',
      ],
      [
        'ok',
        'Slack signing secret: vigil-prod/slack-signing-secret is free; the stack creates it without a value, to be set after deploy',
      ],
      [
        'ok',
        'PagerDuty webhook secret: vigil-prod/pagerduty-webhook-secret is free; the stack creates it without a value, to be set after deploy',
      ],
      [
        'ok',
        'action link key: vigil-prod/action-link-key is free; the stack creates it with a generated value',
      ],
    ]);
    // Email confirmations are a step after deploy: nothing to look at before it.
    expect(find(doc.checks, 'email')).toEqual([]);
    expect(sns.commandCalls(ListSubscriptionsByTopicCommand)).toHaveLength(0);
  });

  it('fails a name the stack would create that is still taken after a teardown', async () => {
    // Arrange
    freshAccount();
    secrets.on(DescribeSecretCommand, { SecretId: 'vigil-prod/slack-webhook-url' }).resolves({
      ARN: secretArn('vigil-prod/slack-webhook-url'),
      DeletedDate: new Date('2026-12-20T00:00:00Z'),
    });
    // Act
    const { doc } = await preflightJson('--stage', 'prod');
    // Assert
    expect(find(doc.checks, 'secret', 'Slack')[0]).toEqual({
      check: 'secret',
      status: 'fail',
      detail:
        'Slack webhook URL: a secret named vigil-prod/slack-webhook-url already exists (scheduled for deletion on 2026-12-20); the stack creates it',
      fix: 'aws secretsmanager restore-secret --secret-id vigil-prod/slack-webhook-url && aws secretsmanager delete-secret --secret-id vigil-prod/slack-webhook-url --force-delete-without-recovery',
    });
  });

  it('checks that the log groups dev creates are free, and that its runbook name is', async () => {
    // Arrange
    freshAccount();
    cfn
      .on(DescribeStacksCommand)
      .rejects(awsError('ValidationError', 'Stack with id Vigil-dev does not exist'));
    logs.on(DescribeLogGroupsCommand, { logGroupNamePrefix: '/dokkerr/dev/api' }).resolves({
      logGroups: [{ logGroupName: '/dokkerr/dev/api-old' }, { logGroupName: '/dokkerr/dev/api' }],
    });
    ssm
      .on(DescribeDocumentCommand, { Name: 'vigil-dev-restart-ecs-service' })
      .resolves({ Document: { Name: 'vigil-dev-restart-ecs-service', DocumentType: 'Automation' } });
    // Act
    const { doc } = await preflightJson('--stage', 'dev');
    // Assert
    expect(find(doc.checks, 'log-group')).toEqual([]);
    expect(find(doc.checks, 'log-group-name').map((c) => `${c.status} ${c.detail}`)).toEqual([
      'fail /dokkerr/dev/api already exists; the stack creates it and CloudFormation cannot create it twice',
      'ok /dokkerr/dev/checkout is free; the stack creates it',
      'ok /dokkerr/dev/system is free; the stack creates it',
      'ok /dokkerr/dev/access is free; the stack creates it',
      'ok /dokkerr/dev/errors is free; the stack creates it',
    ]);
    expect(find(doc.checks, 'runbook-name')[0]).toMatchObject({
      status: 'fail',
      fix: 'aws ssm delete-document --name vigil-dev-restart-ecs-service',
    });
    // Dev has no SMS numbers and no spend cap.
    expect(find(doc.checks, 'sms-sandbox')).toEqual([]);
  });
});

describe('vigil preflight on a ready account', () => {
  it('passes every check, exit 0', async () => {
    // Arrange
    readyAccount();
    // Act
    const run = await preflight('--stage', 'prod');
    // Assert
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    const lines = run.out.trimEnd().split('\n');
    expect(lines.filter((l) => !l.startsWith('ok '))).toEqual([
      'preflight of stage prod (Vigil-prod) in eu-west-1',
      '0 fail, 0 warn, 19 ok: ready to deploy',
    ]);
    expect(lines).toContain(
      'ok    log-group           /dokkerr/prod/api exists and is already subscribed by the stack',
    );
    expect(lines).toContain('ok    email               email channel: 1 address(es) confirmed');
    expect(lines).toContain(
      `ok    secret              Slack webhook URL: ${secretArn('vigil-prod/slack-webhook-url')} has a value`,
    );
  });

  it('after deploy, fails an empty secret or its old placeholder and warns of unconfirmed email', async () => {
    // Arrange
    readyAccount();
    secrets
      .on(DescribeSecretCommand, { SecretId: secretArn('vigil-prod/pagerduty-routing-key') })
      .resolves({ ARN: secretArn('vigil-prod/pagerduty-routing-key'), VersionIdsToStages: {} });
    secrets
      .on(DescribeSecretCommand, { SecretId: secretArn('vigil-prod/pagerduty-webhook-secret') })
      .resolves({ ARN: secretArn('vigil-prod/pagerduty-webhook-secret'), VersionIdsToStages: {} });
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'REPLACE_ME: Slack incoming webhook URL' });
    sns.on(ListSubscriptionsByTopicCommand, { TopicArn: EMAIL_TOPIC }).resolves({
      Subscriptions: [
        { Protocol: 'email', Endpoint: 'oncall@example.com', SubscriptionArn: 'PendingConfirmation' },
      ],
    });
    // Act
    const { code, doc } = await preflightJson('--stage', 'prod');
    // Assert
    expect(code).toBe(1);
    expect(find(doc.checks, 'secret').map((c) => `${c.status} ${c.detail}`)).toEqual([
      `fail Slack webhook URL: ${secretArn('vigil-prod/slack-webhook-url')} still holds its placeholder`,
      `fail PagerDuty routing key: ${secretArn('vigil-prod/pagerduty-routing-key')} has no value yet; the forwarder sends nothing until it has`,
      `fail Slack signing secret: ${secretArn('vigil-prod/slack-signing-secret')} still holds its placeholder`,
      `fail PagerDuty webhook secret: ${secretArn('vigil-prod/pagerduty-webhook-secret')} has no value yet; the action endpoint refuses every PagerDuty webhook until it has`,
      `ok action link key: ${secretArn('vigil-prod/action-link-key')} has a value`,
    ]);
    expect(find(doc.checks, 'secret')[1]?.fix).toBe(
      `aws secretsmanager put-secret-value --secret-id ${secretArn('vigil-prod/pagerduty-routing-key')} --secret-string '<value>'`,
    );
    expect(JSON.stringify(doc)).not.toContain('REPLACE_ME');
    expect(find(doc.checks, 'email', 'email channel')[0]).toMatchObject({
      status: 'warn',
      detail: 'email channel: oncall@example.com has not confirmed; unconfirmed addresses get nothing',
    });
  });

  it('fails a log group whose two subscription-filter slots are taken by others', async () => {
    // Arrange
    readyAccount();
    logs.on(DescribeSubscriptionFiltersCommand, { logGroupName: '/dokkerr/prod/errors' }).resolves({
      subscriptionFilters: [
        { filterName: 'to-firehose', destinationArn: 'arn:aws:firehose:eu-west-1:1:deliverystream/x' },
        { filterName: 'to-siem', destinationArn: 'arn:aws:lambda:eu-west-1:1:function:siem' },
      ],
    });
    // Act
    const { doc } = await preflightJson('--stage', 'prod');
    // Assert
    expect(find(doc.checks, 'log-group', '/dokkerr/prod/errors')[0]).toEqual({
      check: 'log-group',
      status: 'fail',
      detail:
        '/dokkerr/prod/errors already has 2 subscription filters (to-firehose, to-siem), the most CloudWatch Logs allows',
      fix: 'free a slot: aws logs delete-subscription-filter --log-group-name /dokkerr/prod/errors --filter-name <one of them>',
    });
  });
});

describe('vigil preflight when AWS pushes back', () => {
  it('retries throttling with backoff and reports a check it could not make as a warning', async () => {
    // Arrange
    readyAccount();
    logs
      .on(DescribeLogGroupsCommand, { logGroupNamePrefix: '/dokkerr/prod/api' })
      .rejects(awsError('ThrottlingException', 'Rate exceeded'));
    logs
      .on(DescribeLogGroupsCommand, { logGroupNamePrefix: '/dokkerr/prod/checkout' })
      .rejectsOnce(awsError('ThrottlingException', 'Rate exceeded'))
      .rejectsOnce(
        Object.assign(new Error('Too Many Requests'), {
          name: 'Unknown',
          $metadata: { httpStatusCode: 429 },
        }),
      )
      .resolves({ logGroups: [{ logGroupName: '/dokkerr/prod/checkout' }] });
    // Act
    const { code, doc } = await preflightJson('--stage', 'prod');
    // Assert
    expect(code).toBe(0);
    expect(find(doc.checks, 'log-group', '/dokkerr/prod/api')[0]).toEqual({
      check: 'log-group',
      status: 'warn',
      detail: '/dokkerr/prod/api: not checked, logs:DescribeLogGroups was throttled on every try',
      fix: 'run vigil preflight again in a minute',
    });
    expect(find(doc.checks, 'log-group', '/dokkerr/prod/checkout')[0]?.status).toBe('ok');
    const apiCalls = logs
      .commandCalls(DescribeLogGroupsCommand)
      .filter((c) => c.args[0].input.logGroupNamePrefix === '/dokkerr/prod/api');
    expect(apiCalls).toHaveLength(4);
    expect(sleeps).toEqual([400, 800, 1600, 400, 800]);
  });

  it('reports AccessDenied as a check not made, naming the action to allow', async () => {
    // Arrange
    readyAccount();
    iam
      .on(GetRoleCommand)
      .rejects(
        awsError(
          'AccessDenied',
          'User: arn:aws:iam::111122223333:user/ana is not authorized to perform: iam:GetRole',
        ),
      );
    secrets
      .on(GetSecretValueCommand)
      .rejects(awsError('AccessDeniedException', 'not authorized to perform: secretsmanager:GetSecretValue'));
    // Act
    const { code, doc } = await preflightJson('--stage', 'prod');
    // Assert
    expect(code).toBe(0);
    expect(find(doc.checks, 'opensearch-role')[0]).toEqual({
      check: 'opensearch-role',
      status: 'warn',
      detail: 'AWSServiceRoleForAmazonOpenSearchService: not checked, iam:GetRole was denied (AccessDenied)',
      fix: 'run it with credentials allowed iam:GetRole',
    });
    expect(find(doc.checks, 'secret', 'Slack')[0]).toMatchObject({
      status: 'warn',
      detail: `Slack webhook URL: ${secretArn('vigil-prod/slack-webhook-url')} has a value, not read (secretsmanager:GetSecretValue: AccessDeniedException)`,
    });
  });

  it('without the stack answer, skips what depends on it and says why', async () => {
    // Arrange
    freshAccount();
    cfn.on(DescribeStacksCommand).rejects(awsError('AccessDenied', 'not authorized'));
    // Act
    const { doc } = await preflightJson('--stage', 'prod');
    // Assert
    expect(doc.checks[0]).toEqual({
      check: 'stack',
      status: 'warn',
      detail: 'Vigil-prod: not checked, cloudformation:DescribeStacks was denied (AccessDenied)',
      fix: 'run it with credentials allowed cloudformation:DescribeStacks',
    });
    expect(find(doc.checks, 'secret').map((c) => c.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
  });
});

describe('preflight of an imported secret', () => {
  it('fails when the ARN names no secret, before or after the first deploy', async () => {
    // Arrange
    freshAccount();
    const arn = secretArn('shared/slack-webhook');
    const plan = {
      ...PROD,
      secrets: [
        {
          label: 'Slack webhook URL',
          arn,
          outputKey: 'SlackWebhookSecretArn',
          importField: 'x',
          withoutValue: 'the forwarder sends nothing',
        },
      ],
    };
    const region = { region: 'eu-west-1' };
    // Act
    const results = await runPreflight(plan, {
      cloudformation: new CloudFormationClient(region),
      ssm: new SSMClient(region),
      logs: new CloudWatchLogsClient(region),
      sns: new SNSClient(region),
      iam: new IAMClient(region),
      secrets: new SecretsManagerClient(region),
      lambda: new LambdaClient(region),
    });
    // Assert
    expect(results.filter((r) => r.check === 'secret')).toEqual([
      {
        check: 'secret',
        status: 'fail',
        detail: `Slack webhook URL: no secret ${arn}`,
        fix: 'create the secret, or give the ARN of one that exists',
      },
    ]);
    expect(secrets.commandCalls(DescribeSecretCommand)[0]?.args[0].input.SecretId).toBe(arn);
  });
});

describe('vigil preflight without credentials', () => {
  it('stops with one line instead of a warning per check', async () => {
    // Arrange
    freshAccount();
    cfn
      .on(DescribeStacksCommand)
      .rejects(awsError('CredentialsProviderError', 'Could not load credentials from any providers'));
    // Act
    const run = await preflight('--stage', 'prod');
    // Assert
    expect(run.code).toBe(1);
    expect(run.out).toBe('');
    expect(run.err).toBe('vigil: preflight: Could not load credentials from any providers\n');
  });
});

describe('vigil preflight usage', () => {
  it.each([
    [['--stage', 'qa'], 'vigil: preflight: --stage qa: stage "qa" is not configured; allowed: dev, prod\n'],
    [['--bogus'], "vigil: preflight: Unknown option '--bogus'\n"],
    [['now'], 'vigil: preflight: unexpected argument "now"\n'],
  ])('exits 2 on bad usage (%p) before any AWS call', async (argv, message) => {
    // Act
    const run = await preflight(...argv);
    // Assert
    expect(run.code).toBe(2);
    expect(run.err).toBe(message);
    expect(cfn.calls()).toHaveLength(0);
  });

  it('takes no --table', async () => {
    // Act
    const run = await runVigil(['--table', 't', 'preflight'], {
      stdout: () => undefined,
      stderr: () => undefined,
      env: {},
    });
    // Assert
    expect(run).toBe(2);
  });
});
