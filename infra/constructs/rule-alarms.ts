import { ArnFormat, Duration, NestedStack, Stack } from 'aws-cdk-lib';
import type { CfnResource } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { AlarmSpec } from '../config/derive';
import type { CatalogEntry, MetricCatalog } from '../config/schema';
import type { COMPARISONS } from '../config/schema';

/**
 * Rule alarms kept in the stack itself; more go into nested stacks. The stack's own resources
 * (about 210 with every feature on) plus these stay under CloudFormation's 500 per stack.
 */
export const ALARMS_IN_STACK_MAX = 200;
/** Alarms per nested stack (each nested stack has its own 500-resource limit). */
export const ALARMS_PER_NESTED_STACK = 400;

/** Properties of {@link RuleAlarms}. */
export interface RuleAlarmsProps {
  readonly catalog: MetricCatalog;
  /** Alarms to create, one per rule and target. */
  readonly specs: readonly AlarmSpec[];
  /** Function invoked for ALARM, OK and INSUFFICIENT_DATA. */
  readonly handler: lambda.IFunction;
  /** Prefix every alarm name starts with; the handler's one invoke permission is scoped to it. */
  readonly alarmNamePrefix: string;
}

const TREAT_MISSING: Record<string, cloudwatch.TreatMissingData> = {
  missing: cloudwatch.TreatMissingData.MISSING,
  notBreaching: cloudwatch.TreatMissingData.NOT_BREACHING,
  breaching: cloudwatch.TreatMissingData.BREACHING,
  ignore: cloudwatch.TreatMissingData.IGNORE,
};

function plainMetric(
  entry: Extract<CatalogEntry, { kind: 'metric' }>,
  dimensions: Record<string, string>,
  period: Duration,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: entry.namespace,
    metricName: entry.metricName,
    dimensionsMap: Object.fromEntries(entry.dimensions.map((d) => [d, dimensions[d] ?? ''])),
    statistic: entry.statistic,
    period,
  });
}

/** Builds the CloudWatch metric (or metric-math expression) of a catalog entry for one target. */
export function catalogMetric(
  catalog: MetricCatalog,
  name: string,
  dimensions: Record<string, string>,
  period: Duration,
): cloudwatch.IMetric {
  const entry = catalog[name];
  if (!entry) throw new Error(`metric "${name}" is not in the catalog`);
  if (entry.kind === 'metric') return plainMetric(entry, dimensions, period);
  const usingMetrics: Record<string, cloudwatch.IMetric> = {};
  for (const [id, ref] of Object.entries(entry.using)) {
    const used = catalog[ref];
    if (used?.kind !== 'metric')
      throw new Error(`catalog math "${name}" uses "${ref}", which is not a plain metric`);
    usingMetrics[id] = plainMetric(used, dimensions, period);
  }
  return new cloudwatch.MathExpression({ expression: entry.expression, usingMetrics, period, label: name });
}

/** CloudWatch alarms generated from the rules, each acting on the alarm handler for every state. */
export class RuleAlarms extends Construct {
  /** Alarms by name (in a nested stack, a reference by name). */
  public readonly alarms: ReadonlyMap<string, cloudwatch.IAlarm>;

  public constructor(scope: Construct, id: string, props: RuleAlarmsProps) {
    super(scope, id);
    const prefix = props.alarmNamePrefix;
    const stray = props.specs.find((s) => !s.alarmName.startsWith(prefix));
    if (stray) throw new Error(`RuleAlarms: alarm ${stray.alarmName} does not start with ${prefix}`);
    // One permission for every alarm of the prefix: a permission per alarm would grow the handler's
    // resource policy (capped at 20 KB) by a statement each and fill it at a few dozen alarms.
    const permissionId = 'InvokeFromRuleAlarms';
    if (props.specs.length > 0) {
      props.handler.addPermission(permissionId, {
        principal: new iam.ServicePrincipal('lambda.alarms.cloudwatch.amazonaws.com'),
        action: 'lambda:InvokeFunction',
        sourceAccount: Stack.of(this).account,
        sourceArn: Stack.of(this).formatArn({
          service: 'cloudwatch',
          resource: 'alarm',
          resourceName: `${prefix}*`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      });
    }
    const permission = props.handler.permissionsNode.tryFindChild(permissionId);
    const action: cloudwatch.IAlarmAction = { bind: () => ({ alarmActionArn: props.handler.functionArn }) };
    const alarms = new Map<string, cloudwatch.IAlarm>();
    // CloudFormation takes at most 500 resources a stack: beyond ALARMS_IN_STACK_MAX the alarms go
    // into nested stacks of ALARMS_PER_NESTED_STACK each, created after the invoke permission. The
    // rest of the stack refers to them by name (their ARNs are known), so no outputs are needed.
    const nested = props.specs.length > ALARMS_IN_STACK_MAX;
    const scopes: Construct[] = [];
    const scopeFor = (index: number): Construct => {
      if (!nested) return this;
      const chunk = Math.floor(index / ALARMS_PER_NESTED_STACK);
      let scope = scopes[chunk];
      if (scope === undefined) {
        const stack = new NestedStack(this, `Alarms${chunk}`, {
          description: `Rule alarms ${chunk * ALARMS_PER_NESTED_STACK + 1}-${Math.min(
            props.specs.length,
            (chunk + 1) * ALARMS_PER_NESTED_STACK,
          )} of ${props.specs.length}`,
        });
        if (permission) stack.nestedStackResource?.addResourceDependency(permission as CfnResource);
        scopes[chunk] = stack;
        scope = stack;
      }
      return scope;
    };
    for (const [index, spec] of props.specs.entries()) {
      const { rule, target } = spec;
      const alarm = new cloudwatch.Alarm(scopeFor(index), spec.alarmName, {
        alarmName: spec.alarmName,
        alarmDescription: `${rule.summary} (${target.service}, team ${target.team}). Runbook: ${rule.runbookUrl}`,
        metric: catalogMetric(
          props.catalog,
          rule.metric,
          target.dimensions,
          Duration.seconds(rule.periodSeconds),
        ),
        threshold: rule.threshold,
        comparisonOperator: cloudwatch.ComparisonOperator[COMPARISON_KEYS[rule.comparison]],
        evaluationPeriods: spec.evaluationPeriods,
        // Every datapoint of the window must breach: "for 5 minutes" means all of them.
        datapointsToAlarm: spec.evaluationPeriods,
        treatMissingData: TREAT_MISSING[rule.treatMissingData] ?? cloudwatch.TreatMissingData.MISSING,
        actionsEnabled: true,
      });
      if (permission && !nested) alarm.node.addDependency(permission);
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      alarm.addInsufficientDataAction(action);
      alarms.set(
        spec.alarmName,
        nested ? cloudwatch.Alarm.fromAlarmName(this, `Ref${index}`, spec.alarmName) : alarm,
      );
    }
    this.alarms = alarms;
  }
}

const COMPARISON_KEYS: Record<keyof typeof COMPARISONS, keyof typeof cloudwatch.ComparisonOperator> = {
  '>': 'GREATER_THAN_THRESHOLD',
  '>=': 'GREATER_THAN_OR_EQUAL_TO_THRESHOLD',
  '<': 'LESS_THAN_THRESHOLD',
  '<=': 'LESS_THAN_OR_EQUAL_TO_THRESHOLD',
};
