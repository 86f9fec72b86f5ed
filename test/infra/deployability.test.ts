/**
 * Deployability: the synthesized templates read as AWS reads them on a fresh account, for both
 * stages deployed side by side in one account and region, and for a generated stage with 300
 * alarm targets.
 */
import { validateConfig } from '../../infra/config/schema';
import type { VigilConfig } from '../../infra/config/schema';
import { loadStageConfig, scaleStageInput } from '../../infra/config/stages';
import { MIN_BOOTSTRAP_VERSION, preflightPlan } from '../../shared/cli/preflight/plan';
import type { CfnTemplate } from './template-facts';
import {
  createdBefore,
  physicalNames,
  policySizes,
  propertyAt,
  referencedIds,
  render,
  resourcesOf,
  foldNested,
  synthStageTemplates,
} from './template-facts';
import type { StageTemplates } from './template-facts';

const SCALE_TARGETS = 300;
const configs: Record<string, VigilConfig> = {
  dev: loadStageConfig('dev'),
  prod: loadStageConfig('prod'),
  scale: validateConfig(scaleStageInput(SCALE_TARGETS)),
};
const templates: Record<string, CfnTemplate> = {};
const stageTemplates: Record<string, StageTemplates> = {};
beforeAll(() => {
  for (const [stage, config] of Object.entries(configs)) {
    const synthesized = synthStageTemplates(config);
    stageTemplates[stage] = synthesized;
    templates[stage] = foldNested(synthesized);
  }
}, 300_000);

const STAGES = ['dev', 'prod', 'scale'] as const;
const tpl = (stage: string): CfnTemplate => {
  const t = templates[stage];
  if (!t) throw new Error(`no template for ${stage}`);
  return t;
};
const asList = (v: unknown): unknown[] => ([] as unknown[]).concat(v ?? []);

describe('two stages in one account and region', () => {
  it('share no physical name', () => {
    // Arrange
    const key = (n: { type: string; name: string }) => `${n.type} ${n.name}`;
    const dev = new Set(physicalNames(tpl('dev')).map(key));
    const prod = physicalNames(tpl('prod')).map(key);
    // Act
    const shared = prod.filter((n) => dev.has(n));
    // Assert
    expect(dev.size).toBeGreaterThan(40);
    expect(prod.length).toBeGreaterThan(40);
    expect(shared).toEqual([]);
  });

  it('share no name with the generated stage either, whatever the type', () => {
    const scale = new Set(physicalNames(tpl('scale')).map((n) => n.name));
    for (const stage of ['dev', 'prod']) {
      expect(physicalNames(tpl(stage)).filter((n) => scale.has(n.name))).toEqual([]);
    }
  });

  it('name their X-Ray sampling rules apart (names are unique per account and region)', () => {
    const rules = STAGES.flatMap((s) =>
      physicalNames(tpl(s)).filter((n) => n.type === 'AWS::XRay::SamplingRule'),
    );
    expect(rules.map((r) => r.name)).toEqual([
      'vigil-dev-sampling',
      'vigil-prod-sampling',
      'vigil-scale-sampling',
    ]);
  });

  it('invoke only their own alarm handler: alarm-name scopes and external prefixes do not overlap', () => {
    // Arrange
    const scopes = (stage: string) =>
      resourcesOf(tpl(stage), 'AWS::Lambda::Permission')
        .filter(([, r]) => propertyAt(r, 'Principal') === 'lambda.alarms.cloudwatch.amazonaws.com')
        .map(([, r]) => (render(propertyAt(r, 'SourceArn')) ?? '').replace(/^.*:alarm:/, ''));
    const prefixes = (stage: string) => [
      ...(configs[stage]?.externalAlarms.namePrefixes ?? []),
      ...scopes(stage).map((s) => s.replace(/\*$/, '')),
    ];
    // Act
    const dev = prefixes('dev');
    const prod = prefixes('prod');
    // Assert
    expect(scopes('dev')).toEqual(['vigil-dev-*']);
    expect(scopes('prod')).toEqual(['vigil-prod-*']);
    for (const a of dev) for (const b of prod) expect(a.startsWith(b) || b.startsWith(a)).toBe(false);
  });

  it('leave account-wide SMS settings to at most one stage', () => {
    const setters = ['dev', 'prod'].filter((s) =>
      JSON.stringify(resourcesOf(tpl(s), 'Custom::AWS')).includes('setSMSAttributes'),
    );
    expect(setters.length).toBeLessThanOrEqual(1);
    for (const s of STAGES) expect(JSON.stringify(tpl(s))).not.toContain('MonthlySpendLimit');
  });
});

