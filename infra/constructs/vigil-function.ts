import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { BuildOptions } from 'esbuild';
import { shippedRuntimeConfig } from '../../shared/adapters/runtime-config-source';

/** Repository root, resolved from this file so synth works from any working directory. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** The entry file of the Lambda in `functions/<functionDir>/`. */
export function lambdaEntry(functionDir: string): string {
  return path.join(REPO_ROOT, 'functions', functionDir, 'handler.ts');
}

/** The environment every Lambda starts with, before its own bindings. */
export function lambdaBaseEnvironment(serviceName: string): Record<string, string> {
  return {
    POWERTOOLS_SERVICE_NAME: serviceName,
    POWERTOOLS_LOG_LEVEL: 'INFO',
    POWERTOOLS_LOGGER_LOG_EVENT: 'false',
    POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
    POWERTOOLS_METRICS_NAMESPACE: 'Vigil',
  };
}

/** Source of the tracing module that ships beside each bundle (see `sampledTracing`). */
export const TRACING_ENTRY = path.join(REPO_ROOT, 'shared', 'adapters', 'tracing.ts');

/** File name of that module in the deployed function; the handler requires it by this name. */
export const TRACING_CHUNK = 'tracing.js';

/**
 * How every Lambda is bundled: minified CJS with a source map, ES-module entry points first so the
 * SDK tree-shakes, and the SDK inside the bundle. The tracer is not in it: it ships as its own file
 * ({@link TRACING_CHUNK}, built with the same options) that sampled invocations load. The stack
 * deploys exactly this and the benchmark builds from it.
 */
export function lambdaBundling(
  define: Readonly<Record<string, string>> = {},
  options: { readonly tracingBeside?: boolean } = {},
): nodejs.BundlingOptions {
  const chunk: Record<string, string> =
    options.tracingBeside === false ? {} : { __VIGIL_TRACING_CHUNK__: JSON.stringify(TRACING_CHUNK) };
  return {
    minify: true,
    sourceMap: true,
    sourcesContent: false,
    target: 'node22',
    format: nodejs.OutputFormat.CJS,
    mainFields: ['module', 'main'],
    // Bundle the SDK: AWS recommends it for cold start, and it pins the version we test.
    bundleAwsSDK: true,
    define: { ...chunk, ...define },
    logLevel: nodejs.LogLevel.ERROR,
  };
}

/** The esbuild options of the tracing module written to `outDir`: the bundle's own, minus defines. */
export function tracingChunkOptions(outDir: string): ReturnType<typeof esbuildOptionsOf> {
  return esbuildOptionsOf(
    { ...lambdaBundling(), define: {} },
    TRACING_ENTRY,
    path.join(outDir, TRACING_CHUNK),
  );
}

const shellQuote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

/** The esbuild command line of {@link tracingChunkOptions}, run after NodejsFunction's own build. */
export function tracingChunkCommand(outDir: string): string {
  const o = tracingChunkOptions(outDir);
  const esbuild = path.join(path.dirname(require.resolve('esbuild/package.json')), 'bin', 'esbuild');
  const flags = [
    '--bundle',
    `--platform=${o.platform}`,
    `--format=${o.format}`,
    `--target=${String(o.target)}`,
    ...(o.minify === true ? ['--minify'] : []),
    ...(o.sourcemap === true ? ['--sourcemap', `--sources-content=${String(o.sourcesContent)}`] : []),
    ...(o.mainFields ? [`--main-fields=${o.mainFields.join(',')}`] : []),
    ...(o.external ?? []).map((e) => `--external:${e}`),
    `--log-level=${o.logLevel ?? 'warning'}`,
    `--outfile=${o.outfile}`,
  ];
  return [esbuild, ...flags, ...o.entryPoints].map(shellQuote).join(' ');
}

// The bundling options the translation below understands; anything else would be silently lost.
const TRANSLATED_BUNDLING_KEYS: ReadonlySet<string> = new Set([
  'minify',
  'sourceMap',
  'sourcesContent',
  'target',
  'format',
  'mainFields',
  'bundleAwsSDK',
  'define',
  'logLevel',
]);

/**
 * The esbuild API options NodejsFunction passes to the esbuild CLI for `bundling` (target,
 * platform node, format, minify, source map, sources content, externals, define, main fields).
 * Throws naming any option it cannot translate, so a build made from it never differs from the
 * deployed one without saying so.
 */
