import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { alarmPrefixOf, alarmSpecs } from '../../infra/config/derive';
import { loadStageConfig } from '../../infra/config/stages';
import { Dashboards, dashboardServicesFromRules, SEED_PANELS } from '../../infra/constructs/dashboards';
import { RuleAlarms } from '../../infra/constructs/rule-alarms';
import { INDEXER_LAG_METRIC, SelfMonitoring } from '../../infra/constructs/self-monitoring';
import { Tracing } from '../../infra/constructs/tracing';
import { VigilFunction } from '../../infra/constructs/vigil-function';
import { createDeadLetterQueue, VigilStack } from '../../infra/stacks/vigil-stack';
import { runCfnLint } from '../support/cfn-lint';

type Json = Record<string, unknown>;

interface Fixture {
  readonly app: App;
  readonly stack: Stack;
  readonly template: Template;
  readonly ids: {
    readonly opsTopic: string;
    readonly key: string;
    readonly handler: string;
    readonly tick: string;
    readonly dlq: string;
    readonly channel: string;
  };
}

/** The observability constructs wired the way the stage stack wires them, in a bare stack. */
function build(): Fixture {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Observability');
  const config = loadStageConfig('dev');
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }),
  );
  const handler = new VigilFunction(stack, 'AlarmHandler', {
    functionDir: 'alarm-handler',
    description: 'alarm handler',
    serviceName: 'alarm-handler',
  });
  const tick = new VigilFunction(stack, 'Tick', {
    functionDir: 'tick',
    description: 'tick',
    serviceName: 'tick',
    timeout: Duration.seconds(55),
  });
  const dlq = createDeadLetterQueue(stack, 'AlarmHandlerDlq', key);
  const channel = new sns.Topic(stack, 'EmailChannel', { masterKey: key, enforceSSL: true });
  const rules = new RuleAlarms(stack, 'RuleAlarms', {
    catalog: config.catalog,
    specs: alarmSpecs(config),
    handler: handler.fn,
    alarmNamePrefix: alarmPrefixOf(config),
  });
  const ops = new SelfMonitoring(stack, 'SelfMonitoring', {
    namePrefix: 'vigil-test',
    encryptionKey: key,
    opsEmailSubscribers: ['ops@example.com'],
    opsSmsSubscribers: ['+447700900123'],
    functions: [
      { name: 'alarm-handler', fn: handler.fn },
      { name: 'tick', fn: tick.fn },
    ],
    deadLetterQueues: [{ name: 'alarm-handler-dlq', queue: dlq }],
    channelTopics: [{ name: 'email', topic: channel }],
    tick: tick.fn,
  });
  new Dashboards(stack, 'Dashboards', {
    namePrefix: 'vigil-test',
    catalog: config.catalog,
    services: dashboardServicesFromRules(config.rules),
    ruleAlarms: [...rules.alarms.values()],
    pipelineAlarms: ops.alarms,
  });
  new Tracing(stack, 'Tracing');
  return {
    app,
    stack,
    template: Template.fromStack(stack),
    ids: {
      opsTopic: stack.getLogicalId(ops.opsTopic.node.defaultChild as sns.CfnTopic),
      key: stack.getLogicalId(key.node.defaultChild as kms.CfnKey),
      handler: stack.getLogicalId(handler.fn.node.defaultChild as lambda.CfnFunction),
      tick: stack.getLogicalId(tick.fn.node.defaultChild as lambda.CfnFunction),
      dlq: stack.getLogicalId(dlq.node.defaultChild as sqs.CfnQueue),
      channel: stack.getLogicalId(channel.node.defaultChild as sns.CfnTopic),
    },
  };
}

const fixture = build();