describe.each(STAGES)('%s stays within AWS limits', (stage) => {
  it('every fixed name is within its service limit', () => {
    const tooLong = physicalNames(tpl(stage)).filter((n) => n.name.length > n.max);
    expect(tooLong).toEqual([]);
  });

  it('every resource and identity policy is under its size limit at its worst-case rendering', () => {
    const sizes = policySizes(tpl(stage));
    expect(sizes.length).toBeGreaterThan(20);
    expect(sizes.filter((s) => s.bytes > s.limit)).toEqual([]);
  });

  it('each template fits CloudFormation: at most 500 resources, 200 outputs, 1 MB', () => {
    const synthesized = stageTemplates[stage];
    if (!synthesized) throw new Error(`no templates for ${stage}`);
    for (const [name, t] of [['stack', synthesized.main], ...Object.entries(synthesized.nested)] as const) {
      expect({ name, resources: Object.keys(t.Resources).length <= 500 }).toEqual({ name, resources: true });
      expect(Object.keys(t.Outputs ?? {}).length).toBeLessThanOrEqual(200);
      // As cdk writes it for upload: indented by one space.
      expect(Buffer.byteLength(JSON.stringify(t, undefined, 1))).toBeLessThanOrEqual(1_000_000);
    }
  });

  it('dashboards stay within 500 widgets, 500 metrics a graph, 2,500 in all, 100 alarms a status widget', () => {
    for (const [id, r] of resourcesOf(tpl(stage), 'AWS::CloudWatch::Dashboard')) {
      const body = JSON.parse(render(propertyAt(r, 'DashboardBody')) ?? '{}') as {
        widgets?: { type: string; properties?: { alarms?: unknown[]; metrics?: unknown[] } }[];
      };
      const widgets = body.widgets ?? [];
      const metrics = widgets.map((w) => (w.properties?.metrics ?? []).length);
      expect({ id, widgets: widgets.length }).toEqual({ id, widgets: Math.min(widgets.length, 500) });
      expect({ id, metrics: Math.max(0, ...metrics) }).toEqual({
        id,
        metrics: Math.min(Math.max(0, ...metrics), 500),
      });
      expect({ id, total: metrics.reduce((a, b) => a + b, 0) <= 2500 }).toEqual({ id, total: true });
      for (const w of widgets) expect((w.properties?.alarms ?? []).length).toBeLessThanOrEqual(100);
    }
  });

  it('alarm descriptions fit CloudWatch (1,024 characters)', () => {
    for (const [, r] of resourcesOf(tpl(stage), 'AWS::CloudWatch::Alarm')) {
      expect((render(propertyAt(r, 'AlarmDescription')) ?? '').length).toBeLessThanOrEqual(1024);
    }
  });
});

describe('the generated stage', () => {
  it(`has ${SCALE_TARGETS} rule alarms on the handler through one invoke permission`, () => {
    // Arrange
    const t = tpl('scale');
    const handler = resourcesOf(t, 'AWS::Lambda::Function').find(([id]) =>
      id.startsWith('AlarmHandlerFn'),
    )?.[0];
    // Act
    const ruleAlarms = resourcesOf(t, 'AWS::CloudWatch::Alarm').filter(([, r]) =>
      asList(propertyAt(r, 'AlarmActions')).some((a) => referencedIds(a).has(handler ?? '')),
    );
    const permissions = resourcesOf(t, 'AWS::Lambda::Permission').filter(
      ([, r]) => propertyAt(r, 'Principal') === 'lambda.alarms.cloudwatch.amazonaws.com',
    );
    // Assert
    expect(ruleAlarms).toHaveLength(SCALE_TARGETS);
    expect(permissions).toHaveLength(1);
  });

  it('reads its runtime config from a file in the bundle, not from a command-line define', () => {
    const functions = resourcesOf(tpl('scale'), 'AWS::Lambda::Function').filter(([id]) =>
      /^(AlarmHandler|Tick)Fn/.test(id),
    );
    expect(functions).toHaveLength(2);
    for (const [, r] of functions) {
      expect(propertyAt(r, 'Environment.Variables.VIGIL_RUNTIME_CONFIG_FILE')).toBe(
        '/var/task/runtime-config.json',
      );
    }
  });

  it('grants its mitigation role the cluster services by one wildcard, not 100 ARNs', () => {
    const policy = resourcesOf(tpl('scale'), 'AWS::IAM::Policy').find(([id]) =>
      id.startsWith('MitigationRole'),
    );
    expect(JSON.stringify(policy?.[1])).toContain(':service/dokkerr-scale/*');
  });
});

