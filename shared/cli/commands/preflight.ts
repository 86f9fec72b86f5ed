/** `preflight`: read-only checks of the account a stage is about to be deployed to. */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { loadStageConfig } from '../../../infra/config/stages';
import type { CliIo } from '../cli-support';
import { EXIT, parseFlags, positionals, printJson, usageError } from '../cli-support';
import type { CheckResult, PreflightClients } from '../preflight/checks';
import { runPreflight } from '../preflight/checks';
import { preflightPlan } from '../preflight/plan';
import { STAGE_ENV } from '../target';

/** Usage of `preflight`. */
export const PREFLIGHT_USAGE = `usage: vigil preflight [--stage S] [--region R] [--json]
  Read-only checks of the account and region before \`cdk deploy\` (and after it), with your
  credentials: CDK bootstrap, Lambda concurrency for the reserved functions, the log groups to
  subscribe (exist, a free subscription-filter slot) or to create (name free), SMS sandbox and
  spend limit, the OpenSearch service-linked role, the channel secrets (name free, then a value
  set), email subscriptions confirmed, mitigation runbooks and functions.
  Each check prints ok, warn or fail with the fix. Exit 0 when nothing fails, 1 when a check
  fails, 2 on bad usage.`;

const OPTIONS = {
  stage: { type: 'string' },
  region: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function clientsFor(region: string | undefined): PreflightClients {
  const config = region === undefined ? {} : { region };
  return {
    cloudformation: new CloudFormationClient(config),
    ssm: new SSMClient(config),
    logs: new CloudWatchLogsClient(config),
    sns: new SNSClient(config),
    iam: new IAMClient(config),
    secrets: new SecretsManagerClient(config),
    lambda: new LambdaClient(config),
  };
}

/** One line per check: status, check, what was found, and the fix. */
export function formatChecks(results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.check.length), 5);
  return results
    .map(
      (r) => `${r.status.padEnd(4)}  ${r.check.padEnd(width)}  ${r.detail}${r.fix ? ` | fix: ${r.fix}` : ''}`,
    )
    .join('\n');
}

/** Counts of each status. */
export function tally(results: readonly CheckResult[]): Record<CheckResult['status'], number> {
  const count = (s: CheckResult['status']) => results.filter((r) => r.status === s).length;
  return { ok: count('ok'), warn: count('warn'), fail: count('fail') };
}

/** Runs `vigil preflight`. */
export async function runPreflightCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals: rest } = parseFlags(argv, OPTIONS);
  if (values.help) {
    io.stdout(`${PREFLIGHT_USAGE}\n`);
    return EXIT.ok;
  }
  positionals(rest, []);
  const stage = values.stage ?? io.env[STAGE_ENV] ?? 'dev';
  let plan;
  try {
    plan = preflightPlan(loadStageConfig(stage));
  } catch (error) {
    throw usageError(`--stage ${stage}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const clients = clientsFor(values.region);
  try {
    const region = await clients.ssm.config.region();
    const results = await runPreflight(plan, clients, io.sleep ? { sleep: io.sleep } : {});
    const counts = tally(results);
    const ready = counts.fail === 0;
    if (values.json) {
      printJson(io, { stage, stack: plan.stackName, region, ready, counts, checks: results });
    } else {
      io.stdout(`preflight of stage ${stage} (${plan.stackName}) in ${region}\n`);
      io.stdout(`${formatChecks(results)}\n`);
      io.stdout(
        `${counts.fail} fail, ${counts.warn} warn, ${counts.ok} ok: ${ready ? 'ready to deploy' : 'not ready, fix each fail first'}\n`,
      );
    }
    return ready ? EXIT.ok : EXIT.failure;
  } finally {
    const { cloudformation, ssm, logs, sns, iam, secrets, lambda } = clients;
    for (const client of [cloudformation, ssm, logs, sns, iam, secrets, lambda]) client.destroy();
  }
}