/** A dashboard body with tokens written as `{{Ref:X}}` / `{{GetAtt:X}}`, parsed. */
function dashboardBody(template: Template, name: string): { widgets: Json[] } {
  const found = Object.values(
    template.findResources('AWS::CloudWatch::Dashboard', { Properties: { DashboardName: name } }),
  );
  const [dashboard] = found;
  if (!dashboard) throw new Error(`no dashboard ${name}`);
  const body: unknown = (dashboard as { Properties: { DashboardBody: unknown } }).Properties.DashboardBody;
  const flatten = (part: unknown): string => {
    if (typeof part === 'string') return part;
    if (part && typeof part === 'object') {
      if ('Ref' in part) return `{{Ref:${String(part.Ref)}}}`;
      if ('Fn::GetAtt' in part && Array.isArray(part['Fn::GetAtt']))
        return `{{GetAtt:${String(part['Fn::GetAtt'][0])}}}`;
      if ('Fn::Join' in part && Array.isArray(part['Fn::Join'])) {
        const parts: unknown = part['Fn::Join'][1];
        return Array.isArray(parts) ? parts.map(flatten).join('') : '';
      }
    }
    throw new Error(`unexpected token in dashboard body: ${JSON.stringify(part)}`);
  };
  return JSON.parse(flatten(body)) as { widgets: Json[] };
}

function properties(widget: Json): Json {
  return widget.properties as Json;
}

function widgetTitled(widgets: Json[], title: string): Json {
  const found = widgets.find((w) => properties(w).title === title);
  if (!found) throw new Error(`no widget titled ${title}`);
  return properties(found);
}

/** Metric rows of a widget as strings, e.g. "AWS/ECS CPUUtilization ClusterName dokkerr-dev ...". */
function metricRows(props: Json): string[] {
  return (props.metrics as unknown[][]).map((row) =>
    row.map((cell) => (typeof cell === 'string' ? cell : JSON.stringify(cell))).join(' '),
  );
}

function alarmsNamed(prefix: string): Json[] {
  return Object.values(fixture.template.findResources('AWS::CloudWatch::Alarm'))
    .map((a) => (a as { Properties: Json }).Properties)
    .filter((p) => typeof p.AlarmName === 'string' && p.AlarmName.startsWith(prefix));
}

/** The single metric an alarm reads, whether written as MetricName or as one MetricStat. */
function alarmMetric(alarm: Json): {
  namespace: unknown;
  name: unknown;
  stat: unknown;
  period: unknown;
  dims: unknown;
} {
  if (alarm.MetricName !== undefined) {
    return {
      namespace: alarm.Namespace,
      name: alarm.MetricName,
      stat: alarm.Statistic,
      period: alarm.Period,
      dims: alarm.Dimensions,
    };
  }
  const [only] = alarm.Metrics as { MetricStat: { Metric: Json; Stat: unknown; Period: unknown } }[];
  if (!only) throw new Error('alarm without metric');
  return {
    namespace: only.MetricStat.Metric.Namespace,
    name: only.MetricStat.Metric.MetricName,
    stat: only.MetricStat.Stat,
    period: only.MetricStat.Period,
    dims: only.MetricStat.Metric.Dimensions,
  };
}

function opsAlarm(namespace: string, name: string, dimensionValue: unknown): Json {
  const found = alarmsNamed('vigil-test-ops-').filter((a) => {
    const m = alarmMetric(a);
    return (
      m.namespace === namespace &&
      m.name === name &&
      JSON.stringify(m.dims ?? []).includes(JSON.stringify(dimensionValue))
    );
  });
  if (found.length !== 1)
    throw new Error(`expected one ops alarm on ${namespace} ${name}, got ${found.length}`);
  return found[0] as Json;
}

