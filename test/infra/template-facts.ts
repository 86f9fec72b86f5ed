/**
 * Reads a synthesized template the way CloudFormation and the services will on a fresh account:
 * names after substitution, resource policies at their worst-case rendered size, and what each
 * resource waits for before it is created.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, NestedStack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { stackNameOf } from '../../infra/config/outputs';
import type { VigilConfig } from '../../infra/config/schema';
import { VigilStack } from '../../infra/stacks/vigil-stack';

/** A resource of a template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
  readonly DeletionPolicy?: string;
}

/** A synthesized template. */
export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, unknown>;
  readonly Parameters?: Record<string, unknown>;
  readonly Rules?: Record<string, { Assertions: { Assert: unknown }[] }>;
}

/** The feature flags and settings of cdk.json, so tests synthesize what `cdk deploy` deploys. */
export function cdkJsonContext(): Record<string, unknown> {
  const file = path.resolve(__dirname, '..', '..', 'cdk.json');
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { context?: Record<string, unknown> };
  return parsed.context ?? {};
}

/** A stage's templates as CloudFormation receives them: the stack's and each nested stack's. */
export interface StageTemplates {
  readonly main: CfnTemplate;
  /** By the logical id of the nested stack's resource in `main`. */
  readonly nested: Readonly<Record<string, CfnTemplate>>;
}

/** Synthesizes a stage as `cdk synth` does (cdk.json context), without bundling the Lambdas. */
export function synthStageTemplates(config: VigilConfig): StageTemplates {
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
  const stack = new VigilStack(app, stackNameOf(config.stage), { config });
  const main = Template.fromStack(stack).toJSON() as CfnTemplate;
  const nested: Record<string, CfnTemplate> = {};
  for (const child of stack.node.findAll()) {
    if (!(child instanceof NestedStack) || child.nestedStackResource === undefined) continue;
    nested[stack.getLogicalId(child.nestedStackResource)] = Template.fromStack(child).toJSON() as CfnTemplate;
  }
  return { main, nested };
}

/**
 * One view of a stage's resources: each nested stack's resources folded into the stack's as
 * `<nested stack id>.<id>`, their parameters replaced by what the stack passes, and each created
 * after its nested stack's resource (so after what that resource waits for).
 */
export function foldNested(templates: StageTemplates): CfnTemplate {
  const resources: Record<string, CfnResource> = { ...templates.main.Resources };
  for (const [nestedId, t] of Object.entries(templates.nested)) {
    const passed = (propertyAt(templates.main.Resources[nestedId] ?? { Type: '' }, 'Parameters') ??
      {}) as Record<string, unknown>;
    const own = new Set(Object.keys(t.Resources));
    const rewrite = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(rewrite);
      if (v === null || typeof v !== 'object') return v;
      const o = v as Record<string, unknown>;
      const ref = o['Ref'];
      if (typeof ref === 'string' && Object.keys(o).length === 1) {
        if (ref in passed) return passed[ref];
        if (own.has(ref)) return { Ref: `${nestedId}.${ref}` };
      }
      const att = o['Fn::GetAtt'];
      if (Array.isArray(att) && typeof att[0] === 'string' && own.has(att[0])) {
        return { 'Fn::GetAtt': [`${nestedId}.${att[0]}`, ...att.slice(1)] };
      }
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, rewrite(x)]));
    };
    for (const [id, r] of Object.entries(t.Resources)) {
      resources[`${nestedId}.${id}`] = {
        ...r,
        ...(r.Properties ? { Properties: rewrite(r.Properties) as Record<string, unknown> } : {}),
        DependsOn: [nestedId, ...([] as string[]).concat(r.DependsOn ?? []).map((d) => `${nestedId}.${d}`)],
      };
    }
  }
  return { ...templates.main, Resources: resources };
}

/** A stage's resources in one view ({@link foldNested}), for facts that span nested stacks. */
export function synthStage(config: VigilConfig): CfnTemplate {
  return foldNested(synthStageTemplates(config));
}

