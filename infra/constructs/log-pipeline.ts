import {
  ArnFormat,
  CfnElement,
  CustomResource,
  Duration,
  Lazy,
  RemovalPolicy,
  Stack,
  Token,
  Validations,
} from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { IConstruct } from 'constructs';
import { DEFAULT_BULK_LIMITS } from '../../shared/logs/bulk-chunks';
import {
  LOG_READER_ROLE,
  LOG_RETENTION_POLICY_ID,
  LOG_TEMPLATE_NAME,
  LOG_WRITER_ROLE,
} from '../../shared/logs/index-template';
import { isLogCategory, LOG_CATEGORIES } from '../../shared/logs/log-document';
import { deriveServiceFromLogGroup } from '../../shared/logs/log-group-service';
import type { LogCategory } from '../../shared/logs/log-document';
import { VigilFunction } from './vigil-function';

/** A new OpenSearch domain, sized per stage. */
export interface NewLogDomainProps {
  /** Discriminator: create a domain. */
  readonly kind: 'create';
  /** Data nodes (a multiple of `availabilityZones`). */
  readonly dataNodes: number;
  /** e.g. `t3.small.search` in dev, `r7g.large.search` in prod. */
  readonly dataNodeInstanceType: string;
  /** gp3 volume per data node, in GiB (10 or more). */
  readonly volumeSizeGiB: number;
  /** Dedicated cluster manager nodes (3 or 5). @default - none: data nodes also manage the cluster */
  readonly dedicatedMasterNodes?: number;
  /** Instance type of the dedicated cluster manager nodes. @default 'm7g.large.search' when `dedicatedMasterNodes` is set */
  readonly masterNodeInstanceType?: string;
  /** Availability zones to spread nodes over (1, 2 or 3). @default 1 */
  readonly availabilityZones?: number;
  /** What happens to the domain when it leaves the stack. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/** An existing domain, reached by endpoint (its access control is managed elsewhere). */
export interface ImportedLogDomainProps {
  /** Discriminator: use an existing domain. */
  readonly kind: 'import';
  /** The domain endpoint, `https://search-<name>-<id>.<region>.es.amazonaws.com`. */
  readonly endpoint: string;
  /** Create the pipeline's fine-grained access roles on it (needs this stack to be its master user). @default false */
  readonly manageSecurity?: boolean;
}

/** An extra log group to subscribe, e.g. one of the pipeline's own functions. */
export interface ExtraLogGroup {
  /** The log group. */
  readonly logGroup: logs.ILogGroup;
  /** Index family its lines go to. */
  readonly category: LogCategory;
  /** Service of lines that name none. @default - derived from the group's name (deriveServiceFromLogGroup) */
  readonly service?: string;
}

/** A log group to subscribe by name, with the service of its lines that name none. */
export interface NamedLogGroup {
  /** The log group's name. */
  readonly name: string;
  /** Service of lines that name none. @default - derived from the name (deriveServiceFromLogGroup) */
  readonly service?: string;
}

/** Properties of {@link LogPipeline}. */
export interface LogPipelineProps {
  /** Create a domain (sizes per stage) or import one by endpoint. */
  readonly domain: NewLogDomainProps | ImportedLogDomainProps;
  /**
   * Log groups to subscribe, by category: a name (its service derived by deriveServiceFromLogGroup)
   * or a name with its service. @default - none
   */
  readonly logGroupNames?: Partial<Record<LogCategory, readonly (string | NamedLogGroup)[]>>;
  /** Further log groups with their category, e.g. the pipeline's own Lambdas. @default - none */
  readonly extraLogGroups?: readonly ExtraLogGroup[];
  /** Category for lines from a log group the indexer has no mapping for. @default 'application' */
  readonly defaultCategory?: LogCategory;
  /** Days a daily log index is kept before ISM deletes it. @default 30 */
  readonly retentionDays?: number;
  /** Replicas per shard. @default - 1 when the new domain has 2 or more data nodes, else 0; 1 for an imported domain */
  readonly replicas?: number;
  /** Primary shards per daily index. @default 1 */
  readonly shardsPerIndex?: number;
  /** Roles that may search `logs-*` (operators' CLI, incident diagnostics). @default - none */
  readonly readers?: readonly iam.IRole[];
  /** Key for the dead-letter queue. @default - SQS-managed encryption */
  readonly deadLetterKey?: kms.IKey;
  /** Upper bound of one bulk request body, in bytes (under 10 MiB). @default 5 MiB */
  readonly bulkMaxBytes?: number;
  /** Reserved concurrency of the indexer, to cap the load on the domain. @default - unreserved */
  readonly indexerConcurrency?: number;
  /**
   * Create the `logGroupNames` groups in this stack instead of subscribing existing ones (which must
   * then exist, with a free subscription-filter slot, before deploy). @default false
   */
  readonly createLogGroups?: boolean;
  /** What happens to created log groups (and the domain's own) when they leave the stack. @default RemovalPolicy.RETAIN */
  readonly logGroupRemovalPolicy?: RemovalPolicy;
}

const TEN_MIB = 10 * 1024 * 1024;
// The indexer's log-group-to-category map lives in its environment, which Lambda caps at 4 KB in all.
const CATEGORY_MAP_BUDGET = 3_000;
// A log group name that is a token is a Lambda's own: /aws/lambda/ and a generated name of up to 64.
const TOKEN_LOG_GROUP_NAME = 12 + 64;
// Construct id of the stack-wide function behind CDK's AwsCustomResource (used by the domain).
const AWS_CUSTOM_RESOURCE_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

/**
 * CloudWatch Logs -> OpenSearch: subscription filters on the configured log groups, the indexer
 * Lambda, the domain (or an imported one), the index template and ISM retention applied at deploy
 * time, and an encrypted dead-letter queue for lines the domain rejects.
 */
export class LogPipeline extends Construct {
  /** The indexer function. */
  public readonly indexer: VigilFunction;
  /** Rejected documents and undecodable payloads, with their reason. */
  public readonly deadLetterQueue: sqs.Queue;
  /** The domain written to. */
  public readonly domain: opensearch.IDomain;
  /** `https://` endpoint of the domain, for the CLI and diagnostics. */
  public readonly endpoint: string;
  /** The custom resource that applies the index template, retention and roles. */
  public readonly indexSetup: CustomResource;
  private readonly readerArns: string[] = [];
  private readonly categories: Record<string, LogCategory> = {};
  private readonly services: Record<string, string> = {};
  private subscriptionCount = 0;
  private readonly logsInvokePermission: lambda.CfnPermission;

