// Runs a built Lambda bundle in a fresh `node` process: require, one or more invocations, result.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { lambdaBaseEnvironment, REPO_ROOT, runtimeConfigFile } from '../../infra/constructs/vigil-function';
import type { BenchLambda, LambdaPeers } from './lambdas';

/** What the child reports once its invocations are done. */
export interface ProcessResult {
  /** Milliseconds from the process's time origin (its start) to the last invocation's result. */
  readonly msToResult: number;
  /** Milliseconds spent in the invocations alone, after the bundle was loaded. */
  readonly msInvoking: number;
  /** Peak resident set size of the process, bytes. */
  readonly maxRssBytes: number;
}

const MARK = '@@vigil-bench@@';

/**
 * The start of a runner script: plain CommonJS so no loader runs in the measured process. It reads
 * `bundle` and `events` from its arguments and defines `context(n)`, the Lambda context carrying
 * what middy, the Powertools logger and the forwarders read.
 */
export function runnerPrelude(requestIdPrefix: string): string {
  return `'use strict';
const { readFileSync } = require('node:fs');
const [bundle, eventsFile] = process.argv.slice(2);
const events = JSON.parse(readFileSync(eventsFile, 'utf8'));
const context = (n) => ({
  functionName: 'vigil-bench', functionVersion: '$LATEST', memoryLimitInMB: '256',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:vigil-bench',
  awsRequestId: '${requestIdPrefix}-' + process.pid + '-' + n, logGroupName: '/aws/lambda/vigil-bench',
  logStreamName: 'bench', callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 30000, done() {}, fail() {}, succeed() {},
});
`;
}

const RUNNER = `${runnerPrelude('bench')}const report = (body) => process.stdout.write('\\n${MARK}' + JSON.stringify(body) + '\\n');
(async () => {
  const { handler } = require(bundle);
  const loaded = performance.now();
  let result;
  for (let n = 0; n < events.length; n++) result = await handler(events[n], context(n));
  const done = performance.now();
  if (result && Array.isArray(result.batchItemFailures) && result.batchItemFailures.length > 0)
    throw new Error('invocation reported failures: ' + JSON.stringify(result));
  report({ ok: true, msToResult: done, msInvoking: done - loaded, maxRssBytes: process.resourceUsage().maxRSS * 1024 });
})().catch((error) => report({ ok: false, error: String((error && error.stack) || error) }));
`;

/** Writes the runner script into `dir` and returns its path. */
export function writeRunner(dir: string): string {
  const file = path.join(dir, 'lambda-runner.cjs');
  writeFileSync(file, RUNNER);
  return file;
}

/** The environment of a Lambda process: the stack's base, the function's bindings, the peers. */
export function lambdaProcessEnvironment(lambda: BenchLambda, peers: LambdaPeers): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    ...lambdaBaseEnvironment(lambda.functionDir),
    ...lambda.environment(peers),
    // The file the stack ships beside the bundle; the build's digest names exactly this content.
    ...(lambda.runtimeConfig === undefined
      ? {}
      : { VIGIL_RUNTIME_CONFIG_FILE: runtimeConfigFile(lambda.runtimeConfig).file }),
    AWS_REGION: 'eu-west-1',
    AWS_DEFAULT_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_ENDPOINT_URL: peers.awsUrl,
    AWS_ENDPOINT_URL_DYNAMODB: peers.dynamoEndpoint,
    // No X-Ray daemon here: the tracer loads but does not emit segments.
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_LOG_LEVEL: 'WARN',
    // The naive build requires the SDK from the repository's node_modules.
    NODE_PATH: path.join(REPO_ROOT, 'node_modules'),
  };
}

/**
 * What Lambda adds to the environment of an invocation X-Ray samples, with active tracing on: the
 * tracer then loads and records (its segments go to a daemon address nobody listens on).
 */
export function sampledInvocationEnvironment(taskRoot: string): Record<string, string> {
  return {
    POWERTOOLS_TRACE_ENABLED: 'true',
    _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_FUNCTION_NAME: 'vigil-bench',
    LAMBDA_TASK_ROOT: taskRoot,
  };
}

/** Spawns `node runner bundle events` and resolves with the child's report; rejects on failure. */
export async function runLambdaProcess(
  runner: string,
  bundle: string,
  eventsFile: string,
  env: Record<string, string>,
  timeoutMs = 120_000,
): Promise<ProcessResult> {
  const child = spawn(process.execPath, [runner, bundle, eventsFile], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  return new Promise<ProcessResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${bundle} gave no result within ${timeoutMs} ms; stderr: ${stderr.slice(-500)}`));
    }, timeoutMs);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const at = stdout.indexOf(MARK);
      const end = at < 0 ? -1 : stdout.indexOf('\n', at);
      if (end < 0) return;
      clearTimeout(timer);
      // Keep-alive sockets would hold the process open; the result is in.
      child.kill('SIGKILL');
      const body = JSON.parse(stdout.slice(at + MARK.length, end)) as
        ({ ok: true } & ProcessResult) | { ok: false; error: string };
      if (body.ok) resolve(body);
      else reject(new Error(`${bundle} failed: ${body.error}`));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!stdout.includes(MARK)) {
        reject(new Error(`${bundle} exited (${code}) without a result; stderr: ${stderr.slice(-500)}`));
      }
    });
  });
}