/** The longest values a pseudo parameter takes, so sizes are judged at their worst. */
const PSEUDO_WORST: Record<string, string> = {
  'AWS::Partition': 'aws-iso-b',
  'AWS::Region': 'ap-southeast-5',
  'AWS::AccountId': '123456789012',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'Vigil-scale',
  'AWS::StackId':
    'arn:aws:cloudformation:ap-southeast-5:123456789012:stack/Vigil-scale/1d2e3f40-1a2b-11ef-8a9b-0a1b2c3d4e5f',
};
/** Stand-in for the physical id or ARN of a resource of the stack: as long as a generated ARN gets. */
export const RESOURCE_WORST = `arn:aws-iso-b:service:ap-southeast-5:123456789012:resource/${'x'.repeat(80)}`;

/**
 * The string CloudFormation makes of a value: pseudo parameters at their longest, references to
 * resources as {@link RESOURCE_WORST}, or `undefined` with `strict` when a resource reference is
 * part of it (a generated, hence unique, name).
 */
export function render(value: unknown, strict = false, template?: CfnTemplate): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || typeof value !== 'object') return undefined;
  const entries = Object.entries(value);
  const [key, arg] = entries[0] ?? [];
  if (entries.length !== 1 || key === undefined) return undefined;
  if (key === 'Ref' && typeof arg === 'string') {
    if (arg in PSEUDO_WORST) return PSEUDO_WORST[arg];
    if (strict) return undefined;
    return refWorst(arg, template);
  }
  if (key === 'Fn::GetAtt') return strict ? undefined : RESOURCE_WORST;
  if (key === 'Fn::Join' && Array.isArray(arg) && typeof arg[0] === 'string' && Array.isArray(arg[1])) {
    const parts = (arg[1] as unknown[]).map((p) => render(p, strict, template));
    if (parts.some((p) => p === undefined)) return undefined;
    return parts.join(arg[0]);
  }
  if (key === 'Fn::Select' || key === 'Fn::Split' || key === 'Fn::Sub' || key === 'Fn::If')
    return strict ? undefined : RESOURCE_WORST;
  return undefined;
}

// Generated names are at most this long: CloudFormation trims what it derives from the stack and logical id.
const GENERATED_NAME_WORST = 'x'.repeat(64);

/** What `Ref` of a resource of the stack gives at its longest. */
function refWorst(id: string, template: CfnTemplate | undefined): string {
  const resource = template?.Resources[id];
  if (resource?.Type === 'AWS::Logs::LogGroup') {
    const name = resource.Properties?.['LogGroupName'];
    return name === undefined ? GENERATED_NAME_WORST : (render(name, false, template) ?? RESOURCE_WORST);
  }
  if (resource?.Type === 'AWS::Lambda::Function' || resource?.Type === 'AWS::DynamoDB::Table')
    return GENERATED_NAME_WORST;
  return RESOURCE_WORST;
}

/** A JSON document with every intrinsic rendered as {@link render} does, then minified. */
export function renderDocument(doc: unknown): string {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v);
      if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]?.startsWith('Fn::')))
        return render(v) ?? RESOURCE_WORST;
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    }
    return v;
  };
  return JSON.stringify(walk(doc));
}

/** Logical ids a value refers to (Ref, Fn::GetAtt, Fn::Sub), pseudo parameters left out. */
export function referencedIds(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) referencedIds(v, into);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Ref' && typeof v === 'string' && !v.startsWith('AWS::')) into.add(v);
      else if (k === 'Fn::GetAtt' && Array.isArray(v) && typeof v[0] === 'string') into.add(v[0]);
      else if (k === 'Fn::Sub' && typeof v === 'string') {
        for (const m of v.matchAll(/\$\{([A-Za-z0-9]+)(\.[A-Za-z]+)?\}/g)) if (m[1]) into.add(m[1]);
      } else referencedIds(v, into);
    }
  }
  return into;
}

/** What CloudFormation creates before `id`: its DependsOn and references, transitively. */
export function createdBefore(template: CfnTemplate, id: string): Set<string> {
  const seen = new Set<string>();
  const visit = (at: string): void => {
    const r = template.Resources[at];
    if (!r) return;
    const direct = new Set([
      ...([] as string[]).concat(r.DependsOn ?? []),
      ...referencedIds(r.Properties ?? {}),
    ]);
    for (const d of direct) {
      if (seen.has(d) || !(d in template.Resources)) continue;
      seen.add(d);
      visit(d);
    }
  };
  visit(id);
  return seen;
}