describe.each(STAGES)('%s creates things in an order that works on a first deploy', (stage) => {
  it('every custom resource comes after its provider function and the permissions of that function', () => {
    // Arrange
    const t = tpl(stage);
    const customs = Object.entries(t.Resources).filter(([, r]) => r.Type.startsWith('Custom::'));
    // Act / Assert
    expect(customs.length).toBeGreaterThan(0);
    for (const [id, r] of customs) {
      const before = createdBefore(t, id);
      const token = [...referencedIds(propertyAt(r, 'ServiceToken'))][0] ?? '';
      const fn = t.Resources[token];
      expect({ id, provider: fn?.Type }).toEqual({ id, provider: 'AWS::Lambda::Function' });
      const role = [...referencedIds(fn?.Properties?.['Role'])][0] ?? '';
      // A policy that one custom resource depends on is its own (CDK's AwsCustomResource gives each
      // its own policy on a shared role); the others on the role are needed by every one of them.
      const ownedBy = (policy: string) =>
        customs
          .filter(([, c]) => ([] as string[]).concat(c.DependsOn ?? []).includes(policy))
          .map(([cid]) => cid);
      const needed = resourcesOf(t, 'AWS::IAM::Policy')
        .filter(([, p]) => referencedIds(propertyAt(p, 'Roles')).has(role))
        .map(([pid]) => pid)
        .filter((pid) => ownedBy(pid).length === 0 || ownedBy(pid).includes(id));
      const missing = needed.filter((p) => !before.has(p));
      expect(before.has(token)).toBe(true);
      expect({ id, missing }).toEqual({ id, missing: [] });
    }
  });

  it('applies the log index setup after the domain and its access policy', () => {
    const t = tpl(stage);
    for (const [id] of resourcesOf(t, 'Custom::VigilLogIndexSetup')) {
      const before = createdBefore(t, id);
      const needed = [
        ...resourcesOf(t, 'AWS::OpenSearchService::Domain'),
        ...resourcesOf(t, 'Custom::OpenSearchAccessPolicy'),
      ].map(([rid]) => rid);
      expect(needed.length).toBe(2);
      expect(needed.filter((n) => !before.has(n))).toEqual([]);
    }
  });

  it('subscribes a log group only after the index setup and the invoke permission of the indexer', () => {
    const t = tpl(stage);
    const setup = resourcesOf(t, 'Custom::VigilLogIndexSetup').map(([id]) => id);
    const filters = resourcesOf(t, 'AWS::Logs::SubscriptionFilter');
    expect(filters.length).toBeGreaterThan(0);
    for (const [id, r] of filters) {
      const before = createdBefore(t, id);
      const destination = [...referencedIds(propertyAt(r, 'DestinationArn'))][0] ?? '';
      const permission = resourcesOf(t, 'AWS::Lambda::Permission').find(
        ([, p]) =>
          propertyAt(p, 'Principal') === 'logs.amazonaws.com' &&
          referencedIds(propertyAt(p, 'FunctionName')).has(destination),
      );
      expect(permission).toBeDefined();
      expect([...setup, permission?.[0] ?? ''].filter((n) => !before.has(n))).toEqual([]);
    }
  });

  it('creates each rule alarm after the permission that lets it invoke the handler', () => {
    const t = tpl(stage);
    const permission = resourcesOf(t, 'AWS::Lambda::Permission').find(
      ([, p]) => propertyAt(p, 'Principal') === 'lambda.alarms.cloudwatch.amazonaws.com',
    )?.[0];
    for (const [id, r] of resourcesOf(t, 'AWS::CloudWatch::Alarm')) {
      const invokesLambda = asList(propertyAt(r, 'AlarmActions')).some((a) =>
        JSON.stringify(a).includes('Fn'),
      );
      if (invokesLambda) expect(createdBefore(t, id).has(permission ?? '')).toBe(true);
    }
  });
});

