import { Duration, RemovalPolicy, Token, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  PAGERDUTY_WEBHOOK_SECRET_ENV,
  SLACK_SIGNING_SECRET_ENV,
} from '../../shared/adapters/action-endpoint-wiring';
import { ACTION_BASE_URL_ENV, ACTION_LINK_KEY_SECRET_ENV } from '../../shared/adapters/action-links';
import { ACTION_KEY_PREFIXES } from '../../shared/adapters/dynamo-action-store';
import { TOPIC_ENV } from '../../shared/adapters/sns-publisher';
import { ACTION_ROUTES } from '../../shared/actions/endpoint';
import { createEmptySecret } from './empty-secret';
import { VigilFunction } from './vigil-function';

/** Partition-key prefixes of the items the endpoint reads and writes (alerts, incidents, silences, audit, claims). */
export const ACTION_ENDPOINT_KEY_PREFIXES = [
  'ALERT#',
  'INCIDENT#',
  'INCIDENT-SERVICE#',
  'SILENCE#',
  ACTION_KEY_PREFIXES.audit,
  ACTION_KEY_PREFIXES.claim,
] as const;

/**
 * Everything the endpoint's role may do on the table: single items, by partition-key prefix (IAM
 * LeadingKeys). No Query, Scan, UpdateItem or index: the integration tests record every request the
 * handler makes and hold it against this list.
 */
export const ACTION_ENDPOINT_TABLE_GRANTS: readonly {
  readonly actions: readonly string[];
  readonly keyPrefixes: readonly string[];
}[] = [
  { actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], keyPrefixes: ACTION_ENDPOINT_KEY_PREFIXES },
  // A refused request releases its claim; nothing else is ever deleted.
  { actions: ['dynamodb:DeleteItem'], keyPrefixes: [ACTION_KEY_PREFIXES.claim] },
];

/** Properties of {@link ActionEndpoint}. */
export interface ActionEndpointProps {
  /** Prefix of created names, e.g. `vigil-prod`. */
  readonly namePrefix: string;
  /** The Lambdas' runtime config (shipped in the bundle). */
  readonly runtimeConfig: unknown;
  /** The alert-state table. */
  readonly table: dynamodb.ITable;
  /** The table's, topics' and secrets' key. */
  readonly encryptionKey: kms.IKey;
  /** The PagerDuty topic: an acknowledgement publishes PagerDuty's `acknowledge` at once. @default - PagerDuty is off */
  readonly pagerdutyTopic?: sns.ITopic;
  /** Complete ARN of an existing Slack signing secret. @default - created without a value */
  readonly slackSigningSecretArn?: string;
  /** Complete ARN of an existing PagerDuty webhook secret (used only with `pagerdutyTopic`). @default - created without a value */
  readonly pagerdutyWebhookSecretArn?: string;
  /** API Gateway throttling of every route. */
  readonly rateLimit: { readonly perSecond: number; readonly burst: number };
  /** Concurrency reserved for (and capping) the function. */
  readonly reservedConcurrency: number;
}

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$/;

/**
 * The action endpoint: an API Gateway HTTP API (throttled, access-logged without paths, which
 * carry link tokens) in front of one Lambda that verifies every request itself (Slack and PagerDuty
 * sign with their own secrets, links carry an HMAC token), plus the secrets it verifies with and the
 * key emails and SMS links are signed with.
 */
export class ActionEndpoint extends Construct {
  /** The function behind every route. */
  public readonly fn: VigilFunction;
  /** The HTTP API. */
  public readonly api: apigw.HttpApi;
  /** `https://<id>.execute-api.<region>.amazonaws.com`: Slack's request URL is this + `/slack/actions`. */
  public readonly url: string;
  /** The Slack app's signing secret. */
  public readonly slackSigningSecret: secretsmanager.ISecret;
  /** The PagerDuty webhook subscription's signing secret, when PagerDuty is on. */
  public readonly pagerdutyWebhookSecret?: secretsmanager.ISecret;
  /** The key links are signed with (generated; never leaves Secrets Manager but for the Lambdas). */
  public readonly linkKey: secretsmanager.ISecret;
  private readonly key: kms.IKey;