export function esbuildOptionsOf(
  bundling: nodejs.BundlingOptions,
  entry: string,
  outfile: string,
): BuildOptions & { entryPoints: string[]; outfile: string } {
  const unknown = Object.entries(bundling)
    .filter(([key, value]) => value !== undefined && !TRANSLATED_BUNDLING_KEYS.has(key))
    .map(([key]) => key);
  if (unknown.length > 0)
    throw new TypeError(`bundling option(s) not translated to esbuild: ${unknown.join(', ')}`);
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    ...(bundling.target !== undefined ? { target: bundling.target } : {}),
    ...(bundling.format !== undefined ? { format: bundling.format } : {}),
    minify: bundling.minify === true,
    sourcemap: bundling.sourceMap === true,
    sourcesContent: bundling.sourcesContent ?? true,
    external: bundling.bundleAwsSDK === true ? [] : ['@aws-sdk/*'],
    define: { ...bundling.define },
    ...(bundling.mainFields !== undefined ? { mainFields: [...bundling.mainFields] } : {}),
    ...(bundling.logLevel !== undefined ? { logLevel: bundling.logLevel } : {}),
  };
}

/** Properties of {@link VigilFunction}. */
export interface VigilFunctionProps {
  /** Folder name under `functions/` holding `handler.ts`. */
  readonly functionDir: string;
  /** Human description shown in the Lambda console. */
  readonly description: string;
  /** Powertools service name. */
  readonly serviceName: string;
  /** Extra environment variables, merged over the defaults. @default - none */
  readonly environment?: Record<string, string>;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /** Values inlined into the bundle at build time (esbuild `define`), already JSON-encoded. @default - none */
  readonly define?: Record<string, string>;
  /** Log retention of the function's log group. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** Tracer sampling is set by the X-Ray sampling rule; this toggles active tracing. @default true */
  readonly tracing?: boolean;
  /**
   * Ship the tracer beside the bundle, loaded by sampled invocations (`sampledTracing`). False for a
   * function that creates its tracer at init and so carries it inside. @default true
   */
  readonly tracingBeside?: boolean;
  /** Concurrency reserved for (and capping) this function. @default - unreserved: shares the account's pool */
  readonly reservedConcurrency?: number;
  /**
   * Runtime config shipped as a file next to the bundle and named by VIGIL_RUNTIME_CONFIG_FILE. A
   * file, not an esbuild `define`: a define is one command-line argument, which Linux caps at
   * 128 KiB, and a few hundred alarm targets make the config larger than that. @default - none
   */
  readonly runtimeConfig?: unknown;
}

/** Where the runtime config file lies in the deployed function (Lambda's task root). */
export const RUNTIME_CONFIG_PATH = '/var/task/runtime-config.json';

/**
 * Writes `config` once per content to a temporary file: the path to copy into a bundle, and the
 * define that lets the function skip validating exactly that file again (see `loadRuntimeConfig`).
 */
export function runtimeConfigFile(config: unknown): {
  readonly file: string;
  readonly define: Record<string, string>;
} {
  const shipped = shippedRuntimeConfig(config);
  const dir = path.join(tmpdir(), 'vigil-runtime-config');
  const file = path.join(dir, `${createHash('sha256').update(shipped.text).digest('hex')}.json`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, shipped.text);
  return {
    file,
    define:
      shipped.digest === undefined ? {} : { __VIGIL_RUNTIME_CONFIG_SHA256__: JSON.stringify(shipped.digest) },
  };
}

/**
 * The deployed bundling: {@link lambdaBundling}, then the tracing module built beside it and, when
 * given, the runtime config copied in.
 */
export function deployedBundling(
  define: Readonly<Record<string, string>> | undefined,
  config?: unknown,
  options: { readonly tracingBeside?: boolean } = {},
): nodejs.BundlingOptions {
  const tracingBeside = options.tracingBeside ?? true;
  const shipped = config === undefined ? undefined : runtimeConfigFile(config);
  const configFile = shipped?.file;
  return {
    ...lambdaBundling({ ...define, ...shipped?.define }, { tracingBeside }),
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (_inputDir, outputDir) => [
        ...(tracingBeside ? [tracingChunkCommand(outputDir)] : []),
        ...(configFile === undefined
          ? []
          : [`cp ${shellQuote(configFile)} ${shellQuote(path.join(outputDir, 'runtime-config.json'))}`]),
      ],
    },
  };
}

