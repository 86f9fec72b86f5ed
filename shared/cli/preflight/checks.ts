/**
 * Read-only checks of an account before (and after) a stage's first deploy, with the operator's
 * credentials. Each answer is ok, warn (deploys, but something needs doing, or could not be
 * checked) or fail (the deploy or the pipeline would fail), with the fix in one line.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeLogGroupsCommand,
  DescribeSubscriptionFiltersCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import type { IAMClient } from '@aws-sdk/client-iam';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { GetAccountSettingsCommand, GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { SNSClient } from '@aws-sdk/client-sns';
import {
  GetSMSAttributesCommand,
  GetSMSSandboxAccountStatusCommand,
  ListSMSSandboxPhoneNumbersCommand,
  ListSubscriptionsByTopicCommand,
} from '@aws-sdk/client-sns';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { DescribeDocumentCommand, GetParameterCommand } from '@aws-sdk/client-ssm';
import { OUTPUT_KEYS } from '../../../infra/config/outputs';
import { SECRET_PLACEHOLDER_PREFIX } from '../../adapters/secrets';
import { readStackOutputs } from '../stack-outputs';
import type { PlannedSecret, PreflightPlan } from './plan';
import {
  BOOTSTRAP_VERSION_PARAMETER,
  LAMBDA_UNRESERVED_MINIMUM,
  MIN_BOOTSTRAP_VERSION,
  OPENSEARCH_SERVICE_ROLE,
} from './plan';

/** How a check came out. */
export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One check's answer. */
export interface CheckResult {
  /** Short name of the check, e.g. `log-group`. */
  readonly check: string;
  readonly status: CheckStatus;
  /** What was found. */
  readonly detail: string;
  /** What to do, in one line (warn and fail). */
  readonly fix?: string;
}

/** The SDK clients the checks read through (each created once, with the operator's credentials). */
export interface PreflightClients {
  readonly cloudformation: CloudFormationClient;
  readonly ssm: SSMClient;
  readonly logs: CloudWatchLogsClient;
  readonly sns: SNSClient;
  readonly iam: IAMClient;
  readonly secrets: SecretsManagerClient;
  readonly lambda: LambdaClient;
}