describe.each(STAGES)('%s needs nothing that is neither created nor checked by preflight', (stage) => {
  const plan = () => preflightPlan(configs[stage] as VigilConfig);
  const literal = (v: unknown) => render(v, true);

  it('subscribes only log groups it creates or that preflight checks exist with a free slot', () => {
    const t = tpl(stage);
    const created = new Set(resourcesOf(t, 'AWS::Logs::LogGroup').map(([id]) => id));
    for (const [, r] of resourcesOf(t, 'AWS::Logs::SubscriptionFilter')) {
      const group = propertyAt(r, 'LogGroupName');
      const ref = [...referencedIds(group)][0];
      if (ref !== undefined) expect(created.has(ref)).toBe(true);
      else expect(plan().existingLogGroups).toContain(literal(group));
    }
  });

  it('creates named log groups, secrets and runbooks only where preflight checks the name is free', () => {
    const t = tpl(stage);
    const p = plan();
    const groups = resourcesOf(t, 'AWS::Logs::LogGroup')
      .map(([, r]) => literal(propertyAt(r, 'LogGroupName')))
      .filter((n): n is string => n !== undefined);
    expect(groups.sort()).toEqual([...p.createdLogGroups].sort());
    const secrets = resourcesOf(t, 'AWS::SecretsManager::Secret').map(([, r]) =>
      literal(propertyAt(r, 'Name')),
    );
    expect(secrets.sort()).toEqual(p.secrets.map((s) => s.name).sort());
    const documents = resourcesOf(t, 'AWS::SSM::Document').map(([, r]) => literal(propertyAt(r, 'Name')));
    expect(documents).toEqual(p.ownRunbook === undefined ? [] : [p.ownRunbook]);
  });

  it('starts only runbooks it ships or preflight checks exist, and invokes only checked functions', () => {
    const t = tpl(stage);
    const p = plan();
    const shipped = resourcesOf(t, 'AWS::SSM::Document').map(([, r]) => literal(propertyAt(r, 'Name')));
    const statements = resourcesOf(t, 'AWS::IAM::Policy').flatMap(([, r]) =>
      asList(propertyAt(r, 'PolicyDocument.Statement')),
    ) as { Action: unknown; Resource: unknown }[];
    for (const s of statements) {
      const actions = asList(s.Action);
      for (const resource of asList(s.Resource)) {
        const arn = render(resource) ?? '';
        if (actions.includes('ssm:StartAutomationExecution')) {
          const name = /automation-definition\/(.+):\*$/.exec(arn)?.[1];
          expect([...shipped, ...p.externalRunbooks]).toContain(name);
        }
        if (actions.includes('lambda:InvokeFunction') && typeof resource === 'string') {
          expect(p.mitigationFunctions).toContain(resource);
        }
      }
    }
  });

  it('reserves exactly the concurrency preflight checks the account can give', () => {
    const reserved = resourcesOf(tpl(stage), 'AWS::Lambda::Function').reduce(
      (n, [, r]) => n + Number(propertyAt(r, 'ReservedConcurrentExecutions') ?? 0),
      0,
    );
    expect(reserved).toBe(plan().reservedConcurrency);
  });

  it('subscribes only the SMS numbers and email addresses preflight looks at', () => {
    const p = plan();
    const emails = new Set(p.emailTopics.flatMap((e) => e.addresses));
    for (const [, r] of resourcesOf(tpl(stage), 'AWS::SNS::Subscription')) {
      const protocol = propertyAt(r, 'Protocol');
      if (protocol === 'sms') expect(p.smsNumbers).toContain(propertyAt(r, 'Endpoint'));
      if (protocol === 'email') expect(emails.has(String(propertyAt(r, 'Endpoint')))).toBe(true);
    }
  });

  it('creates an OpenSearch domain only when preflight checks its service-linked role', () => {
    const domains = resourcesOf(tpl(stage), 'AWS::OpenSearchService::Domain').length;
    expect(domains > 0).toBe(plan().createsOpenSearchDomain);
  });

  it('imports nothing, and asks for the bootstrap version preflight checks', () => {
    const t = tpl(stage);
    expect(JSON.stringify(t)).not.toContain('Fn::ImportValue');
    expect(Object.keys(t.Parameters ?? {})).toEqual(['BootstrapVersion']);
    const refused = JSON.stringify(t.Rules?.['CheckBootstrapVersion']);
    const versions = Array.from({ length: MIN_BOOTSTRAP_VERSION - 1 }, (_, i) => String(i + 1));
    expect(refused).toContain(JSON.stringify(versions));
    expect(refused).not.toContain(`"${MIN_BOOTSTRAP_VERSION}"`);
  });
});

describe('teardown', () => {
  it.each(['dev', 'scale'])('%s (retainData false) leaves no log group, table or key behind', (stage) => {
    const t = tpl(stage);
    for (const type of [
      'AWS::Logs::LogGroup',
      'AWS::DynamoDB::Table',
      'AWS::KMS::Key',
      'AWS::OpenSearchService::Domain',
    ]) {
      const kept = resourcesOf(t, type).filter(([, r]) => r.DeletionPolicy !== 'Delete');
      expect({ type, kept: kept.map(([id]) => id) }).toEqual({ type, kept: [] });
    }
    // A function without a log group of the stack's would log into one Lambda creates, left behind.
    const groups = new Set(resourcesOf(t, 'AWS::Logs::LogGroup').map(([id]) => id));
    for (const [id, r] of resourcesOf(t, 'AWS::Lambda::Function')) {
      const own = referencedIds(propertyAt(r, 'LoggingConfig.LogGroup'));
      const named = resourcesOf(t, 'AWS::Logs::LogGroup').some(([, g]) =>
        referencedIds(propertyAt(g, 'LogGroupName')).has(id),
      );
      expect({ id, logGroup: [...own].some((g) => groups.has(g)) || named }).toEqual({ id, logGroup: true });
    }
  });

  it('prod keeps its table and key', () => {
    const t = tpl('prod');
    for (const type of ['AWS::DynamoDB::Table', 'AWS::KMS::Key']) {
      for (const [, r] of resourcesOf(t, type)) expect(r.DeletionPolicy).toBe('Retain');
    }
  });
});
