// Intent of the log pipeline construct: encryption, TLS, access scope, subscriptions; cdk-nag clean.
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { LogPipeline } from '../../infra/constructs/log-pipeline';
import type { LogPipelineProps } from '../../infra/constructs/log-pipeline';

function synth(props: Partial<LogPipelineProps> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'LogStack');
  const own = new logs.LogGroup(stack, 'OwnFunctionLogs');
  const operator = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
  const pipeline = new LogPipeline(stack, 'Logs', {
    domain: { kind: 'create', dataNodes: 1, dataNodeInstanceType: 't3.small.search', volumeSizeGiB: 10 },
    logGroupNames: { application: ['/aws/lambda/checkout'], access: ['/vigil/nginx/access'] },
    extraLogGroups: [{ logGroup: own, category: 'system' }],
    readers: [operator],
    ...props,
  });
  return { app, stack, pipeline, template: Template.fromStack(stack) };
}

describe('domain', () => {
  it('runs OpenSearch 2.x encrypted at rest and in transit, HTTPS only with TLS 1.2, with FGAC', () => {
    // Arrange / Act
    const { template } = synth();
    // Assert
    template.hasResourceProperties('AWS::OpenSearchService::Domain', {
      EngineVersion: Match.stringLikeRegexp('^OpenSearch_2\\.'),
      EncryptionAtRestOptions: { Enabled: true },
      NodeToNodeEncryptionOptions: { Enabled: true },
      DomainEndpointOptions: { EnforceHTTPS: true, TLSSecurityPolicy: 'Policy-Min-TLS-1-2-2019-07' },
      AdvancedSecurityOptions: Match.objectLike({ Enabled: true, InternalUserDatabaseEnabled: false }),
    });
  });

  it('takes sizes from props so stages differ', () => {
    // Arrange / Act
    const { template } = synth({
      domain: {
        kind: 'create',
        dataNodes: 3,
        dataNodeInstanceType: 'r7g.large.search',
        volumeSizeGiB: 100,
        dedicatedMasterNodes: 3,
        availabilityZones: 3,
      },
    });
    // Assert
    template.hasResourceProperties('AWS::OpenSearchService::Domain', {
      ClusterConfig: Match.objectLike({
        InstanceCount: 3,
        InstanceType: 'r7g.large.search',
        DedicatedMasterEnabled: true,
        DedicatedMasterCount: 3,
        ZoneAwarenessEnabled: true,
      }),
      EBSOptions: Match.objectLike({ VolumeSize: 100 }),
    });
    template.hasResourceProperties('Custom::VigilLogIndexSetup', { Replicas: '1' });
  });

  it('uses an imported domain by endpoint and creates none', () => {
    // Arrange / Act
    const { template } = synth({
      domain: { kind: 'import', endpoint: 'https://search-logs-abc.eu-west-1.es.amazonaws.com' },
    });
    // Assert
    template.resourceCountIs('AWS::OpenSearchService::Domain', 0);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          OPENSEARCH_ENDPOINT: 'https://search-logs-abc.eu-west-1.es.amazonaws.com',
        }),
      },
    });
  });

  it('rejects invalid sizes at synth time naming the field', () => {
    // Arrange / Act / Assert
    expect(() =>
      synth({
        domain: {
          kind: 'create',
          dataNodes: 3,
          dataNodeInstanceType: 't3.small.search',
          volumeSizeGiB: 10,
          availabilityZones: 2,
        },
      }),
    ).toThrow(/availabilityZones/);
    expect(() => synth({ bulkMaxBytes: 20 * 1024 * 1024 })).toThrow(/bulkMaxBytes/);
  });
});

