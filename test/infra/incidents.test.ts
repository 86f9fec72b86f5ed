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

describe('incident response grants', () => {
  it.each(['AlarmHandler', 'Tick'])(
    '%s reads metrics and traces for diagnostics and searches the logs',
    (fn) => {
      // Arrange
      const statements = statementsOf(dryRun.template, fn);
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
    },
  );

  it('gives both functions the log search endpoint', () => {
    dryRun.template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Turns CloudWatch alarm state changes into alert state and notifications',
      Environment: { Variables: Match.objectLike({ LOG_SEARCH_ENDPOINT: Match.anyValue() }) },
    });
    dryRun.template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Every-minute sweep of due alert work',
      Environment: { Variables: Match.objectLike({ LOG_SEARCH_ENDPOINT: Match.anyValue() }) },
    });
  });

  it('grants no mitigation action while mitigation is a dry run', () => {
    // Arrange / Act
    const statements = [
      ...statementsOf(dryRun.template, 'AlarmHandler'),
      ...statementsOf(dryRun.template, 'Tick'),
    ];
    const actions = actionsOf(statements);
    // Assert (the tick's own UpdateItem, which folds alert changes, is not the mitigation counter's)
    expect(actions).not.toContain('ssm:StartAutomationExecution');
    expect(actions).not.toContain('lambda:InvokeFunction');
    expect(statements.map((s) => (s as { Sid?: string }).Sid)).not.toContain('IncidentMitigationCounter');
  });

  it.each(['AlarmHandler', 'Tick'])(
    '%s may start exactly the configured actions when mitigation is live',
    (fn) => {
      // Arrange
      const statements = statementsOf(live.template, fn);
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
    },
  );

  it.each(['AlarmHandler', 'Tick'])(
    '%s passes the automation role to SSM only, and is told its ARN',
    (fn) => {
      // Arrange
      const [roleId] = Object.keys(live.template.findResources('AWS::IAM::Role')).filter((id) =>
        id.startsWith('MitigationRole'),
      );
      // Act
      const passRole = statementsOf(live.template, fn).find((s) => actionsOf([s]).includes('iam:PassRole'));
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
    },
  );

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