/** Options of {@link runPreflight}. */
export interface PreflightOptions {
  /** Tries of a throttled call before the check gives up. @default 4 */
  readonly attempts?: number;
  /** Waits between tries (tests pass one that does not wait). @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

const THROTTLED = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
]);
const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'AuthorizationError',
  'AuthorizationErrorException',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
]);

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return undefined;
  const meta = (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata;
  return typeof meta?.httpStatusCode === 'number' ? meta.httpStatusCode : undefined;
}

/** A call the checks could not make: throttled past its tries, denied, or failed otherwise. */
class Unchecked extends Error {
  public constructor(
    public readonly action: string,
    public readonly kind: 'throttled' | 'denied' | 'error',
    cause: unknown,
  ) {
    super(`${action}: ${errorName(cause)}`, { cause });
    this.name = 'Unchecked';
  }
}

function uncheckedResult(check: string, subject: string, e: Unchecked): CheckResult {
  if (e.kind === 'throttled') {
    return {
      check,
      status: 'warn',
      detail: `${subject}: not checked, ${e.action} was throttled on every try`,
      fix: 'run vigil preflight again in a minute',
    };
  }
  if (e.kind === 'denied') {
    return {
      check,
      status: 'warn',
      detail: `${subject}: not checked, ${e.action} was denied (${errorName(e.cause)})`,
      fix: `run it with credentials allowed ${e.action}`,
    };
  }
  return {
    check,
    status: 'warn',
    detail: `${subject}: not checked, ${e.action} failed (${errorName(e.cause)})`,
    fix: 'run vigil preflight again; if it persists, check the region and the service status',
  };
}

/** Runs every check of the plan; never throws for an AWS answer (it becomes a warn). */
export async function runPreflight(
  plan: PreflightPlan,
  clients: PreflightClients,
  options: PreflightOptions = {},
): Promise<CheckResult[]> {
  const attempts = options.attempts ?? 4;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

  // Throttling is retried with backoff; the answers every check expects pass through `expected`.
  async function call<T>(
    action: string,
    send: () => Promise<T>,
    expected: readonly string[] = [],
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await send();
      } catch (error) {
        const name = errorName(error);
        // No credentials at all: every check would say the same; the command stops with one line.
        if (expected.includes(name) || name === 'CredentialsProviderError') throw error;
        if (THROTTLED.has(name) || statusOf(error) === 429) {
          if (attempt < attempts) {
            await sleep(200 * 2 ** attempt);
            continue;
          }
          throw new Unchecked(action, 'throttled', error);
        }
        if (DENIED.has(name) || statusOf(error) === 403) throw new Unchecked(action, 'denied', error);
        throw new Unchecked(action, 'error', error);
      }
    }
  }

  const results: CheckResult[] = [];
  const check = async (name: string, subject: string, body: () => Promise<CheckResult | CheckResult[]>) => {
    try {
      const out = await body();
      results.push(...(Array.isArray(out) ? out : [out]));
    } catch (error) {
      if (error instanceof Unchecked) results.push(uncheckedResult(name, subject, error));
      else throw error;
    }
  };

  // The stack: absent before the first deploy; its outputs name what the later checks read.
  let outputs: Readonly<Record<string, string>> | undefined;
  let stackKnown = false;
  await check('stack', plan.stackName, async () => {
    outputs = await call('cloudformation:DescribeStacks', () =>
      readStackOutputs(clients.cloudformation, plan.stage),
    );
    stackKnown = true;
    return {
      check: 'stack',
      status: 'ok',
      detail:
        outputs === undefined
          ? `${plan.stackName} is not deployed yet: this is a first deploy`
          : `${plan.stackName} is deployed: checking what follows a deploy too`,
    };
  });
  const deployed = outputs !== undefined;

  await check('cdk-bootstrap', BOOTSTRAP_VERSION_PARAMETER, async () => {
    const bootstrapFix =
      'npx cdk bootstrap aws://<account>/<region> (with this repository, so the CLI is recent)';
    try {
      const out = await call(
        'ssm:GetParameter',
        () => clients.ssm.send(new GetParameterCommand({ Name: BOOTSTRAP_VERSION_PARAMETER })),
        ['ParameterNotFound'],
      );
      const version = Number(out.Parameter?.Value);
      if (!Number.isInteger(version) || version < MIN_BOOTSTRAP_VERSION) {
        return {
          check: 'cdk-bootstrap',
          status: 'fail',
          detail: `bootstrap version ${out.Parameter?.Value ?? '?'}, the templates need ${MIN_BOOTSTRAP_VERSION} or newer`,
          fix: bootstrapFix,
        };
      }
      return {
        check: 'cdk-bootstrap',
        status: 'ok',
        detail: `bootstrap version ${version} (the templates need ${MIN_BOOTSTRAP_VERSION} or newer)`,
      };
    } catch (error) {
      if (errorName(error) !== 'ParameterNotFound') throw error;
      return {
        check: 'cdk-bootstrap',
        status: 'fail',
        detail: 'this account and region are not bootstrapped for CDK',
        fix: bootstrapFix,
      };
    }
  });

  await check('lambda-concurrency', 'account concurrency', async () => {
    const out = await call('lambda:GetAccountSettings', () =>
      clients.lambda.send(new GetAccountSettingsCommand({})),
    );
    const limit = out.AccountLimit?.ConcurrentExecutions ?? 0;
    const unreserved = out.AccountLimit?.UnreservedConcurrentExecutions ?? limit;
    // Before the first deploy the stack's reservations come out of what is unreserved now; once
    // deployed they already have.
    const left = deployed ? unreserved : unreserved - plan.reservedConcurrency;
    const detail = `quota ${limit}, unreserved ${unreserved}; the stack reserves ${plan.reservedConcurrency}`;
    if (left < LAMBDA_UNRESERVED_MINIMUM) {
      return {
        check: 'lambda-concurrency',
        status: 'fail',
        detail: `${detail}, which would leave ${left} (Lambda keeps at least ${LAMBDA_UNRESERVED_MINIMUM} unreserved)`,
        fix: `request a Lambda "Concurrent executions" quota of at least ${plan.reservedConcurrency + LAMBDA_UNRESERVED_MINIMUM} (Service Quotas, L-B99A9384), or lower reservedConcurrency in the stage config`,
      };
    }
    return { check: 'lambda-concurrency', status: 'ok', detail: `${detail}, leaving ${left}` };
  });

  const indexer = outputs?.[OUTPUT_KEYS.logIndexer];
  for (const name of plan.existingLogGroups) {
    await check('log-group', name, async () => {
      const groups = await call('logs:DescribeLogGroups', () =>
        clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name, limit: 50 })),
      );
      if (!(groups.logGroups ?? []).some((g) => g.logGroupName === name)) {
        return {
          check: 'log-group',
          status: 'fail',
          detail: `${name} does not exist; its subscription filter would fail the deploy`,
          fix: `aws logs create-log-group --log-group-name ${name} (or let the stack create it: logs.createLogGroups)`,
        };
      }
      const out = await call('logs:DescribeSubscriptionFilters', () =>
        clients.logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: name })),
      );
      const filters = out.subscriptionFilters ?? [];
      if (indexer !== undefined && filters.some((f) => f.destinationArn === indexer)) {
        return {
          check: 'log-group',
          status: 'ok',
          detail: `${name} exists and is already subscribed by the stack`,
        };
      }
      if (filters.length >= 2) {
        return {
          check: 'log-group',
          status: 'fail',
          detail: `${name} already has 2 subscription filters (${filters.map((f) => f.filterName ?? '?').join(', ')}), the most CloudWatch Logs allows`,
          fix: `free a slot: aws logs delete-subscription-filter --log-group-name ${name} --filter-name <one of them>`,
        };
      }
      return {
        check: 'log-group',
        status: 'ok',
        detail: `${name} exists, ${filters.length} of 2 subscription-filter slots in use`,
      };
    });
  }

  if (!deployed && stackKnown) {
    for (const name of plan.createdLogGroups) {
      await check('log-group-name', name, async () => {
        const groups = await call('logs:DescribeLogGroups', () =>
          clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name, limit: 50 })),
        );
        if ((groups.logGroups ?? []).some((g) => g.logGroupName === name)) {
          return {
            check: 'log-group-name',
            status: 'fail',
            detail: `${name} already exists; the stack creates it and CloudFormation cannot create it twice`,
            fix: `delete it (aws logs delete-log-group --log-group-name ${name}) or set logs.createLogGroups to false to subscribe it as it is`,
          };
        }
        return { check: 'log-group-name', status: 'ok', detail: `${name} is free; the stack creates it` };
      });
    }
  }

  if (plan.smsNumbers.length > 0 || plan.smsSpendCapUsd !== undefined) {
    await check('sms-sandbox', 'SMS sandbox', async () => {
      const status = await call('sns:GetSMSSandboxAccountStatus', () =>
        clients.sns.send(new GetSMSSandboxAccountStatusCommand({})),
      );
      if (status.IsInSandbox !== true) {
        return { check: 'sms-sandbox', status: 'ok', detail: 'the account is out of the SMS sandbox' };
      }
      const verified = new Set<string>();
      let token: string | undefined;
      do {
        const page = await call('sns:ListSMSSandboxPhoneNumbers', () =>
          clients.sns.send(new ListSMSSandboxPhoneNumbersCommand({ NextToken: token })),
        );
        for (const n of page.PhoneNumbers ?? [])
          if (n.Status === 'Verified' && n.PhoneNumber) verified.add(n.PhoneNumber);
        token = page.NextToken;
      } while (token !== undefined);
      const unverified = plan.smsNumbers.filter((n) => !verified.has(n));
      return {
        check: 'sms-sandbox',
        status: 'warn',
        detail:
          unverified.length > 0
            ? `the account is in the SMS sandbox: SMS reaches verified numbers only, and ${unverified.join(', ')} ${unverified.length === 1 ? 'is' : 'are'} not verified`
            : 'the account is in the SMS sandbox: every configured number is verified, no other number gets SMS',
        fix: 'request SMS production access (SNS console, Text messaging, Exit SMS sandbox); meanwhile verify numbers with aws sns create-sms-sandbox-phone-number',
      };
    });
  }
  if (plan.smsSpendCapUsd !== undefined) {
    const cap = plan.smsSpendCapUsd;
    await check('sms-spend', 'SMS spend limit', async () => {
      const out = await call('sns:GetSMSAttributes', () =>
        clients.sns.send(new GetSMSAttributesCommand({ attributes: ['MonthlySpendLimit'] })),
      );
      // An account that never set it has the default quota of 1 USD.
      const limit = Number(out.attributes?.['MonthlySpendLimit'] ?? '1');
      if (limit < cap) {
        return {
          check: 'sms-spend',
          status: 'warn',
          detail: `the account's SMS spend limit is ${limit} USD, below the stage's cap of ${cap} USD: SNS stops all SMS at ${limit} USD, before the pipeline moves SMS to email at ${Math.round(cap * 0.9)} USD`,
          fix: `ask AWS Support for an SMS spend quota of ${cap} USD, then aws sns set-sms-attributes --attributes MonthlySpendLimit=${cap}`,
        };
      }
      return {
        check: 'sms-spend',
        status: 'ok',
        detail: `the account's SMS spend limit is ${limit} USD, the stage's cap ${cap} USD`,
      };
    });
  }

  if (plan.createsOpenSearchDomain) {
    await check('opensearch-role', OPENSEARCH_SERVICE_ROLE, async () => {
      try {
        await call(
          'iam:GetRole',
          () => clients.iam.send(new GetRoleCommand({ RoleName: OPENSEARCH_SERVICE_ROLE })),
          ['NoSuchEntityException', 'NoSuchEntity'],
        );
        return { check: 'opensearch-role', status: 'ok', detail: `${OPENSEARCH_SERVICE_ROLE} exists` };
      } catch (error) {
        if (!['NoSuchEntityException', 'NoSuchEntity'].includes(errorName(error))) throw error;
        return {
          check: 'opensearch-role',
          status: 'fail',
          detail: `the OpenSearch Service service-linked role ${OPENSEARCH_SERVICE_ROLE} does not exist`,
          fix: 'aws iam create-service-linked-role --aws-service-name opensearchservice.amazonaws.com',
        };
      }
    });
  }

  for (const secret of plan.secrets) {
    await check('secret', secret.label, () => checkSecret(secret));
  }

  if (deployed) {
    for (const topic of plan.emailTopics) {
      await check('email', topic.label, async () => {
        const arn = outputs?.[topic.outputKey];
        if (arn === undefined) {
          return {
            check: 'email',
            status: 'warn',
            detail: `${topic.label}: the stack has no output ${topic.outputKey}`,
            fix: 'deploy the stack again with this repository',
          };
        }
        const pending: string[] = [];
        const found = new Set<string>();
        let token: string | undefined;
        do {
          const page = await call('sns:ListSubscriptionsByTopic', () =>
            clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn, NextToken: token })),
          );
          for (const s of page.Subscriptions ?? []) {
            if (s.Protocol !== 'email' || s.Endpoint === undefined) continue;
            found.add(s.Endpoint);
            if (s.SubscriptionArn === 'PendingConfirmation') pending.push(s.Endpoint);
          }
          token = page.NextToken;
        } while (token !== undefined);
        const missing = topic.addresses.filter((a) => !found.has(a));
        if (pending.length + missing.length === 0) {
          return {
            check: 'email',
            status: 'ok',
            detail: `${topic.label}: ${topic.addresses.length} address(es) confirmed`,
          };
        }
        return {
          check: 'email',
          status: 'warn',
          detail: `${topic.label}: ${[...pending.map((a) => `${a} has not confirmed`), ...missing.map((a) => `${a} is not subscribed`)].join(', ')}; unconfirmed addresses get nothing`,
          fix: `each address clicks "Confirm subscription" in the AWS Notification mail; to resend: aws sns subscribe --topic-arn ${arn} --protocol email --notification-endpoint <address>`,
        };
      });
    }
  }

  if (plan.ownRunbook !== undefined && !deployed && stackKnown) {
    const name = plan.ownRunbook;
    await check('runbook-name', name, async () => {
      try {
        await call(
          'ssm:DescribeDocument',
          () => clients.ssm.send(new DescribeDocumentCommand({ Name: name })),
          ['InvalidDocument'],
        );
        return {
          check: 'runbook-name',
          status: 'fail',
          detail: `an SSM document named ${name} already exists; the stack creates it`,
          fix: `aws ssm delete-document --name ${name}`,
        };
      } catch (error) {
        if (errorName(error) !== 'InvalidDocument') throw error;
        return { check: 'runbook-name', status: 'ok', detail: `${name} is free; the stack creates it` };
      }
    });
  }
  for (const name of plan.externalRunbooks) {
    await check('runbook', name, async () => {
      try {
        const out = await call(
          'ssm:DescribeDocument',
          () => clients.ssm.send(new DescribeDocumentCommand({ Name: name })),
          ['InvalidDocument'],
        );
        const doc = out.Document;
        if (doc?.DocumentType !== 'Automation') {
          return {
            check: 'runbook',
            status: 'fail',
            detail: `${name} is a ${doc?.DocumentType ?? 'document of unknown type'}, not an Automation runbook`,
            fix: 'name an Automation runbook in the rule mitigation',
          };
        }
        if (!(doc.Parameters ?? []).some((p) => p.Name === 'AutomationAssumeRole')) {
          return {
            check: 'runbook',
            status: 'fail',
            detail: `${name} takes no AutomationAssumeRole parameter, so it cannot run as the mitigation role`,
            fix: `add an AutomationAssumeRole parameter and assumeRole: "{{ AutomationAssumeRole }}" to ${name}`,
          };
        }
        return { check: 'runbook', status: 'ok', detail: `${name} exists and takes AutomationAssumeRole` };
      } catch (error) {
        if (errorName(error) !== 'InvalidDocument') throw error;
        return {
          check: 'runbook',
          status: 'fail',
          detail: `no SSM Automation runbook named ${name} in this account and region`,
          fix: 'create it, or name an existing runbook (or the stage restart runbook) in the rule mitigation',
        };
      }
    });
  }
  for (const arn of plan.mitigationFunctions) {
    await check('mitigation-function', arn, async () => {
      try {
        await call(
          'lambda:GetFunctionConfiguration',
          () => clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: arn })),
          ['ResourceNotFoundException'],
        );
        return { check: 'mitigation-function', status: 'ok', detail: `${arn} exists` };
      } catch (error) {
        if (errorName(error) !== 'ResourceNotFoundException') throw error;
        return {
          check: 'mitigation-function',
          status: 'fail',
          detail: `${arn} does not exist`,
          fix: 'deploy the function first, or change the rule mitigation',
        };
      }
    });
  }
  return results;

  async function checkSecret(secret: PlannedSecret): Promise<CheckResult> {
    const id = secret.arn ?? outputs?.[secret.outputKey] ?? secret.name ?? '';
    let described;
    try {
      described = await call(
        'secretsmanager:DescribeSecret',
        () => clients.secrets.send(new DescribeSecretCommand({ SecretId: id })),
        ['ResourceNotFoundException'],
      );
    } catch (error) {
      if (errorName(error) !== 'ResourceNotFoundException') throw error;
      if (secret.arn === undefined && !deployed) {
        return {
          check: 'secret',
          status: 'ok',
          detail: secret.generated
            ? `${secret.label}: ${id} is free; the stack creates it with a generated value`
            : `${secret.label}: ${id} is free; the stack creates it without a value, to be set after deploy`,
        };
      }
      return {
        check: 'secret',
        status: 'fail',
        detail: `${secret.label}: no secret ${id}`,
        fix: secret.arn ? 'create the secret, or give the ARN of one that exists' : 'deploy the stack again',
      };
    }
    if (secret.arn === undefined && !deployed && stackKnown) {
      const deleted = described.DeletedDate;
      return {
        check: 'secret',
        status: 'fail',
        detail: `${secret.label}: a secret named ${id} already exists${deleted ? ` (scheduled for deletion on ${deleted.toISOString().slice(0, 10)})` : ''}; the stack creates it`,
        fix: deleted
          ? `aws secretsmanager restore-secret --secret-id ${id} && aws secretsmanager delete-secret --secret-id ${id} --force-delete-without-recovery`
          : secret.generated
            ? 'delete it (aws secretsmanager delete-secret --secret-id ... --force-delete-without-recovery)'
            : `import it instead (${secret.importField}) or delete it`,
      };
    }
    const stages = Object.values(described.VersionIdsToStages ?? {}).flat();
    const putFix = `aws secretsmanager put-secret-value --secret-id ${described.ARN ?? id} --secret-string '<value>'`;
    if (!stages.includes('AWSCURRENT')) {
      return {
        check: 'secret',
        status: deployed || secret.arn !== undefined ? 'fail' : 'ok',
        detail: `${secret.label}: ${id} has no value yet; ${secret.withoutValue} until it has`,
        fix: putFix,
      };
    }
    // A generated key is never read: its having a current version is all there is to check.
    if (secret.generated)
      return { check: 'secret', status: 'ok', detail: `${secret.label}: ${id} has a value` };
    // Read only to tell a real value from the placeholder older versions of the stack wrote; never printed.
    try {
      const value = await call('secretsmanager:GetSecretValue', () =>
        clients.secrets.send(new GetSecretValueCommand({ SecretId: described.ARN ?? id })),
      );
      if ((value.SecretString ?? '').trim().startsWith(SECRET_PLACEHOLDER_PREFIX)) {
        return {
          check: 'secret',
          status: 'fail',
          detail: `${secret.label}: ${id} still holds its placeholder`,
          fix: putFix,
        };
      }
    } catch (error) {
      if (!(error instanceof Unchecked)) throw error;
      return {
        check: 'secret',
        status: 'warn',
        detail: `${secret.label}: ${id} has a value, not read (${error.action}: ${errorName(error.cause)})`,
        fix: 'check it holds the real value, or run preflight with credentials allowed secretsmanager:GetSecretValue',
      };
    }
    return { check: 'secret', status: 'ok', detail: `${secret.label}: ${id} has a value` };
  }
}