describe('application dashboard', () => {
  const widgets = dashboardBody(fixture.template, 'vigil-test-dokkerr').widgets;

  it('shows CPU as a gauge from 0 to 100 with warning 50 and critical 80 bands, one needle per service', () => {
    // Act
    const cpu = widgetTitled(widgets, SEED_PANELS.cpu.title);
    // Assert
    expect(cpu.view).toBe('gauge');
    expect(cpu.yAxis).toEqual({ left: { min: 0, max: 100 } });
    expect((cpu.annotations as { horizontal: Json[] }).horizontal.map((a) => [a.value, a.fill])).toEqual([
      [50, 'above'],
      [80, 'above'],
    ]);
    expect(metricRows(cpu).map((row) => row.replace(/ {.*$/, ''))).toEqual(
      ['api', 'checkout', 'realtime'].map(
        (s) => `AWS/ECS CPUUtilization ClusterName dokkerr-dev ServiceName ${s}`,
      ),
    );
  });

  it('charts memory over the last 24 hours', () => {
    // Act
    const memory = widgetTitled(widgets, SEED_PANELS.memory.title);
    // Assert
    expect(memory.start).toBe('-PT24H');
    expect(metricRows(memory).every((row) => row.startsWith('AWS/ECS MemoryUtilization'))).toBe(true);
    expect(metricRows(memory)).toHaveLength(3);
  });

  it('charts request rate and error rate over the last hour from the catalog math, per service', () => {
    // Act
    const requests = widgetTitled(widgets, SEED_PANELS.requestRate.title);
    const errors = widgetTitled(widgets, SEED_PANELS.errorRate.title);
    // Assert
    expect(requests.start).toBe('-PT1H');
    expect(errors.start).toBe('-PT1H');
    expect(metricRows(requests)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('"expression":"requests_s0 / PERIOD(requests_s0)"'),
        expect.stringContaining('Dokkerr/Application Requests Service api'),
      ]),
    );
    expect(metricRows(errors)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('"expression":"IF(requests_s1 > 0, 100 * errors_s1 / requests_s1, 0)"'),
        expect.stringContaining('Dokkerr/Application Errors Service checkout'),
        expect.stringContaining('"period":60'),
      ]),
    );
  });

  it('has one row per area, in order, built from the catalog', () => {
    // Act
    const headings = widgets.filter((w) => w.type === 'text').map((w) => properties(w).markdown);
    const all = widgets.flatMap((w) => (w.type === 'metric' ? metricRows(properties(w)) : [])).join('\n');
    // Assert
    expect(headings).toEqual(['## API', '## Database', '## WebSockets', '## Users']);
    expect(all).toContain('Dokkerr/Database QueryLatency Service api');
    expect(all).toContain('Dokkerr/WebSocket ActiveConnections Service realtime');
    expect(all).toContain('Dokkerr/Users ConversionRate Service checkout');
    // The endpoint and its latency buckets are only known at run time: searched, labelled by dimension.
    expect(all).toContain(
      `SEARCH('{Dokkerr/Api,Service,Endpoint,Le} MetricName=\\"EndpointLatencyBucket\\" Service=\\"api\\"', 'Sum', 300)`,
    );
    expect(all).toContain("api ${PROP('Dim.Endpoint')} ${PROP('Dim.Le')}");
  });

  it('lists every rule alarm in an alarm-status widget, and the pipeline alarms in another', () => {
    // Arrange
    const ruleAlarmIds = Object.keys(
      fixture.template.findResources('AWS::CloudWatch::Alarm', {
        Properties: { AlarmName: Match.stringLikeRegexp('^vigil-dev-') },
      }),
    );
    const opsAlarmIds = Object.keys(
      fixture.template.findResources('AWS::CloudWatch::Alarm', {
        Properties: { AlarmName: Match.stringLikeRegexp('^vigil-test-ops-') },
      }),
    );
    // Act
    const statusWidgets = widgets.filter((w) => w.type === 'alarm').map(properties);
    // Assert
    expect(statusWidgets.map((w) => w.title)).toEqual(['Rule alarms', 'Pipeline health']);
    const listed = (w: Json | undefined) =>
      (w?.alarms as string[]).map((a) => a.replace(/^{{GetAtt:(.*)}}$/, '$1'));
    expect(ruleAlarmIds).toHaveLength(7);
    expect(listed(statusWidgets[0]).sort()).toEqual(ruleAlarmIds.sort());
    expect(listed(statusWidgets[1]).sort()).toEqual(opsAlarmIds.sort());
  });
});