/** Resources of a type, by logical id. */
export function resourcesOf(template: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

/** The value at a dotted path of a resource's properties. */
export function propertyAt(resource: CfnResource, dotted: string): unknown {
  let at: unknown = resource.Properties;
  for (const key of dotted.split('.')) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** Where a resource type takes its account-and-region-unique name, and how long it may be. */
export const NAMED_TYPES: readonly { type: string; property: string; max: number }[] = [
  { type: 'AWS::CloudWatch::Alarm', property: 'AlarmName', max: 255 },
  { type: 'AWS::CloudWatch::Dashboard', property: 'DashboardName', max: 255 },
  { type: 'AWS::SNS::Topic', property: 'TopicName', max: 256 },
  { type: 'AWS::SQS::Queue', property: 'QueueName', max: 80 },
  { type: 'AWS::DynamoDB::Table', property: 'TableName', max: 255 },
  { type: 'AWS::Logs::LogGroup', property: 'LogGroupName', max: 512 },
  { type: 'AWS::Logs::SubscriptionFilter', property: 'FilterName', max: 512 },
  { type: 'AWS::SecretsManager::Secret', property: 'Name', max: 512 },
  { type: 'AWS::SSM::Document', property: 'Name', max: 128 },
  { type: 'AWS::XRay::SamplingRule', property: 'SamplingRule.RuleName', max: 32 },
  { type: 'AWS::Lambda::Function', property: 'FunctionName', max: 64 },
  { type: 'AWS::IAM::Role', property: 'RoleName', max: 64 },
  { type: 'AWS::Events::Rule', property: 'Name', max: 64 },
  { type: 'AWS::OpenSearchService::Domain', property: 'DomainName', max: 28 },
];

/** A name a template gives a resource, with its limit. */
export interface PhysicalName {
  readonly type: string;
  readonly name: string;
  readonly max: number;
}

/**
 * Every name the template fixes (generated names, which embed the stack's own ids, are unique by
 * construction and left out), including the account-level CloudWatch Logs resource policy that
 * CDK's OpenSearch domain writes through a custom resource.
 */
export function physicalNames(template: CfnTemplate): PhysicalName[] {
  const names: PhysicalName[] = [];
  for (const { type, property, max } of NAMED_TYPES) {
    for (const [, r] of resourcesOf(template, type)) {
      const value = propertyAt(r, property);
      if (value === undefined) continue;
      const name = render(value, true);
      if (name !== undefined) names.push({ type, name, max });
    }
  }
  for (const [, r] of resourcesOf(template, 'Custom::CloudwatchLogResourcePolicy')) {
    const create = render(propertyAt(r, 'Create'));
    const match = create === undefined ? null : /"policyName":"([^"]+)"/.exec(create);
    if (match?.[1]) names.push({ type: 'CloudWatch Logs resource policy', name: match[1], max: 255 });
  }
  return names;
}

/** A resource-based or identity policy, its worst-case size and the limit AWS holds it to. */
export interface PolicySize {
  readonly what: string;
  readonly bytes: number;
  readonly limit: number;
}

const LAMBDA_POLICY_LIMIT = 20_480;
const IAM_ROLE_INLINE_LIMIT = 10_240;
const IAM_TRUST_LIMIT = 2_048;

