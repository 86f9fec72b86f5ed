import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { validateConfig } from '../../infra/config/schema';
import type { VigilConfigInput } from '../../infra/config/schema';
import { STAGE_INPUTS } from '../../infra/config/stages';
import { VigilStack } from '../../infra/stacks/vigil-stack';

const DRAIN = 'arn:aws:lambda:eu-west-1:111122223333:function:drain-queries';

function devInput(): VigilConfigInput {
  const dev = STAGE_INPUTS['dev'];
  if (!dev) throw new Error('no dev stage');
  return dev;
}

function synth(input: VigilConfigInput) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new VigilStack(app, 'Vigil-incidents', { config: validateConfig(input) });
  return { app, stack, template: Template.fromStack(stack) };
}

const base = devInput();
const live = synth({
  ...base,
  rules: base.rules.map((r) =>
    r.id === 'slow-queries' ? { ...r, mitigation: { kind: 'lambda', functionArn: DRAIN } } : r,
  ),
  incidents: { mitigation: { enabled: true, dryRun: false, maxPerHour: 2 } },
});
const dryRun = synth(base);

function statementsOf(
  template: Template,
  roleLogicalIdPrefix: string,
): { Action: unknown; Resource: unknown }[] {
  return Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith(roleLogicalIdPrefix))
    .flatMap(
      ([, p]) =>
        (p as { Properties: { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } } })
          .Properties.PolicyDocument.Statement,
    );
}

const actionsOf = (statements: { Action: unknown }[]) =>
  statements.flatMap((s) => ([] as unknown[]).concat(s.Action));

const PAGERS = ['AlarmHandler', 'Tick', 'RuleEvaluator'] as const;
const RESPONDER = 'IncidentResponder';

function logicalIdOf(template: Template, type: string, prefix: string): string {
  const [id] = Object.keys(template.findResources(type)).filter((i) => i.startsWith(prefix));
  if (id === undefined) throw new Error(`no ${type} named ${prefix}*`);
  return id;
}

describe('incident responder trigger', () => {
  const { template } = dryRun;
  const queue = logicalIdOf(template, 'AWS::SQS::Queue', 'IncidentResponderSignalQueue');
  const dlq = logicalIdOf(template, 'AWS::SQS::Queue', 'IncidentResponderSignalDlq');

  it('is an SQS FIFO queue with explicit deduplication ids, a FIFO dead-letter queue after 5 receives', () => {
    template.hasResource('AWS::SQS::Queue', {
      Properties: Match.objectLike({
        FifoQueue: true,
        ContentBasedDeduplication: false,
        VisibilityTimeout: 180,
        KmsMasterKeyId: Match.anyValue(),
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] }, maxReceiveCount: 5 },
      }),
    });
    expect(template.findResources('AWS::SQS::Queue')[dlq]).toMatchObject({
      Properties: { FifoQueue: true, MessageRetentionPeriod: 1209600 },
    });
  });

  it('feeds the responder in batches that report partial failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queue, 'Arn'] },
      FunctionName: { Ref: logicalIdOf(template, 'AWS::Lambda::Function', 'IncidentResponderFunction') },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('alarms when signals reach either dead-letter queue', () => {
    // Arrange
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) =>
      JSON.stringify(a),
    );
    const signalDlqName = { 'Fn::GetAtt': [dlq, 'QueueName'] };
    // Act
    const watching = alarms.filter((a) => a.includes(JSON.stringify(signalDlqName)));
    // Assert
    expect(watching.length).toBeGreaterThan(0);
    expect(alarms.some((a) => a.includes('incident-malformed-dlq'))).toBe(true);
  });

  it.each(PAGERS)('%s may send signals to the queue and is told its URL', (fn) => {
    // Arrange
    const statements = statementsOf(dryRun.template, fn);
    // Act
    const send = statements.find(
      (s) => actionsOf([s]).includes('sqs:SendMessage') && JSON.stringify(s.Resource).includes(queue),
    );
    // Assert
    expect(send).toBeDefined();
    expect(
      template.findResources('AWS::Lambda::Function')[logicalIdOf(template, 'AWS::Lambda::Function', fn)],
    ).toMatchObject({
      Properties: { Environment: { Variables: { INCIDENT_SIGNAL_QUEUE_URL: { Ref: queue } } } },
    });
  });
});

