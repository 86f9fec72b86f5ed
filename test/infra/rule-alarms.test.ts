import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { alarmPrefixOf, alarmSpecs } from '../../infra/config/derive';
import { validateConfig } from '../../infra/config/schema';
import { scaleStageInput } from '../../infra/config/stages';
import { ALARMS_IN_STACK_MAX, ALARMS_PER_NESTED_STACK, RuleAlarms } from '../../infra/constructs/rule-alarms';

/** Rule alarms for `targets` targets on a bare stack with a stand-in handler. */
function build(targets: number) {
  const config = validateConfig(scaleStageInput(targets));
  const stack = new Stack(new App(), 'Alarms');
  const handler = new lambda.Function(stack, 'Handler', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => undefined;'),
  });
  const specs = alarmSpecs(config);
  const alarms = new RuleAlarms(stack, 'RuleAlarms', {
    catalog: config.catalog,
    specs,
    handler,
    alarmNamePrefix: alarmPrefixOf(config),
  });
  return { stack, specs, alarms };
}

describe('rule alarms past what one stack holds', () => {
  it(`keeps up to ${ALARMS_IN_STACK_MAX} alarms in the stack itself`, () => {
    // Arrange / Act
    const { stack, specs } = build(ALARMS_IN_STACK_MAX);
    const template = Template.fromStack(stack);
    // Assert
    expect(specs).toHaveLength(ALARMS_IN_STACK_MAX);
    template.resourceCountIs('AWS::CloudWatch::Alarm', ALARMS_IN_STACK_MAX);
    template.resourceCountIs('AWS::CloudFormation::Stack', 0);
  });

  it('puts 2,000 alarms (ten times the generated stage) into nested stacks created after the invoke permission', () => {
    // Arrange / Act
    const { stack, specs, alarms } = build(2000);
    const template = Template.fromStack(stack).toJSON() as {
      Resources: Record<string, { Type: string; DependsOn?: string[] }>;
    };
    const nestedIds = Object.entries(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::CloudFormation::Stack')
      .map(([id]) => id);
    const permission = Object.entries(template.Resources).find(
      ([, r]) => r.Type === 'AWS::Lambda::Permission',
    )?.[0];
    const nestedStacks = stack.node
      .findAll()
      .filter((c): c is Stack => c instanceof Stack && c !== stack && c.nested);
    const perNested = nestedStacks.map(
      (n) => Object.values(Template.fromStack(n).findResources('AWS::CloudWatch::Alarm')).length,
    );
    // Assert: none in the stack, every alarm in a nested stack of at most 400, each after the permission
    expect(Object.values(template.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm')).toEqual([]);
    expect(nestedIds).toHaveLength(Math.ceil(specs.length / ALARMS_PER_NESTED_STACK));
    expect(perNested.reduce((a, b) => a + b, 0)).toBe(specs.length);
    expect(Math.max(...perNested)).toBeLessThanOrEqual(ALARMS_PER_NESTED_STACK);
    for (const id of nestedIds) expect(template.Resources[id]?.DependsOn).toContain(permission);
    // The stack refers to them by name: no output per alarm
    expect(Object.keys((template as { Outputs?: object }).Outputs ?? {})).toEqual([]);
    expect(alarms.alarms.size).toBe(specs.length);
  });
});