  public constructor(scope: Construct, id: string, props: LogPipelineProps) {
    super(scope, id);
    validate(props);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption:
        props.deadLetterKey === undefined ? sqs.QueueEncryption.SQS_MANAGED : sqs.QueueEncryption.KMS,
      ...(props.deadLetterKey !== undefined ? { encryptionMasterKey: props.deadLetterKey } : {}),
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter store of the log pipeline; messages are inspected, not consumed.',
    });

    const setup = new VigilFunction(this, 'IndexSetup', {
      functionDir: 'log-index-setup',
      description: 'Applies the log index template, ISM retention and access roles',
      serviceName: 'log-index-setup',
      timeout: Duration.minutes(2),
    });

    let domain: opensearch.IDomain;
    if (props.domain.kind === 'create') {
      domain = this.createDomain(props.domain, setup, props.logGroupRemovalPolicy ?? RemovalPolicy.RETAIN);
      this.endpoint = `https://${domain.domainEndpoint}`;
    } else {
      domain = opensearch.Domain.fromDomainEndpoint(this, 'Domain', props.domain.endpoint);
      this.endpoint = props.domain.endpoint;
    }
    this.domain = domain;

    this.indexer = new VigilFunction(this, 'Indexer', {
      functionDir: 'log-indexer',
      description: 'Indexes CloudWatch Logs subscription payloads into OpenSearch',
      serviceName: 'log-indexer',
      timeout: Duration.minutes(2),
      memorySize: 512,
      environment: {
        OPENSEARCH_ENDPOINT: this.endpoint,
        DEFAULT_LOG_CATEGORY: props.defaultCategory ?? 'application',
        BULK_MAX_BYTES: String(props.bulkMaxBytes ?? DEFAULT_BULK_LIMITS.maxBytes),
        LOG_GROUP_CATEGORIES: Lazy.string({ produce: () => Stack.of(this).toJsonString(this.categories) }),
        LOG_GROUP_SERVICES: Lazy.string({ produce: () => Stack.of(this).toJsonString(this.services) }),
      },
    });
    this.indexer.bindQueue(this.deadLetterQueue, 'DEAD_LETTER_QUEUE_URL', props.deadLetterKey);
    this.node.addValidation({
      validate: () => {
        const bytes = Object.entries(this.categories).reduce(
          (n, [name, category]) =>
            n +
            (Token.isUnresolved(name) ? TOKEN_LOG_GROUP_NAME : Buffer.byteLength(name)) +
            category.length +
            6,
          2,
        );
        return bytes > CATEGORY_MAP_BUDGET
          ? [
              `LogPipeline logGroupNames: ${Object.keys(this.categories).length} subscribed log groups take about ${bytes} bytes of the indexer's environment (at most ${CATEGORY_MAP_BUDGET} of Lambda's 4 KB); subscribe fewer`,
            ]
          : [];
      },
    });
    const cfnIndexer = this.indexer.fn.node.defaultChild;
    if (props.indexerConcurrency !== undefined && cfnIndexer instanceof lambda.CfnFunction) {
      cfnIndexer.reservedConcurrentExecutions = props.indexerConcurrency;
    }
    // Subscriptions invoke asynchronously: a payload that still fails after Lambda's retries lands here too.
    this.indexer.fn.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: VigilFunction.queueDestination(this.deadLetterQueue, props.deadLetterKey),
    });
    this.indexer.fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['es:ESHttpPost', 'es:ESHttpPut', 'es:ESHttpGet'],
        resources: [`${domain.domainArn}/_bulk`, `${domain.domainArn}/logs-*`],
      }),
    );
    this.acknowledgeLogsWildcard(this.indexer);

    // Exactly the documents the setup function writes: no wildcard.
    setup.fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['es:ESHttpGet', 'es:ESHttpPut'],
        resources: [
          `${domain.domainArn}/_index_template/${LOG_TEMPLATE_NAME}`,
          `${domain.domainArn}/_plugins/_ism/policies/${LOG_RETENTION_POLICY_ID}`,
          ...[LOG_WRITER_ROLE, LOG_READER_ROLE].flatMap((role) => [
            `${domain.domainArn}/_plugins/_security/api/roles/${role}`,
            `${domain.domainArn}/_plugins/_security/api/rolesmapping/${role}`,
          ]),
        ],
      }),
    );
    const provider = new cr.Provider(this, 'IndexSetupProvider', {
      onEventHandler: setup.fn,
      logGroup: new logs.LogGroup(this, 'IndexSetupProviderLogs', {
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
    });
    Validations.of(provider).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        'The CDK Provider framework function only writes its own logs; the managed policy is exactly that.',
    });
    Validations.of(provider).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(this, setup.fn)}.Arn>:*]`,
      reason: 'The Provider framework may invoke any version of the setup function, and only that function.',
    });
    const manageSecurity = props.domain.kind === 'create' || props.domain.manageSecurity === true;
    const replicas =
      props.replicas ?? (props.domain.kind === 'create' ? (props.domain.dataNodes > 1 ? 1 : 0) : 1);
    this.indexSetup = new CustomResource(this, 'IndexSetupResource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::VigilLogIndexSetup',
      properties: {
        Endpoint: this.endpoint,
        RetentionDays: String(props.retentionDays ?? 30),
        Replicas: String(replicas),
        Shards: String(props.shardsPerIndex ?? 1),
        ManageSecurity: String(manageSecurity),
        WriterRoleArns: [this.indexer.fn.role?.roleArn ?? ''],
        ReaderRoleArns: Lazy.list({ produce: () => this.readerArns }),
      },
    });
    // The domain's access policy is applied by a custom resource of its own: without it the setup's
    // requests are refused on a first deploy.
    this.indexSetup.node.addDependency(domain);

    // One permission for every subscribed log group of the account and region: a permission per
    // group would grow the indexer's resource policy (capped at 20 KB) with each one.
    const stack = Stack.of(this);
    this.logsInvokePermission = new lambda.CfnPermission(this, 'InvokeFromLogs', {
      action: 'lambda:InvokeFunction',
      functionName: this.indexer.fn.functionArn,
      principal: 'logs.amazonaws.com',
      sourceAccount: stack.account,
      sourceArn: stack.formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: '*',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    });

    for (const reader of props.readers ?? []) this.grantSearch(reader);
    for (const category of LOG_CATEGORIES) {
      (props.logGroupNames?.[category] ?? []).forEach((entry) => {
        const name = typeof entry === 'string' ? entry : entry.name;
        const id = `Source${this.subscriptionCount}`;
        this.subscribe(
          props.createLogGroups === true
            ? new logs.LogGroup(this, id, {
                logGroupName: name,
                retention: retentionOf(props.retentionDays ?? 30),
                removalPolicy: props.logGroupRemovalPolicy ?? RemovalPolicy.RETAIN,
              })
            : logs.LogGroup.fromLogGroupName(this, id, name),
          category,
          typeof entry === 'string' ? undefined : entry.service,
        );
      });
    }
    for (const extra of props.extraLogGroups ?? []) {
      if (extra.logGroup === this.indexer.logGroup) {
        throw new Error(
          'LogPipelineProps.extraLogGroups must not contain the indexer log group (it would index itself)',
        );
      }
      this.subscribe(extra.logGroup, extra.category, extra.service);
    }
  }

  /** Lets `role` search `logs-*` (IAM and, on a managed domain, the fine-grained reader role). */
  public grantSearch(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['es:ESHttpGet', 'es:ESHttpPost'],
        resources: [`${this.domain.domainArn}/logs-*`],
      }),
    );
    this.acknowledgeLogsWildcard(role);
    this.readerArns.push(role.roleArn);
  }

  private acknowledgeLogsWildcard(scope: Construct): void {
    const child = this.domain.node.defaultChild;
    const name = this.domain.domainName;
    let resource: string;
    if (child !== undefined) resource = `<${logicalIdOf(this, child)}.Arn>/logs-*`;
    else if (!Token.isUnresolved(name))
      resource = `arn:<AWS::Partition>:es:<AWS::Region>:<AWS::AccountId>:domain/${name}/logs-*`;
    else return;
    Validations.of(scope).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${resource}]`,
      reason:
        'Log indices are created daily (logs-<category>-YYYY.MM.DD); the wildcard is limited to that prefix.',
    });
  }

  /**
   * Subscribes a log group; its lines are indexed under `category`, and a line that names no
   * service gets `service` (or the one derived from the group's name; at run time when the name
   * is only known then). The filter comes after the invoke permission and the index setup, so no
   * line arrives before its index template.
   */
  public subscribe(logGroup: logs.ILogGroup, category: LogCategory, service?: string): void {
    const name = logGroup.logGroupName;
    this.categories[name] = category;
    const known = service ?? (Token.isUnresolved(name) ? undefined : deriveServiceFromLogGroup(name));
    if (known !== undefined) this.services[name] = known;
    const indexer = this.indexer.fn;
    const filter = new logs.SubscriptionFilter(this, `Subscription${this.subscriptionCount}`, {
      logGroup,
      destination: { bind: () => ({ arn: indexer.functionArn }) },
      filterPattern: logs.FilterPattern.allEvents(),
    });
    filter.node.addDependency(this.logsInvokePermission, this.indexSetup);
    this.subscriptionCount += 1;
  }

  private createDomain(
    props: NewLogDomainProps,
    setup: VigilFunction,
    logRemoval: RemovalPolicy,
  ): opensearch.Domain {
    // The domain's own logs, in groups this stack owns and removes with it (CDK's default keeps them).
    const domainLogs = (id: string) =>
      new logs.LogGroup(this, id, { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: logRemoval });
    const zones = props.availabilityZones ?? 1;
    const masters = props.dedicatedMasterNodes;
    const domain = new opensearch.Domain(this, 'Domain', {
      version: opensearch.EngineVersion.OPENSEARCH_2_19,
      capacity: {
        dataNodes: props.dataNodes,
        dataNodeInstanceType: props.dataNodeInstanceType,
        multiAzWithStandbyEnabled: false,
        ...(masters !== undefined
          ? {
              masterNodes: masters,
              masterNodeInstanceType: props.masterNodeInstanceType ?? 'm7g.large.search',
            }
          : {}),
      },
      ebs: { volumeSize: props.volumeSizeGiB, volumeType: ec2.EbsDeviceVolumeType.GP3 },
      zoneAwareness: zones > 1 ? { enabled: true, availabilityZoneCount: zones } : { enabled: false },
      encryptionAtRest: { enabled: true },
      nodeToNodeEncryption: true,
      enforceHttps: true,
      tlsSecurityPolicy: opensearch.TLSSecurityPolicy.TLS_1_2,
      // The setup function is the master user: it creates the narrower writer/reader roles at deploy time.
      fineGrainedAccessControl: { masterUserArn: setup.fn.role?.roleArn ?? '' },
      logging: {
        slowSearchLogEnabled: true,
        slowSearchLogGroup: domainLogs('DomainSlowSearchLogs'),
        slowIndexLogEnabled: true,
        slowIndexLogGroup: domainLogs('DomainSlowIndexLogs'),
        appLogEnabled: true,
        appLogGroup: domainLogs('DomainAppLogs'),
      },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    // Only this account's IAM principals, and of those only the ones whose identity policy allows it.
    domain.addAccessPolicies(
      new iam.PolicyStatement({
        principals: [new iam.AccountPrincipal(Stack.of(this).account)],
        actions: ['es:ESHttp*'],
        resources: [`${domain.domainArn}/*`],
      }),
    );
    Validations.of(domain).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'CDK sets the domain log publishing resource policy with logs:PutResourcePolicy, which has no resource scope.',
    });
    const awsCustomResource = Stack.of(this).node.tryFindChild(AWS_CUSTOM_RESOURCE_ID);
    if (awsCustomResource !== undefined) {
      Validations.of(awsCustomResource).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          'CDK AwsCustomResource singleton that sets the domain log and access policies; it only writes its own logs.',
      });
    }
    Validations.of(domain).acknowledge({
      id: 'AwsSolutions-OS1',
      reason:
        'Public endpoint by design: every request is SigV4-signed and authorised by IAM plus fine-grained access control; the pipeline Lambdas run outside a VPC.',
    });
    Validations.of(domain).acknowledge({
      id: 'AwsSolutions-OS3',
      reason:
        'Access is restricted by IAM identity policies and fine-grained access control rather than source IPs.',
    });
    if (masters === undefined) {
      Validations.of(domain).acknowledge({
        id: 'AwsSolutions-OS4',
        reason:
          'This stage sizes the domain without dedicated cluster manager nodes (set dedicatedMasterNodes).',
      });
    }
    if (zones < 2) {
      Validations.of(domain).acknowledge({
        id: 'AwsSolutions-OS7',
        reason: 'This stage runs the domain in one availability zone (set availabilityZones).',
      });
    }
    return domain;
  }
}

