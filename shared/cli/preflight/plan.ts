/**
 * What `vigil preflight` checks for a stage, derived from its config alone: everything the stack
 * needs to exist (or to be free) in the account before `cdk deploy`, and what an operator must do
 * after it. Pure, so the infra tests can hold it against the synthesized template.
 */
import { OUTPUT_KEYS, stackNameOf, topicOutputKey } from '../../../infra/config/outputs';
import { restartEcsRunbookName } from '../../../infra/config/runbooks';
import type { VigilConfig } from '../../../infra/config/schema';
import { alarmRules } from '../../../infra/config/schema';

/** The bootstrap qualifier of CDK's default synthesizer (the stack uses it). */
export const BOOTSTRAP_QUALIFIER = 'hnb659fds';
/** SSM parameter holding the bootstrap version in the account and region. */
export const BOOTSTRAP_VERSION_PARAMETER = `/cdk-bootstrap/${BOOTSTRAP_QUALIFIER}/version`;
/** The oldest bootstrap version the synthesized templates accept (their CheckBootstrapVersion rule). */
export const MIN_BOOTSTRAP_VERSION = 6;
/** Lambda keeps this much of the account's concurrency unreserved; reservations may not eat into it. */
export const LAMBDA_UNRESERVED_MINIMUM = 10;
/** The OpenSearch Service service-linked role. */
export const OPENSEARCH_SERVICE_ROLE = 'AWSServiceRoleForAmazonOpenSearchService';

/** A channel secret: created by the stack (by name) or imported (by ARN). */
export interface PlannedSecret {
  /** What it holds, for messages. */
  readonly label: string;
  /** Name the stack creates it under, when it creates it. */
  readonly name?: string;
  /** ARN of an imported secret. */
  readonly arn?: string;
  /** Stack output holding its ARN once deployed. */
  readonly outputKey: string;
  /** The config field that imports an existing secret instead. */
  readonly importField: string;
  /** What does not work until it has a value, e.g. `the forwarder sends nothing`. */
  readonly withoutValue: string;
  /** The stack generates its value (a signing key): never read, only its name checked. @default false */
  readonly generated?: boolean;
}

/** An SNS topic whose email subscriptions must be confirmed. */
export interface PlannedEmailTopic {
  /** What it is, for messages. */
  readonly label: string;
  /** Stack output holding its ARN. */
  readonly outputKey: string;
  /** The configured addresses. */
  readonly addresses: readonly string[];
}

/** Everything preflight checks for one stage. */
export interface PreflightPlan {
  readonly stage: string;
  readonly stackName: string;
  /** Existing log groups the stack subscribes: they must exist with a free filter slot. */
  readonly existingLogGroups: readonly string[];
  /** Log groups the stack creates: their names must be free. */
  readonly createdLogGroups: readonly string[];
  /** SMS numbers subscribed (channel and ops): verified while the account is in the SMS sandbox. */
  readonly smsNumbers: readonly string[];
  /** The pipeline's monthly SMS cap, compared with the account's SNS MonthlySpendLimit. */
  readonly smsSpendCapUsd?: number;
  /** Topics with email subscriptions to confirm after deploy. */
  readonly emailTopics: readonly PlannedEmailTopic[];
  /** The stack creates an OpenSearch domain. */
  readonly createsOpenSearchDomain: boolean;
  /** Channel secrets: created empty (name must be free, then a value set) or imported. */
  readonly secrets: readonly PlannedSecret[];
  /** The runbook the stack ships (its name must be free before the first deploy). */
  readonly ownRunbook?: string;
  /** Runbooks the config names that the stack does not ship: they must exist (live mitigation only). */
  readonly externalRunbooks: readonly string[];
  /** Lambda functions mitigation invokes: they must exist (live mitigation only). */
  readonly mitigationFunctions: readonly string[];
  /** Sum of the reserved concurrency of the stack's functions. */
  readonly reservedConcurrency: number;
}

