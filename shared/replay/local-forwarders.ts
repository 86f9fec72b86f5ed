/** The Slack and PagerDuty forwarder Lambdas, fed the SNS events their topics would send them. */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { createPagerDutyNotifier } from '../../functions/pagerduty-notifier/notifier';
import { createSlackNotifier } from '../../functions/slack-notifier/notifier';
import { createHttpClient, DEFAULT_RETRY_POLICY } from '../delivery/http-client';
import type { DeliveryLedger } from '../delivery/ledger';
import type { Channel } from '../domain/alert';
import type { SlackRenderOptions } from '../domain/format/slack';
import { renderSnsEnvelope } from '../domain/format/sns-message';
import type { Notification } from '../domain/notification';
import type { Clock, DeadLetterSink, Log } from '../domain/ports';

/** What became of one forwarded notification. */
export type ForwardOutcome = 'delivered' | 'skipped' | 'undelivered';

/** Delivers one channel's published notifications onwards. */
export interface NotificationForwarder {
  readonly channel: Channel;
  forward(notification: Notification): Promise<ForwardOutcome>;
}

/** Ports the forwarders share with the local pipeline. */
export interface LocalForwarderPorts {
  readonly ledger: DeliveryLedger;
  readonly deadLetter: DeadLetterSink;
  readonly log: Log;
  readonly clock: Clock;
}

const lambdaBody = z.object({ lambda: z.string() });
const REGION = 'eu-west-1';
const ACCOUNT = '111122223333';

/** The event SNS invokes a Lambda subscription with, for one published notification. */
export function snsLambdaEvent(n: Notification, publishedAt: number): Record<string, unknown> {
  const envelope = renderSnsEnvelope(n);
  // A Lambda subscription of a MessageStructure=json publish receives the `lambda` body.
  const message = lambdaBody.parse(JSON.parse(envelope.message)).lambda;
  const topicArn = `arn:aws:sns:${REGION}:${ACCOUNT}:vigil-${n.stage}-${n.channel}`;
  const digest = createHash('sha256').update(n.id).digest('hex');
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${topicArn}:${digest.slice(0, 8)}`,
        Sns: {
          Type: 'Notification',
          MessageId: `${digest.slice(0, 8)}-${digest.slice(8, 12)}-${digest.slice(12, 16)}-${digest.slice(16, 20)}-${digest.slice(20, 32)}`,
          TopicArn: topicArn,
          Subject: envelope.subject,
          Message: message,
          Timestamp: new Date(publishedAt).toISOString(),
          SignatureVersion: '1',
          Signature: 'EXAMPLE',
          MessageAttributes: Object.fromEntries(
            Object.entries(envelope.attributes).map(([k, v]) => [k, { Type: 'String', Value: v }]),
          ),
        },
      },
    ],
  };
}

/**
 * Builds the Slack and PagerDuty forwarders against a local receiver (`<url>/slack`,
 * `<url>/pagerduty`). Retries run without waiting: virtual time does not pass during a delivery.
 */
export function createLocalForwarders(
  receiverUrl: string,
  ports: LocalForwarderPorts,
  options: { readonly slack?: SlackRenderOptions } = {},
): NotificationForwarder[] {
  const post = createHttpClient(
    { ...DEFAULT_RETRY_POLICY, maxAttempts: 2, attemptTimeoutMs: 2_000 },
    { now: ports.clock, sleep: () => Promise.resolve() },
  );
  const context = { getRemainingTimeInMillis: () => 30_000 };
  const slack = createSlackNotifier({
    ...ports,
    post,
    webhookUrl: () => Promise.resolve(`${receiverUrl}/slack`),
    ...(options.slack ? { links: options.slack } : {}),
  });
  const pagerduty = createPagerDutyNotifier({
    ...ports,
    post,
    routingKey: () => Promise.resolve('replay-routing-key'),
    eventsUrl: `${receiverUrl}/pagerduty`,
  });
  const forwarder = (channel: 'slack' | 'pagerduty', handler: typeof slack): NotificationForwarder => ({
    channel,
    async forward(n) {
      try {
        const report = await handler(snsLambdaEvent(n, ports.clock()), context);
        if (report.delivered + report.duplicates > 0) return 'delivered';
        return report.skipped > 0 ? 'skipped' : 'undelivered';
      } catch {
        // The Lambda would be retried and then dead-lettered; for the replay it did not arrive.
        return 'undelivered';
      }
    },
  });
  return [forwarder('slack', slack), forwarder('pagerduty', pagerduty)];
}