// Log retention values CloudWatch Logs accepts, shortest first.
const RETENTION_DAYS: readonly logs.RetentionDays[] = Object.values(logs.RetentionDays)
  .filter((d): d is logs.RetentionDays => typeof d === 'number' && Number(d) > 0)
  .sort((a, b) => Number(a) - Number(b));

/** The shortest retention CloudWatch Logs offers that keeps lines at least `days`. */
function retentionOf(days: number): logs.RetentionDays {
  return RETENTION_DAYS.find((d) => Number(d) >= days) ?? logs.RetentionDays.INFINITE;
}

function logicalIdOf(scope: Construct, construct: IConstruct): string {
  const element = construct instanceof CfnElement ? construct : construct.node.defaultChild;
  return element instanceof CfnElement ? Stack.of(scope).getLogicalId(element) : '';
}

function validate(props: LogPipelineProps): void {
  const { domain } = props;
  if (domain.kind === 'create') {
    if (!Number.isInteger(domain.dataNodes) || domain.dataNodes < 1) {
      throw new Error(
        `LogPipelineProps.domain.dataNodes must be a positive integer, got ${domain.dataNodes}`,
      );
    }
    if (!Number.isInteger(domain.volumeSizeGiB) || domain.volumeSizeGiB < 10) {
      throw new Error(
        `LogPipelineProps.domain.volumeSizeGiB must be an integer of at least 10, got ${domain.volumeSizeGiB}`,
      );
    }
    const zones = domain.availabilityZones ?? 1;
    if (![1, 2, 3].includes(zones) || domain.dataNodes % zones !== 0) {
      throw new Error('LogPipelineProps.domain.availabilityZones must be 1, 2 or 3 and divide dataNodes');
    }
    if (domain.dedicatedMasterNodes !== undefined && ![3, 5].includes(domain.dedicatedMasterNodes)) {
      throw new Error('LogPipelineProps.domain.dedicatedMasterNodes must be 3 or 5');
    }
  } else if (!/^https:\/\/[^/\s]+$/.test(domain.endpoint) && !domain.endpoint.startsWith('${Token')) {
    throw new Error(`LogPipelineProps.domain.endpoint must be https://<host>, got ${domain.endpoint}`);
  }
  const retention = props.retentionDays ?? 30;
  if (!Number.isInteger(retention) || retention < 1) {
    throw new Error(`LogPipelineProps.retentionDays must be a positive integer, got ${retention}`);
  }
  const bulk = props.bulkMaxBytes ?? DEFAULT_BULK_LIMITS.maxBytes;
  if (!Number.isInteger(bulk) || bulk < 64 * 1024 || bulk >= TEN_MIB) {
    throw new Error(`LogPipelineProps.bulkMaxBytes must be from 64 KiB to under 10 MiB, got ${bulk}`);
  }
  const seen = new Set<string>();
  for (const [category, names] of Object.entries(props.logGroupNames ?? {})) {
    if (!isLogCategory(category))
      throw new Error(`LogPipelineProps.logGroupNames has unknown category ${category}`);
    for (const entry of names ?? []) {
      const name = typeof entry === 'string' ? entry : entry.name;
      if (name.trim() === '') throw new Error(`LogPipelineProps.logGroupNames.${category} has an empty name`);
      if (typeof entry !== 'string' && entry.service !== undefined && entry.service.trim() === '') {
        throw new Error(`LogPipelineProps.logGroupNames.${category}: ${name} has an empty service`);
      }
      if (seen.has(name)) throw new Error(`LogPipelineProps.logGroupNames lists ${name} twice`);
      seen.add(name);
    }
  }
}