describe('alarm-status widgets', () => {
  it('split more than 100 alarms into widgets of at most 100, as CloudWatch requires', () => {
    // Arrange
    const stack = new Stack(new App(), 'ManyAlarms');
    const config = loadStageConfig('dev');
    const alarms = Array.from({ length: 150 }, (_, i) =>
      cloudwatch.Alarm.fromAlarmArn(stack, `A${i}`, `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:a${i}`),
    );
    // Act
    new Dashboards(stack, 'Dashboards', {
      namePrefix: 'many',
      catalog: config.catalog,
      services: dashboardServicesFromRules(config.rules),
      ruleAlarms: alarms,
    });
    // Assert
    const status = dashboardBody(Template.fromStack(stack), 'many-dokkerr')
      .widgets.filter((w) => w.type === 'alarm')
      .map(properties);
    expect(status.map((w) => [w.title, (w.alarms as string[]).length])).toEqual([
      ['Rule alarms', 100],
      ['Rule alarms (2)', 50],
    ]);
  });
});

describe('pipeline-health dashboard', () => {
  it('charts each pipeline Lambda, the dead-letter queue, the channel topic and the indexer lag', () => {
    // Act
    const widgets = dashboardBody(fixture.template, 'vigil-test-pipeline-health').widgets;
    const all = widgets.flatMap((w) => (w.type === 'metric' ? metricRows(properties(w)) : [])).join('\n');
    // Assert
    expect(all).toContain(`AWS/Lambda Errors FunctionName {{Ref:${fixture.ids.handler}}}`);
    expect(all).toContain(`AWS/Lambda Invocations FunctionName {{Ref:${fixture.ids.tick}}}`);
    expect(all).toContain(
      `AWS/SQS ApproximateNumberOfMessagesVisible QueueName {{GetAtt:${fixture.ids.dlq}}}`,
    );
    expect(all).toContain(`AWS/SNS NumberOfNotificationsFailed TopicName {{GetAtt:${fixture.ids.channel}}}`);
    expect(all).toContain('Vigil/LogIndexer IngestLagSeconds service log-indexer');
  });

  it('draws backfills (their age and lines) without an alarm on them', () => {
    // Act
    const widgets = dashboardBody(fixture.template, 'vigil-test-pipeline-health').widgets;
    const all = widgets.flatMap((w) => (w.type === 'metric' ? metricRows(properties(w)) : [])).join('\n');
    const backfillAlarms = alarmsNamed('').filter((a) => JSON.stringify(a).includes('Backfill'));
    // Assert
    expect(all).toContain('Vigil/LogIndexer BackfillLagSeconds service log-indexer');
    expect(all).toContain('Vigil/LogIndexer BackfillEvents service log-indexer');
    expect(backfillAlarms).toEqual([]);
  });
});

