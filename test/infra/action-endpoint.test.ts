// Intent of the action endpoint construct: a throttled HTTP API in front of one capped Lambda, its
// secrets in Secrets Manager with no value in the template, a role that reaches only the items,
// secrets and topic it uses, access logs without paths (a link's path is its token); cdk-nag clean.
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { deriveRuntimeConfig } from '../../infra/config/derive';
import { loadStageConfig } from '../../infra/config/stages';
import {
  ACTION_ENDPOINT_TABLE_GRANTS,
  ActionEndpoint,
  type ActionEndpointProps,
} from '../../infra/constructs/action-endpoint';

const SIGNING_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vigil/slack-signing-AbC123';

function synth(props: Partial<ActionEndpointProps> = {}, pagerduty = true) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'ActionsStack');
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const table = new dynamodb.Table(stack, 'Alerts', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: key,
  });
  const pagerdutyTopic = new sns.Topic(stack, 'PagerDutyTopic', { enforceSSL: true, masterKey: key });
  const endpoint = new ActionEndpoint(stack, 'Actions', {
    namePrefix: 'vigil-test',
    // The function ships a validated runtime config; the dev stage's serves.
    runtimeConfig: deriveRuntimeConfig(loadStageConfig('dev')),
    table,
    encryptionKey: key,
    pagerdutyTopic: pagerduty ? pagerdutyTopic : undefined,
    rateLimit: { perSecond: 10, burst: 20 },
    reservedConcurrency: 2,
    ...props,
  });
  return { app, stack, endpoint, template: Template.fromStack(stack) };
}

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

function statementsOfHandler(template: Template): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^ActionsHandler') }] },
  });
  return Object.values(policies).flatMap(
    (p) =>
      (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
        .Statement,
  );
}

const actionsOf = (s: Statement): string[] => ([] as string[]).concat(s.Action);

describe('the HTTP API', () => {
  it('throttles every route at the stage and serves only the endpoint routes', () => {
    // Arrange / Act
    const { template } = synth();

    // Assert
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
    });
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => (r as { Properties: { RouteKey: string } }).Properties.RouteKey,
    );
    expect(routes.sort()).toEqual([
      'GET /l/{token}',
      'HEAD /l/{token}',
      'POST /l/{token}',
      'POST /pagerduty/webhook',
      'POST /slack/actions',
    ]);
  });

  it('has no PagerDuty route, secret or topic grant when PagerDuty is off', () => {
    // Arrange / Act
    const { template, endpoint } = synth({}, false);

    // Assert
    expect(endpoint.pagerdutyWebhookSecret).toBeUndefined();
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => (r as { Properties: { RouteKey: string } }).Properties.RouteKey,
    );
    expect(routes).not.toContain('POST /pagerduty/webhook');
    expect(statementsOfHandler(template).flatMap(actionsOf)).not.toContain('sns:Publish');
  });

  it('logs the route key, never the path, which carries a link token', () => {
    // Arrange / Act
    const { template } = synth();

    // Assert
    const [stage] = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'));
    const format = (stage as { Properties: { AccessLogSettings: { Format: string } } }).Properties
      .AccessLogSettings.Format;
    expect(format).toContain('$context.routeKey');
    expect(format).not.toMatch(/\$context\.(path|resourcePath)|rawPath/);
  });
});

describe('the function', () => {
  it('reserves (and so caps) its concurrency, with a short timeout', () => {
    // Arrange / Act
    const { template } = synth();

    // Assert
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Slack buttons'),
      ReservedConcurrentExecutions: 2,
      Timeout: 10,
    });
  });

  it('may touch only single items of its own kinds, by partition-key prefix, and never query or scan', () => {
    // Arrange / Act
    const { template } = synth();

    // Assert
    const dynamo = statementsOfHandler(template).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('dynamodb:')),
    );
    expect(
      dynamo.map((s) => ({
        actions: actionsOf(s),
        keyPrefixes: (s.Condition as { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': string[] } })[
          'ForAllValues:StringLike'
        ]['dynamodb:LeadingKeys'].map((k) => k.replace(/\*$/, '')),
      })),
    ).toEqual(
      ACTION_ENDPOINT_TABLE_GRANTS.map((g) => ({ actions: [...g.actions], keyPrefixes: [...g.keyPrefixes] })),
    );
    for (const s of dynamo) expect(JSON.stringify(s.Resource)).not.toContain('/index/');
  });

  it('reads exactly its three secrets and publishes only to the PagerDuty topic', () => {
    // Arrange / Act
    const { template, stack, endpoint } = synth();

    // Assert
    const statements = statementsOfHandler(template);
    const secretReads = statements.filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'));
    const read = secretReads.map((s) => JSON.stringify(s.Resource));
    const expected = [endpoint.slackSigningSecret, endpoint.pagerdutyWebhookSecret, endpoint.linkKey].map(
      (s) => JSON.stringify(stack.resolve(s?.secretArn)),
    );
    expect(read.sort()).toEqual(expected.sort());
    const publish = statements.filter((s) => actionsOf(s).includes('sns:Publish'));
    expect(publish).toHaveLength(1);
    expect(JSON.stringify(publish[0]?.Resource)).toContain('PagerDutyTopic');
  });
});

describe('secrets', () => {
  it('creates the Slack and PagerDuty signing secrets without a value, and generates the link key', () => {
    // Arrange / Act
    const { template } = synth();

    // Assert
    const secrets = Object.values(template.findResources('AWS::SecretsManager::Secret')).map(
      (s) => (s as { Properties: Record<string, unknown> }).Properties,
    );
    const byName = new Map(secrets.map((p) => [p['Name'], p]));
    for (const name of ['vigil-test/slack-signing-secret', 'vigil-test/pagerduty-webhook-secret']) {
      expect(byName.get(name)).toBeDefined();
      expect(byName.get(name)).not.toHaveProperty('SecretString');
      expect(byName.get(name)).not.toHaveProperty('GenerateSecretString');
    }
    expect(byName.get('vigil-test/action-link-key')).toMatchObject({
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
    for (const p of secrets) expect(p).toHaveProperty('KmsKeyId');
  });

  it('imports a signing secret by complete ARN, and names the field of a bad one', () => {
    // Arrange / Act
    const { template } = synth({ slackSigningSecretArn: SIGNING_SECRET });

    // Assert
    const names = Object.values(template.findResources('AWS::SecretsManager::Secret')).map(
      (s) => (s as { Properties: { Name: string } }).Properties.Name,
    );
    expect(names).not.toContain('vigil-test/slack-signing-secret');
    expect(() => synth({ slackSigningSecretArn: 'vigil/slack-signing' })).toThrow(
      'ActionEndpoint: slackSigningSecretArn must be the complete ARN of a Secrets Manager secret',
    );
    expect(() => synth({ rateLimit: { perSecond: 50, burst: 10 } })).toThrow(
      'ActionEndpoint: rateLimit.burst must be at least rateLimit.perSecond',
    );
  });
});

describe('cdk-nag', () => {
  it.each([
    ['PagerDuty on', true],
    ['PagerDuty off', false],
  ] as const)('has no unacknowledged AwsSolutions finding with %s', (_name, pagerduty) => {
    // Arrange
    const { app, stack } = synth({}, pagerduty);

    // Act
    const report = new AwsSolutionsChecks(app).validateScope(stack);

    // Assert
    expect(
      report.violations.map(
        (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(',')}`,
      ),
    ).toEqual([]);
  });
});