/** The plan of a validated stage config. */
export function preflightPlan(config: VigilConfig): PreflightPlan {
  const prefix = `vigil-${config.stage}`;
  const logGroups = config.logs
    ? Object.values(config.logs.logGroups)
        .flat()
        .map((g) => (typeof g === 'string' ? g : g.name))
    : [];
  const createLogGroups = config.logs?.createLogGroups === true;
  const live = config.incidents.mitigation.enabled && !config.incidents.mitigation.dryRun;
  const actions = alarmRules(config).flatMap((r) => (r.mitigation ? [r.mitigation] : []));
  const ownRunbook = restartEcsRunbookName(config.stage);
  const documents = [
    ...new Set(actions.flatMap((a) => (a.kind === 'ssm-automation' ? [a.documentName] : []))),
  ];
  const functions = [...new Set(actions.flatMap((a) => (a.kind === 'lambda' ? [a.functionArn] : [])))];
  const secret = (
    label: string,
    name: string,
    arn: string | undefined,
    outputKey: string,
    importField: string,
    withoutValue = 'the forwarder sends nothing',
  ): PlannedSecret =>
    arn === undefined
      ? { label, name: `${prefix}/${name}`, outputKey, importField, withoutValue }
      : { label, arn, outputKey, importField, withoutValue };
  const hasEvaluator = config.rules.some((r) => r.engine === 'scheduled');
  const reserved = config.reservedConcurrency;
  return {
    stage: config.stage,
    stackName: stackNameOf(config.stage),
    existingLogGroups: createLogGroups ? [] : logGroups,
    createdLogGroups: createLogGroups ? logGroups : [],
    smsNumbers: [...new Set([...config.channels.sms.subscribers, ...(config.ops?.sms ?? [])])],
    ...(config.channels.sms.monthlySpendLimitUsd !== undefined
      ? { smsSpendCapUsd: config.channels.sms.monthlySpendLimitUsd }
      : {}),
    emailTopics: [
      {
        label: 'email channel',
        outputKey: topicOutputKey('email'),
        addresses: config.channels.email.subscribers,
      },
      ...(config.ops
        ? [{ label: 'ops', outputKey: OUTPUT_KEYS.opsTopic, addresses: config.ops.emails }]
        : []),
    ].filter((t) => t.addresses.length > 0),
    createsOpenSearchDomain: config.logs?.domain.kind === 'create',
    secrets: [
      secret(
        'Slack webhook URL',
        'slack-webhook-url',
        config.channels.slack.webhookSecretArn,
        OUTPUT_KEYS.slackSecret,
        'channels.slack.webhookSecretArn',
      ),
      ...(config.channels.pagerduty.enabled
        ? [
            secret(
              'PagerDuty routing key',
              'pagerduty-routing-key',
              config.channels.pagerduty.routingKeySecretArn,
              OUTPUT_KEYS.pagerdutySecret,
              'channels.pagerduty.routingKeySecretArn',
            ),
          ]
        : []),
      ...(config.actions.enabled
        ? [
            secret(
              'Slack signing secret',
              'slack-signing-secret',
              config.actions.slackSigningSecretArn,
              OUTPUT_KEYS.slackSigningSecret,
              'actions.slackSigningSecretArn',
              'the action endpoint refuses every Slack click',
            ),
            ...(config.channels.pagerduty.enabled
              ? [
                  secret(
                    'PagerDuty webhook secret',
                    'pagerduty-webhook-secret',
                    config.actions.pagerdutyWebhookSecretArn,
                    OUTPUT_KEYS.pagerdutyWebhookSecret,
                    'actions.pagerdutyWebhookSecretArn',
                    'the action endpoint refuses every PagerDuty webhook',
                  ),
                ]
              : []),
            {
              label: 'action link key',
              name: `${prefix}/action-link-key`,
              outputKey: OUTPUT_KEYS.actionLinkKey,
              importField: 'actions.enabled',
              withoutValue: 'emails and SMS go out without their one-click links',
              generated: true,
            },
          ]
        : []),
    ],
    ...(documents.includes(ownRunbook) ? { ownRunbook } : {}),
    externalRunbooks: live ? documents.filter((d) => d !== ownRunbook) : [],
    mitigationFunctions: live ? functions : [],
    reservedConcurrency:
      reserved.alarmHandler +
      reserved.tick +
      (hasEvaluator ? reserved.ruleEvaluator : 0) +
      (config.logs ? reserved.logIndexer : 0) +
      (config.actions.enabled ? reserved.actionEndpoint : 0),
  };
}