  public constructor(scope: Construct, id: string, props: ActionEndpointProps) {
    super(scope, id);
    validate(props);
    this.key = props.encryptionKey;
    const issued =
      'Issued by Slack and PagerDuty when the app or webhook subscription is created; rotated there, then put here by hand';
    this.slackSigningSecret = props.slackSigningSecretArn
      ? secretsmanager.Secret.fromSecretCompleteArn(this, 'SlackSigningSecret', props.slackSigningSecretArn)
      : createEmptySecret(this, 'SlackSigningSecret', {
          name: `${props.namePrefix}/slack-signing-secret`,
          description:
            "Signing secret of the Slack app whose interactivity points at the vigil action endpoint. Created without a value: put the app's Signing Secret in it (put-secret-value).",
          key: props.encryptionKey,
          rotation: issued,
        });
    if (props.pagerdutyTopic) {
      this.pagerdutyWebhookSecret = props.pagerdutyWebhookSecretArn
        ? secretsmanager.Secret.fromSecretCompleteArn(
            this,
            'PagerDutyWebhookSecret',
            props.pagerdutyWebhookSecretArn,
          )
        : createEmptySecret(this, 'PagerDutyWebhookSecret', {
            name: `${props.namePrefix}/pagerduty-webhook-secret`,
            description:
              'Signing secret of the PagerDuty v3 webhook subscription that posts to the vigil action endpoint. Created without a value: put the subscription secret in it (put-secret-value).',
            key: props.encryptionKey,
            rotation: issued,
          });
    }
    const linkKey = new secretsmanager.Secret(this, 'LinkKey', {
      secretName: `${props.namePrefix}/action-link-key`,
      description: 'Key the one-click links of vigil emails and SMS are signed with (generated).',
      encryptionKey: props.encryptionKey,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(linkKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the link key invalidates every link already sent; it is rotated by hand (put-secret-value) when a key is suspected, and links expire within linkTtl anyway',
    });
    this.linkKey = linkKey;

    this.fn = new VigilFunction(this, 'Handler', {
      functionDir: 'action-endpoint',
      description:
        'Slack buttons, PagerDuty webhooks and one-click links: verify, then acknowledge or silence',
      serviceName: 'action-endpoint',
      // Slack waits 3 s for an answer; the work is a handful of single-item writes.
      timeout: Duration.seconds(10),
      reservedConcurrency: props.reservedConcurrency,
      runtimeConfig: props.runtimeConfig,
    });
    this.grantTable(props.table);
    this.fn.addEnvironment(SLACK_SIGNING_SECRET_ENV, this.slackSigningSecret.secretArn);
    this.slackSigningSecret.grantRead(this.fn.role);
    if (this.pagerdutyWebhookSecret && props.pagerdutyTopic) {
      this.fn.addEnvironment(PAGERDUTY_WEBHOOK_SECRET_ENV, this.pagerdutyWebhookSecret.secretArn);
      this.pagerdutyWebhookSecret.grantRead(this.fn.role);
      // Only PagerDuty's acknowledge is published from here; other channels' messages wait for the tick.
      this.fn.bindTopic(props.pagerdutyTopic, TOPIC_ENV.pagerduty, props.encryptionKey);
    }
    this.fn.addEnvironment(ACTION_LINK_KEY_SECRET_ENV, linkKey.secretArn);
    linkKey.grantRead(this.fn.role);
    this.fn.useKey(props.encryptionKey);

    // Access logs name the route, never the path: a link's path is its token.
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new apigw.HttpApi(this, 'Api', {
      apiName: `${props.namePrefix}-actions`,
      description: 'vigil action endpoint: Slack interactivity, PagerDuty webhooks, one-click links',
      createDefaultStage: false,
    });
    new apigw.HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit.perSecond, burstLimit: props.rateLimit.burst },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            route: '$context.routeKey',
            status: '$context.status',
            length: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            error: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    const integration = new HttpLambdaIntegration('Integration', this.fn.fn, {
      payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0,
    });
    const route = (path: string, methods: apigw.HttpMethod[]) =>
      this.api.addRoutes({ path, methods, integration });
    const routes = [
      ...route(ACTION_ROUTES.slack, [apigw.HttpMethod.POST]),
      ...(props.pagerdutyTopic ? route(ACTION_ROUTES.pagerduty, [apigw.HttpMethod.POST]) : []),
      ...route(`${ACTION_ROUTES.link}{token}`, [
        apigw.HttpMethod.GET,
        apigw.HttpMethod.HEAD,
        apigw.HttpMethod.POST,
      ]),
    ];
    for (const r of routes) {
      Validations.of(r).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Slack and PagerDuty cannot present IAM or JWT credentials: the function verifies their request signatures (and the HMAC of a link token) before it reads or writes anything, and refuses the rest with a 4xx',
      });
    }
    // The $default stage serves at the API's root.
    this.url = this.api.apiEndpoint;
  }

  /**
   * Gives a Lambda that publishes emails and SMS what it needs to sign their links: the endpoint's
   * URL and read access to the link key.
   */
  public grantLinkSigning(fn: VigilFunction): void {
    fn.addEnvironment(ACTION_BASE_URL_ENV, this.url);
    fn.addEnvironment(ACTION_LINK_KEY_SECRET_ENV, this.linkKey.secretArn);
    this.linkKey.grantRead(fn.role);
    fn.useKey(this.key);
  }

  /** Single items of the endpoint's own kinds only: IAM LeadingKeys on the partition key; deletes only of claims. */
  private grantTable(table: dynamodb.ITable): void {
    for (const grant of ACTION_ENDPOINT_TABLE_GRANTS) {
      this.fn.role.addToPolicy(
        new iam.PolicyStatement({
          actions: [...grant.actions],
          resources: [table.tableArn],
          conditions: {
            'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': grant.keyPrefixes.map((p) => `${p}*`) },
          },
        }),
      );
    }
    this.fn.addEnvironment('ALERT_TABLE_NAME', table.tableName);
  }
}

function validate(props: ActionEndpointProps): void {
  for (const [field, arn] of [
    ['slackSigningSecretArn', props.slackSigningSecretArn],
    ['pagerdutyWebhookSecretArn', props.pagerdutyWebhookSecretArn],
  ] as const) {
    if (arn !== undefined && !Token.isUnresolved(arn) && !SECRET_ARN.test(arn)) {
      throw new Error(
        `ActionEndpoint: ${field} must be the complete ARN of a Secrets Manager secret (ending in -XXXXXX)`,
      );
    }
  }
  if (props.rateLimit.burst < props.rateLimit.perSecond) {
    throw new Error('ActionEndpoint: rateLimit.burst must be at least rateLimit.perSecond');
  }
}
