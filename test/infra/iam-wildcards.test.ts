import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadStageConfig } from '../../infra/config/stages';
import { VigilStack } from '../../infra/stacks/vigil-stack';

/**
 * The only actions an identity policy may grant on Resource "*": each has no resource-level
 * permissions in the AWS Service Authorization Reference, so "*" is the only value IAM accepts.
 */
const RESOURCELESS_ACTIONS: Readonly<Record<string, string>> = {
  'xray:PutTraceSegments': 'X-Ray segments have no resource type (active tracing on every Lambda)',
  'xray:PutTelemetryRecords': 'X-Ray telemetry has no resource type (active tracing on every Lambda)',
  'cloudwatch:GetMetricData':
    'GetMetricData has no resource type (SMS spend, scheduled rules, incident diagnostics)',
  'xray:GetTraceSummaries': 'GetTraceSummaries has no resource type (incident diagnostics: fault traces)',
  'sns:SetSMSAttributes': 'account-level SMS settings have no resource type (spend limit, sender id)',
  'logs:PutResourcePolicy': 'CloudWatch Logs resource policies are account-level (OpenSearch log publishing)',
  'logs:DeleteResourcePolicy':
    'CloudWatch Logs resource policies are account-level (OpenSearch log publishing)',
};

interface Statement {
  readonly Effect: string;
  readonly Action?: unknown;
  readonly Resource?: unknown;
}

type Resource = { Type: string; Properties?: Record<string, unknown> };

const list = (value: unknown): unknown[] => ([] as unknown[]).concat(value ?? []);

/** Identity-policy statements of a template, with where they come from. */
function identityStatements(template: Template): { where: string; statement: Statement }[] {
  const resources = template.toJSON()['Resources'] as Record<string, Resource>;
  const out: { where: string; statement: Statement }[] = [];
  for (const [id, resource] of Object.entries(resources)) {
    const documents: unknown[] = [];
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy')
      documents.push(resource.Properties?.['PolicyDocument']);
    if (resource.Type === 'AWS::IAM::Role')
      for (const p of list(resource.Properties?.['Policies']))
        documents.push((p as { PolicyDocument: unknown }).PolicyDocument);
    for (const document of documents)
      for (const statement of list((document as { Statement: unknown }).Statement))
        out.push({ where: `${resource.Type} ${id}`, statement: statement as Statement });
  }
  return out;
}

/**
 * Resource-based policies of topics and queues. KMS key policies are left out on purpose: there
 * "*" is the only allowed Resource and means the key itself.
 */
function resourcePolicyStatements(template: Template): { where: string; statement: Statement }[] {
  const resources = template.toJSON()['Resources'] as Record<string, Resource>;
  return Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::SNS::TopicPolicy' || r.Type === 'AWS::SQS::QueuePolicy')
    .flatMap(([id, r]) =>
      list((r.Properties?.['PolicyDocument'] as { Statement: unknown }).Statement).map((statement) => ({
        where: `${r.Type} ${id}`,
        statement: statement as Statement,
      })),
    );
}

describe.each(['dev', 'prod'])('IAM wildcards (%s)', (stage) => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const template = Template.fromStack(
    new VigilStack(app, `Vigil-${stage}`, { config: loadStageConfig(stage) }),
  );

  it('grants Resource "*" only for allow-listed actions that have no resource-level permissions', () => {
    // Arrange
    const statements = identityStatements(template);
    // Act
    const offending = statements
      .filter(({ statement }) => statement.Effect === 'Allow' && list(statement.Resource).includes('*'))
      .flatMap(({ where, statement }) =>
        list(statement.Action)
          .filter((action) => typeof action !== 'string' || RESOURCELESS_ACTIONS[action] === undefined)
          .map((action) => `${where}: ${String(action)} on "*"`),
      );
    // Assert
    expect(statements.length).toBeGreaterThan(10);
    expect(offending).toEqual([]);
  });

  it('names every granted action: no "*" and no service-wide "service:*" in identity policies', () => {
    // Arrange
    const statements = identityStatements(template);
    const used = new Set(
      statements
        .filter(({ statement }) => list(statement.Resource).includes('*'))
        .flatMap(({ statement }) => list(statement.Action)),
    );
    // Assert: X-Ray (the documented case) is always on; every action is a named action.
    expect(used.has('xray:PutTraceSegments')).toBe(true);
    for (const { statement } of statements)
      for (const action of list(statement.Action)) expect(String(action)).not.toMatch(/^(\*|[a-z0-9-]+:\*)$/);
  });

  it('lets no topic or queue policy allow anything on Resource "*"', () => {
    // Arrange
    const statements = resourcePolicyStatements(template);
    // Act
    const open = statements.filter(
      ({ statement }) => statement.Effect === 'Allow' && list(statement.Resource).includes('*'),
    );
    // Assert
    expect(statements.length).toBeGreaterThan(0);
    expect(open.map(({ where }) => where)).toEqual([]);
  });
});