describe('ingestion', () => {
  it('subscribes every configured and extra log group to the indexer, and lets CloudWatch Logs invoke it', () => {
    // Arrange / Act
    const { template } = synth();
    // Assert
    template.resourceCountIs('AWS::Logs::SubscriptionFilter', 3);
    template.hasResourceProperties('AWS::Logs::SubscriptionFilter', {
      LogGroupName: '/aws/lambda/checkout',
      FilterPattern: '',
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'logs.amazonaws.com',
    });
  });

  it('invokes the indexer through one permission for all log groups, and creates groups when asked', () => {
    // Arrange / Act
    const { template } = synth({
      createLogGroups: true,
      logGroupNames: { application: ['/app/a', '/app/b', '/app/c'] },
      retentionDays: 10,
    });
    // Assert
    template.resourceCountIs('AWS::Lambda::Permission', 1);
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/app/b', RetentionInDays: 14 });
    template.hasResourceProperties('AWS::Logs::SubscriptionFilter', {
      LogGroupName: { Ref: Match.stringLikeRegexp('^LogsSource1') },
    });
  });

  it('refuses at synth more log groups than the indexer environment can map', () => {
    // Arrange
    const names = Array.from({ length: 120 }, (_, i) => `/dokkerr/prod/service-number-${i}`);
    // Act
    const run = () => synth({ logGroupNames: { application: names } });
    // Assert
    expect(run).toThrow(
      /LogPipeline logGroupNames: 121 subscribed log groups take about \d+ bytes of the indexer's environment \(at most 3000 of Lambda's 4 KB\); subscribe fewer/,
    );
  });

  it('passes the log group -> category mapping to the indexer', () => {
    // Arrange / Act
    const { template } = synth();
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    const indexer = functions.find(
      (fn) => fn.Properties.Environment?.Variables?.LOG_GROUP_CATEGORIES !== undefined,
    );
    const variables = indexer?.Properties.Environment.Variables;
    // Assert: the value is a CloudFormation-built JSON string; the plain names are visible in it.
    const mapping = JSON.stringify(variables?.LOG_GROUP_CATEGORIES);
    expect(mapping).toContain('/aws/lambda/checkout');
    expect(mapping).toMatch(/checkout[\\"]+:[\\"]+application/);
    expect(mapping).toMatch(/access[\\"]+:[\\"]+access/);
    expect(mapping).toMatch(/[\\"]+:[\\"]+system/);
    expect(variables?.DEFAULT_LOG_CATEGORY).toBe('application');
  });

  it("passes each named log group's service, configured or derived, to the indexer", () => {
    // Arrange / Act
    const { template } = synth({
      logGroupNames: {
        application: ['/aws/lambda/checkout', '/dokkerr/dev/api'],
        access: [{ name: '/dokkerr/dev/access', service: 'gateway' }],
        error: ['/dokkerr/dev/errors'],
      },
    });
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    const indexer = functions.find(
      (fn) => fn.Properties.Environment?.Variables?.LOG_GROUP_SERVICES !== undefined,
    );
    // Assert: a shared group (its name is a category) gets no service; lines that name one keep theirs.
    const services = JSON.parse(
      String(indexer?.Properties.Environment.Variables.LOG_GROUP_SERVICES),
    ) as unknown;
    expect(services).toEqual({
      '/aws/lambda/checkout': 'checkout',
      '/dokkerr/dev/api': 'api',
      '/dokkerr/dev/access': 'gateway',
    });
  });

  it('rejects a named log group with an empty service naming the field', () => {
    // Arrange / Act / Assert
    expect(() => synth({ logGroupNames: { access: [{ name: '/x/access', service: ' ' }] } })).toThrow(
      /logGroupNames.access: \/x\/access has an empty service/,
    );
  });

  it('keeps rejected documents in an encrypted, TLS-only dead-letter queue', () => {
    // Arrange / Act
    const { template } = synth();
    // Assert
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('applies the index template through a custom resource with its own function', () => {
    // Arrange / Act
    const { template } = synth({ retentionDays: 14 });
    // Assert
    template.hasResourceProperties('Custom::VigilLogIndexSetup', {
      RetentionDays: '14',
      Replicas: '0',
      ManageSecurity: 'true',
    });
  });
});

describe('access', () => {
  it('limits the domain resource policy to principals of this account', () => {
    // Arrange / Act
    const { template } = synth();
    const resources = JSON.stringify(template.toJSON().Resources);
    // Assert: the policy is set by CDK's custom resource; it names the account root, never "*".
    expect(resources).toContain('es:ESHttp*');
    expect(resources).not.toMatch(/Principal\\*"\s*:\s*\\*"\*/);
    expect(resources).toMatch(/:iam::.*:root/);
  });

  it('lets the indexer write only _bulk and logs-* on its domain', () => {
    // Arrange / Act
    const { template } = synth();
    const policies = template.findResources('AWS::IAM::Policy');
    const esStatements = Object.values(policies)
      .flatMap((policy) => {
        const statements: { Action: unknown; Resource: unknown }[] =
          policy.Properties.PolicyDocument.Statement;
        return statements;
      })
      .filter((statement) => JSON.stringify(statement.Action).includes('es:'));
    // Assert
    const indexer = esStatements.find((statement) => JSON.stringify(statement.Resource).includes('/_bulk'));
    expect(indexer?.Action).toEqual(['es:ESHttpPost', 'es:ESHttpPut', 'es:ESHttpGet']);
    const resources = JSON.stringify(indexer?.Resource);
    expect(resources).toContain('/logs-*');
    expect(resources).toContain('LogsDomain');
    for (const statement of esStatements) {
      expect(JSON.stringify(statement.Action)).not.toContain('es:*');
      expect(JSON.stringify(statement.Resource)).not.toMatch(/"\*"/);
    }
  });

  it.each([
    ['a new domain', {}],
    [
      'an imported domain',
      { domain: { kind: 'import', endpoint: 'https://search-logs-abc.eu-west-1.es.amazonaws.com' } },
    ],
  ] as const)('has no unacknowledged cdk-nag AwsSolutions finding with %s', (_name, props) => {
    // Arrange
    const { app, stack } = synth(props);
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
