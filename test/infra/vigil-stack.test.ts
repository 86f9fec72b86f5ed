import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { alarmSpecs } from '../../infra/config/derive';
import { loadStageConfig } from '../../infra/config/stages';
import { VigilStack } from '../../infra/stacks/vigil-stack';
import { runCfnLint } from '../support/cfn-lint';

function synth(stage: string): { app: App; stack: VigilStack; template: Template } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new VigilStack(app, `Vigil-${stage}`, { config: loadStageConfig(stage) });
  return { app, stack, template: Template.fromStack(stack) };
}

const dev = synth('dev');
const prod = synth('prod');

function alarmNamed(template: Template, name: string): Record<string, unknown> {
  const found = template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: name } });
  const [alarm] = Object.values(found);
  if (!alarm) throw new Error(`no alarm ${name}`);
  return alarm;
}

describe('seed rule alarms', () => {
  it('CPU > 80% for 5 minutes is five one-minute periods, all breaching', () => {
    dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'vigil-dev-high-cpu-api',
      Namespace: 'AWS/ECS',
      MetricName: 'CPUUtilization',
      Statistic: 'Average',
      Threshold: 80,
      ComparisonOperator: 'GreaterThanThreshold',
      Period: 60,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 5,
      TreatMissingData: 'missing',
      Dimensions: Match.arrayWith([{ Name: 'ServiceName', Value: 'api' }]),
      AlarmDescription: Match.stringLikeRegexp('Runbook: https://'),
    });
  });

  it('error rate > 5% for 1 minute is metric math errors/requests, not a raw count', () => {
    dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'vigil-dev-high-error-rate-checkout',
      Threshold: 5,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'IF(requests > 0, 100 * errors / requests, 0)', ReturnData: true }),
        Match.objectLike({
          Id: 'errors',
          ReturnData: false,
          MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'Errors' }), Stat: 'Sum' }),
        }),
        Match.objectLike({
          Id: 'requests',
          ReturnData: false,
          MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'Requests' }) }),
        }),
      ]),
    });
  });

  it('query latency > 1000 ms for 2 minutes', () => {
    dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'vigil-dev-slow-queries-api',
      MetricName: 'QueryLatency',
      Threshold: 1000,
      Period: 60,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
    });
  });

  it('every alarm acts on the alarm handler for ALARM, OK and INSUFFICIENT_DATA', () => {
    const handlerArn = {
      'Fn::GetAtt': [dev.stack.getLogicalId(dev.stack.alarmHandler.fn.node.defaultChild as never), 'Arn'],
    };
    const ruleAlarmNames = new Set(alarmSpecs(loadStageConfig('dev')).map((a) => a.alarmName));
    const alarms = Object.fromEntries(
      Object.entries(dev.template.findResources('AWS::CloudWatch::Alarm')).filter(([, a]) =>
        ruleAlarmNames.has((a as { Properties: { AlarmName: string } }).Properties.AlarmName),
      ),
    );
    expect(Object.keys(alarms)).toHaveLength(7);
    for (const alarm of Object.values(alarms)) {
      const props = (alarm as { Properties: Record<string, unknown> }).Properties;
      for (const key of ['AlarmActions', 'OKActions', 'InsufficientDataActions'])
        expect(props[key]).toEqual([handlerArn]);
    }
    dev.template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'lambda.alarms.cloudwatch.amazonaws.com',
      Action: 'lambda:InvokeFunction',
      SourceArn: Match.anyValue(),
    });
    expect(alarmNamed(dev.template, 'vigil-dev-high-cpu-checkout')).toBeDefined();
  });
});

describe('alarm handler', () => {
  it('runs on the newest Node.js runtime, ARM64, traced, with a bounded async retry into a DLQ', () => {
    dev.template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Environment: {
        Variables: Match.objectLike({
          ALERT_TABLE_NAME: Match.anyValue(),
          TOPIC_ARN_SMS: Match.anyValue(),
          DEAD_LETTER_QUEUE_URL: Match.anyValue(),
        }),
      },
    });
    dev.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21600,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('AlarmHandlerDlq'), 'Arn'] } },
      },
    });
  });

  it('is granted only item reads and writes on the table, no scan and no index', () => {
    const policies = JSON.stringify(dev.template.findResources('AWS::IAM::Policy'));
    expect(policies).toContain('dynamodb:GetItem');
    expect(policies).toContain('dynamodb:PutItem');
    expect(policies).not.toContain('dynamodb:Scan');
    expect(policies).not.toMatch(/"Action":"\*"|"dynamodb:\*"|"sns:\*"/);
  });

  it('receives opted-in external alarms from EventBridge by name prefix, with a DLQ', () => {
    dev.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        detail: { alarmName: [{ prefix: 'dokkerr-dev-' }] },
      },
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue(), RetryPolicy: Match.anyValue() })],
    });
  });
});

