import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { validateConfig } from '../../infra/config/schema';
import { loadStageConfig, STAGE_INPUTS } from '../../infra/config/stages';
import { VigilStack } from '../../infra/stacks/vigil-stack';
import { ConfigError } from '../../shared/domain/errors';

function synth(stage: string): { app: App; stack: VigilStack; template: Template } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new VigilStack(app, `Vigil-${stage}`, { config: loadStageConfig(stage) });
  return { app, stack, template: Template.fromStack(stack) };
}

const dev = synth('dev');

function logicalIdOf(stack: VigilStack): string {
  const fn = dev.stack.ruleEvaluator?.fn;
  if (fn === undefined) throw new Error('the dev stage has no rule evaluator');
  return stack.getLogicalId(fn.node.defaultChild as never);
}

type Statement = { Action: string | string[]; Resource: unknown };

function evaluatorStatements(): Statement[] {
  const roleId = dev.stack.getLogicalId(dev.stack.ruleEvaluator?.role.node.defaultChild as never);
  const policies = dev.template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) },
  });
  return Object.values(policies).flatMap(
    (p) =>
      (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
        .Statement,
  );
}

describe('rule evaluator infrastructure', () => {
  it('pages ops when scheduled rules cannot be evaluated in 3 of 5 minutes', () => {
    dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Vigil/Evaluator',
      MetricName: 'EvaluationFailures',
      Dimensions: [{ Name: 'service', Value: 'rule-evaluator' }],
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
      AlarmActions: Match.anyValue(),
    });
  });

  it('runs every minute from EventBridge, with target retries and a dead-letter queue', () => {
    // Arrange
    const fnId = logicalIdOf(dev.stack);
    // Assert
    dev.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 120 },
          DeadLetterConfig: { Arn: Match.anyValue() },
        }),
      ],
    });
  });

  it('finishes within the one-minute schedule interval', () => {
    // Arrange
    const fnId = logicalIdOf(dev.stack);
    const fn = dev.template.toJSON().Resources[fnId] as { Properties: { Timeout: number } };
    // Assert
    expect(fn.Properties.Timeout).toBeLessThan(60);
  });

  it('may read metric data, items and the due index, and nothing else of CloudWatch or DynamoDB', () => {
    // Act
    const statements = evaluatorStatements();
    const actions = statements.flatMap((s) => ([] as string[]).concat(s.Action));
    // Assert
    expect(actions.filter((a) => a.startsWith('dynamodb:')).sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
    ]);
    expect(actions.filter((a) => a.startsWith('cloudwatch:'))).toEqual(['cloudwatch:GetMetricData']);
    const metricData = statements.find((s) =>
      ([] as string[]).concat(s.Action).includes('cloudwatch:GetMetricData'),
    );
    expect(metricData?.Resource).toBe('*');
    expect(actions).not.toContain('dynamodb:Scan');
    expect(actions).not.toContain('dynamodb:DeleteItem');
  });

  it('passes cdk-nag with the GetMetricData wildcard acknowledged', () => {
    // Act
    const report = new AwsSolutionsChecks(dev.app).validateScope(dev.stack);
    // Assert
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });

  it('is not created for a stage without scheduled rules', () => {
    // Act
    const prod = synth('prod');
    // Assert
    expect(prod.stack.ruleEvaluator).toBeUndefined();
    expect(JSON.stringify(prod.template.toJSON())).not.toContain('RuleEvaluator');
  });
});

describe('scheduled rule validation', () => {
  const devInput = STAGE_INPUTS['dev'];
  if (devInput === undefined) throw new Error('no dev stage');

  function withRule(rule: Record<string, unknown>): unknown {
    return { ...devInput, rules: [...(devInput?.rules ?? []), rule] };
  }
  const base = {
    id: 'extra',
    engine: 'scheduled',
    summary: 'extra rule',
    runbookUrl: 'https://runbooks.example.com/extra',
    targets: [{ service: 'api', team: 'platform', dimensions: { Service: 'api' } }],
  };
  function errorOf(input: unknown): string {
    try {
      validateConfig(input);
    } catch (error) {
      if (error instanceof ConfigError) return error.message;
      throw error;
    }
    throw new Error('expected the config to be rejected');
  }

  it('keeps the seed rules as alarms and accepts the dev scheduled rules', () => {
    // Act
    const config = loadStageConfig('dev');
    // Assert
    expect(config.rules.filter((r) => r.engine === 'alarm').map((r) => r.id)).toEqual([
      'high-cpu',
      'high-error-rate',
      'slow-queries',
    ]);
    expect(new Set(config.rules.filter((r) => r.engine === 'scheduled').map((r) => r.kind))).toEqual(
      new Set(['expression', 'ladder', 'burn-rate', 'absence', 'anomaly']),
    );
  });

  it.each([
    [
      'an unknown metric in a nested condition',
      {
        ...base,
        kind: 'expression',
        severity: 'warning',
        when: { all: [{ metric: 'error_rat', comparison: '>', threshold: 5 }] },
      },
      /^config\(dev\) rules\[extra\]\.when\.all\[0\]\.metric: "error_rat" is not in the metric catalog/,
    ],
    [
      'a missing dimension of a ladder metric',
      {
        ...base,
        kind: 'ladder',
        levels: [{ severity: 'warning', when: { metric: 'cpu_usage', comparison: '>', threshold: 80 } }],
      },
      /^config\(dev\) rules\[extra\]\.targets\[0\]\.dimensions: missing ClusterName, ServiceName required by metric "cpu_usage"/,
    ],
    [
      'a burn-rate short window not shorter than the long one',
      {
        ...base,
        kind: 'burn-rate',
        objective: 99.9,
        errors: 'errors',
        total: 'requests',
        windows: [{ long: '5m', short: '1h', factor: 14.4, severity: 'critical' }],
      },
      /^config\(dev\) rules\[extra\]\.windows\[0\]\.short: "1h" must be shorter than long "5m"/,
    ],
    [
      'a "for" that is not whole minutes',
      { ...base, kind: 'absence', metric: 'requests', after: '10m', severity: 'warning', for: '30s' },
      /^config\(dev\) rules\[extra\]\.for: "30s" must be whole minutes/,
    ],
    [
      'an unknown kind',
      { ...base, kind: 'percentile', metric: 'requests' },
      /^config\(dev\) rules\[extra\]\.kind: /,
    ],
    [
      'a bad severity of an alarm rule without engine',
      {
        id: 'extra',
        metric: 'cpu_usage',
        comparison: '>',
        threshold: 1,
        for: '1m',
        severity: 'urgent',
        summary: 's',
        runbookUrl: 'https://runbooks.example.com/x',
        treatMissingData: 'missing',
        targets: [],
      },
      /^config\(dev\) rules\[extra\]\.severity: /,
    ],
  ])('names the field of %s', (_name, rule, expected) => {
    // Act
    const message = errorOf(withRule(rule));
    // Assert
    expect(message).toMatch(expected);
  });
});