/**
 * The one way this project builds a Lambda: newest Node.js runtime, ARM64, active tracing,
 * Powertools environment, a retained log group, minified esbuild bundle with the SDK inside.
 * Intent methods grant access and set the matching environment variable together.
 */
export class VigilFunction extends Construct {
  /** The underlying function. */
  public readonly fn: nodejs.NodejsFunction;
  /** The function's log group (subscribed by the log pipeline). */
  public readonly logGroup: logs.LogGroup;
  /** The execution role: only what the intent methods grant, plus its own log group. */
  public readonly role: iam.Role;

  public constructor(scope: Construct, id: string, props: VigilFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // An explicit role instead of AWSLambdaBasicExecutionRole: logs go to this function's group only.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.functionDir}`,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn, `${this.logGroup.logGroupArn}:log-stream:*`],
      }),
    );
    this.fn = new nodejs.NodejsFunction(this, 'Fn', {
      role: this.role,
      entry: lambdaEntry(props.functionDir),
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: props.tracing === false ? lambda.Tracing.DISABLED : lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      environment: {
        ...lambdaBaseEnvironment(props.serviceName),
        ...(props.runtimeConfig !== undefined ? { VIGIL_RUNTIME_CONFIG_FILE: RUNTIME_CONFIG_PATH } : {}),
        ...props.environment,
      },
      bundling: deployedBundling(props.define, props.runtimeConfig, { tracingBeside: props.tracingBeside }),
      ...(props.reservedConcurrency !== undefined
        ? { reservedConcurrentExecutions: props.reservedConcurrency }
        : {}),
    });
    this.acknowledgeRequiredWildcards();
  }

  /**
   * Acknowledges the wildcards AWS itself requires: X-Ray segment APIs take no resource, and a
   * log stream name is only known at run time.
   */
  private acknowledgeRequiredWildcards(): void {
    const logGroupId = Stack.of(this).getLogicalId(this.logGroup.node.defaultChild as logs.CfnLogGroup);
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions',
    });
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logGroupId}.Arn>:log-stream:*]`,
      reason:
        "Log stream names are created by Lambda at run time; the grant is limited to this function's own log group",
    });
  }

  /** Adds (never overwrites) environment variables. */
  public addEnvironment(name: string, value: string): this {
    this.fn.addEnvironment(name, value);
    return this;
  }

  /** Grants item-level table actions (no index, no scan unless asked) and sets the table name. */
  public bindTable(
    table: dynamodb.ITable,
    actions: readonly string[],
    envName = 'ALERT_TABLE_NAME',
    options: { readonly indexes?: readonly string[]; readonly key?: kms.IKey } = {},
  ): this {
    const resources = [table.tableArn, ...(options.indexes ?? []).map((i) => `${table.tableArn}/index/${i}`)];
    this.role.addToPolicy(
      new iam.PolicyStatement({ actions: actions.map((a) => `dynamodb:${a}`), resources }),
    );
    if (options.key) this.useKey(options.key);
    return this.addEnvironment(envName, table.tableName);
  }

  /** Grants publish on a topic (and its key) and sets its ARN under `envName`. */
  public bindTopic(topic: sns.ITopic, envName: string, key?: kms.IKey): this {
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }));
    if (key) this.useKey(key);
    return this.addEnvironment(envName, topic.topicArn);
  }

  /** Grants send on a queue (and its key) and sets its URL under `envName`. */
  public bindQueue(queue: sqs.IQueue, envName: string, key?: kms.IKey): this {
    this.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }),
    );
    if (key) this.useKey(key);
    return this.addEnvironment(envName, queue.queueUrl);
  }

  /** Grants the data-key use an encrypted topic, queue or table needs; nothing broader. */
  public useKey(key: kms.IKey): this {
    this.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [key.keyArn] }),
    );
    return this;
  }

  /**
   * An on-failure destination that grants only sqs:SendMessage on the queue (CDK's own
   * SqsDestination grants wildcard KMS actions).
   */
  public static queueDestination(queue: sqs.IQueue, key?: kms.IKey): lambda.IDestination {
    return {
      bind: (_scope, fn) => {
        fn.addToRolePolicy(
          new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }),
        );
        if (key) {
          fn.addToRolePolicy(
            new iam.PolicyStatement({
              actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
              resources: [key.keyArn],
            }),
          );
        }
        return { destination: queue.queueArn };
      },
    };
  }
}