/** Worst-case sizes of every policy the template writes, with AWS's limit for each. */
export function policySizes(template: CfnTemplate): PolicySize[] {
  const sizes: PolicySize[] = [];
  // Lambda: each permission becomes one statement of the function's resource policy.
  const byFunction = new Map<string, string[]>();
  for (const [id, r] of resourcesOf(template, 'AWS::Lambda::Permission')) {
    const target =
      [...referencedIds(propertyAt(r, 'FunctionName'))][0] ?? String(propertyAt(r, 'FunctionName'));
    const condition: Record<string, unknown> = {};
    const sourceArn = propertyAt(r, 'SourceArn');
    const sourceAccount = propertyAt(r, 'SourceAccount');
    if (sourceArn !== undefined) condition['ArnLike'] = { 'AWS:SourceArn': sourceArn };
    if (sourceAccount !== undefined) condition['StringEquals'] = { 'AWS:SourceAccount': sourceAccount };
    const statement = renderDocument({
      // CloudFormation names the statement after the permission's physical id: stack name, logical id, suffix.
      Sid: `Vigil-scale-${id}-ABCDEFGHIJKL`,
      Effect: 'Allow',
      Principal: { Service: propertyAt(r, 'Principal') },
      Action: propertyAt(r, 'Action'),
      Resource: propertyAt(r, 'FunctionName'),
      ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
    });
    byFunction.set(target, [...(byFunction.get(target) ?? []), statement]);
  }
  for (const [fn, statements] of byFunction) {
    const bytes = Buffer.byteLength(
      `{"Version":"2012-10-17","Id":"default","Statement":[${statements.join(',')}]}`,
    );
    sizes.push({
      what: `Lambda ${fn} resource policy (${statements.length} statements)`,
      bytes,
      limit: LAMBDA_POLICY_LIMIT,
    });
  }
  for (const [id, r] of resourcesOf(template, 'AWS::SNS::TopicPolicy')) {
    sizes.push({
      what: `SNS ${id}`,
      bytes: Buffer.byteLength(renderDocument(propertyAt(r, 'PolicyDocument'))),
      limit: 30_720,
    });
  }
  for (const [id, r] of resourcesOf(template, 'AWS::SQS::QueuePolicy')) {
    sizes.push({
      what: `SQS ${id}`,
      bytes: Buffer.byteLength(renderDocument(propertyAt(r, 'PolicyDocument'))),
      limit: 20_480,
    });
  }
  for (const [id, r] of resourcesOf(template, 'AWS::KMS::Key')) {
    sizes.push({
      what: `KMS ${id}`,
      bytes: Buffer.byteLength(renderDocument(propertyAt(r, 'KeyPolicy'))),
      limit: 32_768,
    });
  }
  // IAM counts characters without whitespace; the rendered documents are already minified.
  const inline = new Map<string, number>();
  for (const [, r] of resourcesOf(template, 'AWS::IAM::Policy')) {
    const size = renderDocument(propertyAt(r, 'PolicyDocument')).length;
    for (const role of referencedIds(propertyAt(r, 'Roles')))
      inline.set(role, (inline.get(role) ?? 0) + size);
  }
  for (const [id, r] of resourcesOf(template, 'AWS::IAM::Role')) {
    const own = ((propertyAt(r, 'Policies') as unknown[] | undefined) ?? []).reduce<number>(
      (n, p) => n + renderDocument((p as { PolicyDocument?: unknown }).PolicyDocument).length,
      0,
    );
    sizes.push({
      what: `IAM ${id} inline policies`,
      bytes: own + (inline.get(id) ?? 0),
      limit: IAM_ROLE_INLINE_LIMIT,
    });
    sizes.push({
      what: `IAM ${id} trust policy`,
      bytes: renderDocument(propertyAt(r, 'AssumeRolePolicyDocument')).length,
      limit: IAM_TRUST_LIMIT,
    });
  }
  for (const [id, r] of resourcesOf(template, 'Custom::CloudwatchLogResourcePolicy')) {
    const create = render(propertyAt(r, 'Create')) ?? '';
    const call = JSON.parse(create) as { parameters?: { policyDocument?: string } };
    sizes.push({
      what: `CloudWatch Logs resource policy ${id}`,
      bytes: (call.parameters?.policyDocument ?? '').length,
      limit: 5_120,
    });
  }
  // Not a policy, but a per-function cap that grows with the config: 4 KB of environment.
  for (const [id, r] of resourcesOf(template, 'AWS::Lambda::Function')) {
    const vars = (propertyAt(r, 'Environment.Variables') as Record<string, unknown> | undefined) ?? {};
    const bytes = Object.entries(vars).reduce(
      (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(render(v, false, template) ?? ''),
      0,
    );
    sizes.push({ what: `Lambda ${id} environment`, bytes, limit: 4_096 });
  }
  return sizes;
}