describe('incident response grants', () => {
  it('the responder reads metrics and traces for diagnostics and searches the logs', () => {
    // Arrange
    const statements = statementsOf(dryRun.template, RESPONDER);
    // Act
    const diagnostics = statements.find((s) => actionsOf([s]).includes('xray:GetTraceSummaries'));
    const search = statements.find(
      (s) => actionsOf([s]).includes('es:ESHttpGet') && JSON.stringify(s.Resource).includes('/logs-*'),
    );
    // Assert
    expect(diagnostics).toMatchObject({
      Action: ['cloudwatch:GetMetricData', 'xray:GetTraceSummaries'],
      Resource: '*',
    });
    expect(actionsOf([search ?? { Action: [] }])).toEqual(['es:ESHttpGet', 'es:ESHttpPost']);
  });

  it('the responder publishes evidence to Slack and email only, never SMS or PagerDuty', () => {
    // Arrange
    const published = statementsOf(dryRun.template, RESPONDER)
      .filter((s) => actionsOf([s]).includes('sns:Publish'))
      .map((s) => JSON.stringify(s.Resource));
    // Assert
    expect(published).toHaveLength(2);
    expect(published.join()).toContain('ChannelsslackTopic');
    expect(published.join()).toContain('ChannelsemailTopic');
  });

  it.each(['live', 'dry run'] as const)('the paging functions hold no incident permission (%s)', (name) => {
    // Arrange
    const { template } = name === 'live' ? live : dryRun;
    for (const fn of PAGERS) {
      // Act
      const statements = statementsOf(template, fn);
      const actions = actionsOf(statements);
      // Assert
      expect(actions).not.toContain('xray:GetTraceSummaries');
      expect(actions).not.toContain('ssm:StartAutomationExecution');
      expect(actions).not.toContain('lambda:InvokeFunction');
      expect(actions).not.toContain('iam:PassRole');
      expect(actions.some((a) => String(a).startsWith('es:'))).toBe(false);
      expect(statements.map((s) => (s as { Sid?: string }).Sid)).not.toContain('IncidentMitigationCounter');
    }
    // The alarm handler reads metrics only for severity ladders (before routing), not for diagnostics.
    const metricReads = statementsOf(template, 'AlarmHandler').filter((s) =>
      actionsOf([s]).includes('cloudwatch:GetMetricData'),
    );
    expect(metricReads.map((s) => (s as { Sid?: string }).Sid)).toEqual(['SeverityLadderMetrics']);
  });

  it('the responder holds only the table, queue and key actions it uses', () => {
    // Arrange
    const actions = actionsOf(statementsOf(dryRun.template, RESPONDER)).map(String);
    // Act
    const table = actions.filter((a) => a.startsWith('dynamodb:')).sort();
    const queue = actions.filter((a) => a.startsWith('sqs:')).sort();
    // Assert: no Scan, DeleteItem or batch calls; consume from the signal queue, send only malformed messages
    expect([...new Set(table)]).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    expect([...new Set(queue)]).toEqual([
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:ReceiveMessage',
      'sqs:SendMessage',
    ]);
    expect(actions).not.toContain('*');
  });

  it('gives the log search endpoint to the responder only', () => {
    const withEndpoint = Object.entries(dryRun.template.findResources('AWS::Lambda::Function'))
      .filter(([, f]) => JSON.stringify(f).includes('LOG_SEARCH_ENDPOINT'))
      .map(([id]) => id);
    expect(withEndpoint).toEqual([
      logicalIdOf(dryRun.template, 'AWS::Lambda::Function', 'IncidentResponderFunction'),
    ]);
  });

  it('grants no mitigation action while mitigation is a dry run', () => {
    // Arrange / Act
    const statements = statementsOf(dryRun.template, RESPONDER);
    const actions = actionsOf(statements);
    // Assert
    expect(actions).not.toContain('ssm:StartAutomationExecution');
    expect(actions).not.toContain('lambda:InvokeFunction');
    expect(statements.map((s) => (s as { Sid?: string }).Sid)).not.toContain('IncidentMitigationCounter');
  });

  it('the responder may start exactly the configured actions when mitigation is live', () => {
    // Arrange
    const statements = statementsOf(live.template, RESPONDER);
    // Act
    const ssm = statements.find((s) => actionsOf([s]).includes('ssm:StartAutomationExecution'));
    const lambda = statements.find((s) => actionsOf([s]).includes('lambda:InvokeFunction'));
    // Assert
    expect(ssm?.Resource).toEqual({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':ssm:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':automation-definition/vigil-dev-restart-ecs-service:*',
        ],
      ],
    });
    expect(lambda?.Resource).toBe(DRAIN);
    expect(actionsOf(statements)).toContain('dynamodb:UpdateItem');
  });

  it('the responder passes the automation role to SSM only, and is told its ARN', () => {
    // Arrange
    const [roleId] = Object.keys(live.template.findResources('AWS::IAM::Role')).filter((id) =>
      id.startsWith('MitigationRole'),
    );
    // Act
    const passRole = statementsOf(live.template, RESPONDER).find((s) =>
      actionsOf([s]).includes('iam:PassRole'),
    );
    // Assert
    expect(roleId).toBeDefined();
    expect(passRole).toMatchObject({
      Resource: { 'Fn::GetAtt': [roleId, 'Arn'] },
      Condition: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
    });
    live.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ MITIGATION_AUTOMATION_ROLE_ARN: { 'Fn::GetAtt': [roleId, 'Arn'] } }),
      },
    });
  });

  it('ships the restart runbook, which runs as the role it is given and restarts only the rule services', () => {
    // Arrange
    const documents = Object.values(live.template.findResources('AWS::SSM::Document')).map(
      (d) => (d as { Properties: { Name: string; Content: Record<string, unknown> } }).Properties,
    );
    const role = Object.entries(live.template.findResources('AWS::IAM::Policy')).find(([id]) =>
      id.startsWith('MitigationRole'),
    );
    // Act
    const grants = JSON.stringify(role?.[1]);
    // Assert
    expect(documents.map((d) => d.Name)).toEqual(['vigil-dev-restart-ecs-service']);
    expect(documents[0]?.Content).toMatchObject({
      assumeRole: '{{ AutomationAssumeRole }}',
      mainSteps: [
        { action: 'aws:executeAwsApi', inputs: { Api: 'UpdateService', forceNewDeployment: true } },
        { action: 'aws:waitForAwsResourceProperty' },
      ],
    });
    expect(grants).toContain('ecs:UpdateService');
    expect(grants).toContain(':service/dokkerr-dev/checkout');
    expect(grants).toContain(':service/dokkerr-dev/api');
    expect(grants).not.toContain('/dokkerr-dev/*');
  });

  it('grants no automation role while mitigation is a dry run', () => {
    expect(
      Object.keys(dryRun.template.findResources('AWS::IAM::Role')).filter((id) =>
        id.startsWith('Mitigation'),
      ),
    ).toEqual([]);
  });

  it.each([
    ['dry run', dryRun],
    ['live', live],
  ] as const)('cdk-nag has no unacknowledged finding (%s)', (_name, { app, stack }) => {
    // Arrange / Act
    const report = new AwsSolutionsChecks(app).validateScope(stack);
    // Assert
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});