describe('self-monitoring alarms page the ops topic', () => {
  const opsAction = [{ Ref: fixture.ids.opsTopic }];

  it.each([
    ['alarm-handler', () => fixture.ids.handler, 24_000],
    ['tick', () => fixture.ids.tick, 44_000],
  ])(
    '%s: Errors > 0, Throttles > 0 and Duration p99 above 80%% of its timeout',
    (_name, fnId, nearTimeoutMs) => {
      // Arrange
      const fn = { Ref: fnId() };
      // Act
      const errors = opsAlarm('AWS/Lambda', 'Errors', fn);
      const throttles = opsAlarm('AWS/Lambda', 'Throttles', fn);
      const duration = opsAlarm('AWS/Lambda', 'Duration', fn);
      // Assert
      for (const alarm of [errors, throttles]) {
        expect(alarm).toMatchObject({
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
          AlarmActions: opsAction,
        });
        expect(alarmMetric(alarm).stat).toBe('Sum');
      }
      expect(duration).toMatchObject({
        Threshold: nearTimeoutMs,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: opsAction,
      });
      expect(alarmMetric(duration).stat).toBe('p99');
    },
  );

  it('any message in a dead-letter queue', () => {
    // Act
    const alarm = opsAlarm('AWS/SQS', 'ApproximateNumberOfMessagesVisible', {
      'Fn::GetAtt': [fixture.ids.dlq, 'QueueName'],
    });
    // Assert
    expect(alarm).toMatchObject({
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: opsAction,
    });
  });

  it('any failed notification on a channel topic', () => {
    // Act
    const alarm = opsAlarm('AWS/SNS', 'NumberOfNotificationsFailed', {
      'Fn::GetAtt': [fixture.ids.channel, 'TopicName'],
    });
    // Assert
    expect(alarm).toMatchObject({
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: opsAction,
    });
  });

  it('indexer ingest lag (Maximum) above 60 s for 5 one-minute periods', () => {
    // Act
    const alarm = opsAlarm(INDEXER_LAG_METRIC.namespace, INDEXER_LAG_METRIC.metricName, 'log-indexer');
    // Assert
    expect(alarmMetric(alarm)).toMatchObject({ stat: 'Maximum', period: 60 });
    expect(alarm).toMatchObject({
      Threshold: 60,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 5,
      DatapointsToAlarm: 5,
      AlarmActions: opsAction,
    });
  });

  it('tick: fewer than 3 invocations in 5 minutes, and no data at all, both breach', () => {
    // Act
    const alarm = opsAlarm('AWS/Lambda', 'Invocations', { Ref: fixture.ids.tick });
    // Assert
    expect(alarmMetric(alarm)).toMatchObject({ stat: 'Sum', period: 300 });
    expect(alarm).toMatchObject({
      Threshold: 3,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      AlarmActions: opsAction,
    });
  });

  it('a tick that leaves alert changes unfolded in 3 of 5 minutes pages ops', () => {
    // Act
    const alarm = opsAlarm('Vigil/Tick', 'TickBacklog', 'tick');
    // Assert
    expect(alarmMetric(alarm)).toMatchObject({ stat: 'Sum', period: 60 });
    expect(alarm).toMatchObject({
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
      AlarmActions: opsAction,
    });
  });

  it('every self-monitoring alarm acts on the ops topic only (never the alarm handler)', () => {
    // Act
    const alarms = alarmsNamed('vigil-test-ops-');
    // Assert
    // Per function (3 x 2), the tick stopping, the dead letters, a channel's delivery, the tick's backlog, ...
    expect(alarms.length).toBe(3 * 2 + 1 + 1 + 1 + 1 + 1);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toEqual(opsAction);
      expect(alarm.OKActions).toEqual(opsAction);
    }
  });
});

describe('ops topic', () => {
  it('is KMS-encrypted with the given key and refuses plain-HTTP publishing', () => {
    // Assert
    fixture.template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'vigil-test-ops',
      KmsMasterKeyId: { 'Fn::GetAtt': [fixture.ids.key, 'Arn'] },
    });
    fixture.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: fixture.ids.opsTopic }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' } }),
        ]),
      },
    });
  });

  it('pages email and SMS directly, with no Lambda in between', () => {
    // Act
    const subscriptions = Object.values(
      fixture.template.findResources('AWS::SNS::Subscription', {
        Properties: { TopicArn: { Ref: fixture.ids.opsTopic } },
      }),
    ).map((s) => (s as { Properties: Json }).Properties);
    // Assert
    expect(subscriptions.map((s) => [s.Protocol, s.Endpoint]).sort()).toEqual([
      ['email', 'ops@example.com'],
      ['sms', '+447700900123'],
    ]);
  });

  it('refuses a configuration that would page nobody', () => {
    // Arrange
    const stack = new Stack(new App(), 'Nobody');
    const fn = new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {};'),
    });
    // Act
    const act = () =>
      new SelfMonitoring(stack, 'SelfMonitoring', {
        namePrefix: 'x',
        encryptionKey: new kms.Key(stack, 'Key'),
        functions: [{ name: 'fn', fn }],
        tick: fn,
      });
    // Assert
    expect(act).toThrow(/opsEmailSubscribers \/ opsSmsSubscribers/);
  });

  it('needs the timeout of an imported function for its duration alarm', () => {
    // Arrange
    const stack = new Stack(new App(), 'Imported');
    const fn = lambda.Function.fromFunctionName(stack, 'Fn', 'elsewhere');
    // Act
    const act = () =>
      new SelfMonitoring(stack, 'SelfMonitoring', {
        namePrefix: 'x',
        encryptionKey: new kms.Key(stack, 'Key'),
        opsEmailSubscribers: ['ops@example.com'],
        functions: [{ name: 'elsewhere', fn }],
        tick: fn,
      });
    // Assert
    expect(act).toThrow('SelfMonitoring functions[elsewhere].timeout');
  });
});

