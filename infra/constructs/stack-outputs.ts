import { CfnOutput, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { IAspect } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { IConstruct } from 'constructs';
import type { Channel } from '../../shared/domain/alert';
import { CHANNELS } from '../../shared/domain/alert';
import { OUTPUT_KEYS, topicOutputKey } from '../config/outputs';

/** Properties of {@link StackOutputs}. */
export interface StackOutputsProps {
  /** The stage name. */
  readonly stage: string;
  /** The alert-state table. */
  readonly table: dynamodb.ITable;
  /** Channel topics. */
  readonly topics: Readonly<Record<Channel, sns.ITopic>>;
  /** Where failed alarm events land. */
  readonly alarmDeadLetterQueue: sqs.IQueue;
  /** The Slack webhook secret. */
  readonly slackWebhookSecret: secretsmanager.ISecret;
  /** The PagerDuty routing key secret. @default - PagerDuty is off */
  readonly pagerdutyRoutingKeySecret?: secretsmanager.ISecret;
  /** The ops topic of the pipeline's own alarms. @default - no self-monitoring */
  readonly opsTopic?: sns.ITopic;
  /** CloudWatch dashboard names. @default - none */
  readonly dashboardNames?: readonly string[];
  /** `https://` endpoint of the log search domain. @default - no log pipeline */
  readonly logSearchEndpoint?: string;
  /** The log indexer (subscription filters of other stacks must not point elsewhere). @default - no log pipeline */
  readonly logIndexer?: lambda.IFunction;
  /** The stage's restart runbook. @default - none shipped */
  readonly restartRunbookName?: string;
  /** The action endpoint and its secrets. @default - actions are off */
  readonly actionEndpoint?: {
    readonly url: string;
    readonly slackSigningSecret: secretsmanager.ISecret;
    readonly pagerdutyWebhookSecret?: secretsmanager.ISecret;
    readonly linkKey: secretsmanager.ISecret;
  };
}

/**
 * What an operator needs after deploy, as stack outputs (no exports: export names are unique per
 * account and region, and nothing imports them). `vigil` reads them to find the table and topics.
 */
export class StackOutputs extends Construct {
  public constructor(scope: Construct, id: string, props: StackOutputsProps) {
    super(scope, id);
    const out = (key: string, value: string, description: string) =>
      new CfnOutput(Stack.of(this), key, { value, description });
    out(OUTPUT_KEYS.stage, props.stage, 'Stage of this stack (vigil --stage)');
    out(OUTPUT_KEYS.table, props.table.tableName, 'Alert-state table (vigil finds it from --stage)');
    for (const channel of CHANNELS) {
      out(topicOutputKey(channel), props.topics[channel].topicArn, `SNS topic of the ${channel} channel`);
    }
    out(
      OUTPUT_KEYS.alarmDeadLetterQueue,
      props.alarmDeadLetterQueue.queueUrl,
      'Failed and malformed alarm events',
    );
    out(
      OUTPUT_KEYS.slackSecret,
      props.slackWebhookSecret.secretArn,
      'Put the Slack incoming webhook URL here',
    );
    if (props.pagerdutyRoutingKeySecret) {
      out(
        OUTPUT_KEYS.pagerdutySecret,
        props.pagerdutyRoutingKeySecret.secretArn,
        'Put the PagerDuty Events API v2 routing key here',
      );
    }
    if (props.opsTopic) out(OUTPUT_KEYS.opsTopic, props.opsTopic.topicArn, "The pipeline's own alarms");
    if ((props.dashboardNames ?? []).length > 0) {
      out(OUTPUT_KEYS.dashboards, (props.dashboardNames ?? []).join(','), 'CloudWatch dashboards');
    }
    if (props.logSearchEndpoint !== undefined) {
      out(
        OUTPUT_KEYS.logSearchEndpoint,
        props.logSearchEndpoint,
        'OpenSearch endpoint (vigil logs search --endpoint)',
      );
    }
    if (props.logIndexer) {
      out(
        OUTPUT_KEYS.logIndexer,
        props.logIndexer.functionArn,
        'Destination of the log subscription filters',
      );
    }
    if (props.actionEndpoint) {
      const a = props.actionEndpoint;
      out(
        OUTPUT_KEYS.actionEndpoint,
        a.url,
        "Action endpoint: Slack interactivity Request URL is this + /slack/actions, PagerDuty's webhook this + /pagerduty/webhook",
      );
      out(
        OUTPUT_KEYS.slackSigningSecret,
        a.slackSigningSecret.secretArn,
        "Put the Slack app's signing secret here",
      );
      out(
        OUTPUT_KEYS.actionLinkKey,
        a.linkKey.secretArn,
        'Key of the one-click links (generated; rotate by hand)',
      );
      if (a.pagerdutyWebhookSecret) {
        out(
          OUTPUT_KEYS.pagerdutyWebhookSecret,
          a.pagerdutyWebhookSecret.secretArn,
          "Put the PagerDuty webhook subscription's secret here",
        );
      }
    }
    if (props.restartRunbookName !== undefined) {
      out(
        OUTPUT_KEYS.restartRunbook,
        props.restartRunbookName,
        'SSM Automation runbook that restarts an ECS service',
      );
    }
  }
}

/** Deletes every log group with the stack, including those CDK creates for its own functions. */
export class DeleteLogGroupsWithStack implements IAspect {
  /** @inheritdoc */
  public visit(node: IConstruct): void {
    if (node instanceof logs.CfnLogGroup) node.applyRemovalPolicy(RemovalPolicy.DESTROY);
  }
}