describe('state, topics and queues', () => {
  it('keeps alert state on demand, with PITR, KMS and TTL', () => {
    dev.template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'due' })],
    });
    prod.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
    });
  });

  it('encrypts every topic with KMS and denies non-TLS publishing', () => {
    const topics = dev.template.findResources('AWS::SNS::Topic');
    expect(Object.keys(topics).length).toBeGreaterThanOrEqual(4);
    for (const topic of Object.values(topics)) {
      expect((topic as { Properties: { KmsMasterKeyId?: unknown } }).Properties.KmsMasterKeyId).toBeDefined();
    }
    const policies = dev.template.findResources('AWS::SNS::TopicPolicy');
    expect(Object.keys(policies).length).toBe(Object.keys(topics).length);
    for (const policy of Object.values(policies)) {
      expect(JSON.stringify(policy)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('encrypts every queue with KMS and enforces TLS', () => {
    const queues = dev.template.findResources('AWS::SQS::Queue');
    for (const queue of Object.values(queues)) {
      expect((queue as { Properties: { KmsMasterKeyId?: unknown } }).Properties.KmsMasterKeyId).toBeDefined();
    }
    const policies = Object.values(dev.template.findResources('AWS::SQS::QueuePolicy'));
    expect(policies.length).toBe(Object.keys(queues).length);
    for (const policy of policies) expect(JSON.stringify(policy)).toContain('"aws:SecureTransport":"false"');
  });

  it('subscribes email and SMS from config', () => {
    prod.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
    prod.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sms',
      Endpoint: '+447700900123',
    });
  });
});

describe('security checks', () => {
  it.each(['dev', 'prod'])('cdk-nag AwsSolutions has no unacknowledged finding (%s)', (stage) => {
    // Arrange
    const { app, stack } = synth(stage);
    // Act
    const report = new AwsSolutionsChecks(app).validateScope(stack);
    // Assert
    expect(
      report.violations.map(
        (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(',')}`,
      ),
    ).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('cfn-lint reports no errors on the synthesized templates', () => {
    // Arrange
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-cfn-'));
    const files = [dev, prod].map(({ stack, template }) => {
      const file = path.join(dir, `${stack.stackName}.template.json`);
      writeFileSync(file, JSON.stringify(template.toJSON()));
      return file;
    });
    // Act
    const { status, output } = runCfnLint(files);
    // Assert: exit bit 2 means errors; warnings (4) and informational (8) are reported but allowed
    expect(output.split('\n').filter((l) => /:E\d{4}:/.test(l))).toEqual([]);
    expect(status & 2).toBe(0);
  }, 300_000);

  // Resource "*" is allowed only for APIs that take no resource: X-Ray segments, the account-level
  // CloudWatch Logs resource policy the OpenSearch domain needs to publish its own logs, and the
  // account's SMS settings (SetSMSAttributes: type, sender id, monthly spend limit), and
  // GetMetricData (the tick reads SNS's SMS spend).
  it('has no IAM statement with Action "*" and no Resource "*" except X-Ray and the Logs resource policy', () => {
    for (const { template } of [dev, prod]) {
      for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
        const statements = (
          policy as {
            Properties: { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } };
          }
        ).Properties.PolicyDocument.Statement;
        for (const s of statements) {
          const actions = ([] as unknown[]).concat(s.Action);
          expect(actions).not.toContain('*');
          if (([] as unknown[]).concat(s.Resource).includes('*')) {
            const resourceless = (a: unknown) =>
              typeof a === 'string' &&
              ([
                'logs:PutResourcePolicy',
                'logs:DeleteResourcePolicy',
                'sns:SetSMSAttributes',
                'cloudwatch:GetMetricData',
              ].includes(a) ||
                a.startsWith('xray:'));
            expect(actions.filter((a) => !resourceless(a))).toEqual([]);
          }
        }
      }
    }
  });
});

describe('snapshot', () => {
  it.each([
    ['dev', dev],
    ['prod', prod],
  ] as const)('%s template matches (asset hashes scrubbed)', (_stage, { template }) => {
    const json = JSON.stringify(template.toJSON()).replace(/[0-9a-f]{64}(\.zip)?/g, '<asset-hash>');
    expect(JSON.parse(json)).toMatchSnapshot();
  });
});