/** Logical ids of Lambda functions whose tracing is not Active. */
// CDK's own deploy-time custom-resource functions (the Provider framework and the AwsCustomResource
// singleton) expose no tracing setting and never run on the alert path; every function of ours must trace.
const CDK_FRAMEWORK_FUNCTION = /framework-?onEvent|AWS679f53fac002430cb0da5b7982bd2287/i;

function untracedFunctions(template: Template): string[] {
  return Object.entries(template.findResources('AWS::Lambda::Function'))
    .filter(([id, fn]) => {
      const f = fn as {
        Properties: { TracingConfig?: { Mode?: string } };
        Metadata?: Record<string, unknown>;
      };
      const path = typeof f.Metadata?.['aws:cdk:path'] === 'string' ? f.Metadata['aws:cdk:path'] : id;
      return f.Properties.TracingConfig?.Mode !== 'Active' && !CDK_FRAMEWORK_FUNCTION.test(`${id} ${path}`);
    })
    .map(([id]) => id);
}

describe('tracing', () => {
  it('samples the application at a fixed 10% with a small reservoir', () => {
    // Assert
    fixture.template.hasResourceProperties('AWS::XRay::SamplingRule', {
      SamplingRule: Match.objectLike({
        RuleName: 'dokkerr-sampling',
        ServiceName: 'dokkerr',
        FixedRate: 0.1,
        ReservoirSize: 1,
        Version: 1,
      }),
    });
  });

  it('takes the service name from props and rejects a rate outside 0..1', () => {
    // Arrange
    const stack = new Stack(new App(), 'Sampling');
    // Act
    new Tracing(stack, 'Tracing', { serviceName: 'checkout' });
    const bad = () => new Tracing(stack, 'Bad', { fixedRate: 1.5 });
    // Assert
    Template.fromStack(stack).hasResourceProperties('AWS::XRay::SamplingRule', {
      SamplingRule: Match.objectLike({ ServiceName: 'checkout', RuleName: 'checkout-sampling' }),
    });
    expect(bad).toThrow('Tracing fixedRate: 1.5 must be between 0 and 1');
  });

  it('finds a Lambda without active tracing (the check can fail)', () => {
    // Arrange
    const stack = new Stack(new App(), 'Untraced');
    new lambda.Function(stack, 'Untraced', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {};'),
    });
    // Act
    const untraced = untracedFunctions(Template.fromStack(stack));
    // Assert
    expect(untraced).toEqual([expect.stringMatching(/^Untraced/)]);
  });

  it('every Lambda of the observability fixture traces actively', () => {
    // Act / Assert
    expect(Object.keys(fixture.template.findResources('AWS::Lambda::Function')).length).toBeGreaterThan(0);
    expect(untracedFunctions(fixture.template)).toEqual([]);
  });

  it('every Lambda of the stage stack traces actively', () => {
    // Arrange
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new VigilStack(app, 'Vigil-dev', { config: loadStageConfig('dev') });
    // Act
    const template = Template.fromStack(stack);
    // Assert
    expect(Object.keys(template.findResources('AWS::Lambda::Function')).length).toBeGreaterThan(0);
    expect(untracedFunctions(template)).toEqual([]);
  });
});

describe('security checks', () => {
  it('cdk-nag AwsSolutions has no unacknowledged finding', () => {
    // Act
    const report = new AwsSolutionsChecks(fixture.app).validateScope(fixture.stack);
    // Assert
    expect(
      report.violations.map(
        (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(',')}`,
      ),
    ).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('cfn-lint reports no errors on the fixture template', () => {
    // Arrange
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'vigil-obs-')), 'observability.template.json');
    writeFileSync(file, JSON.stringify(fixture.template.toJSON()));
    // Act
    const { status, output } = runCfnLint([file]);
    // Assert: exit bit 2 means errors; warnings and informational findings are allowed
    expect(output.split('\n').filter((l) => /:E\d{4}:/.test(l))).toEqual([]);
    expect(status & 2).toBe(0);
  }, 300_000);
});
