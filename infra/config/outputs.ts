/**
 * The stack's name per stage and the keys of its CloudFormation outputs: what an operator (and
 * `vigil`) reads to find the table, topics, secrets, dashboards and the log search endpoint.
 */
import type { Channel } from '../../shared/domain/alert';

/** CloudFormation stack name of a stage. */
export function stackNameOf(stage: string): string {
  return `Vigil-${stage}`;
}

/** Output keys, by what they hold. */
export const OUTPUT_KEYS = {
  stage: 'Stage',
  table: 'AlertTableName',
  alarmDeadLetterQueue: 'AlarmDeadLetterQueueUrl',
  opsTopic: 'OpsTopicArn',
  slackSecret: 'SlackWebhookSecretArn',
  pagerdutySecret: 'PagerDutyRoutingKeySecretArn',
  dashboards: 'DashboardNames',
  logSearchEndpoint: 'LogSearchEndpoint',
  logIndexer: 'LogIndexerFunctionArn',
  restartRunbook: 'RestartRunbookName',
  actionEndpoint: 'ActionEndpointUrl',
  slackSigningSecret: 'SlackSigningSecretArn',
  pagerdutyWebhookSecret: 'PagerDutyWebhookSecretArn',
  actionLinkKey: 'ActionLinkKeySecretArn',
} as const;

/** Output key of a channel's topic ARN, e.g. `TopicArnSlack`. */
export function topicOutputKey(channel: Channel): string {
  return `TopicArn${channel === 'pagerduty' ? 'PagerDuty' : channel.charAt(0).toUpperCase() + channel.slice(1)}`;
}
