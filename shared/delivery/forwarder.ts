/**
 * The forwarder flow shared by the Slack and PagerDuty Lambdas: parse the SNS event, claim the
 * notification in the ledger, deliver, and decide between success, retry and the dead-letter queue.
 */
import type { Channel } from '../domain/alert';
import type { Notification } from '../domain/notification';
import type { Clock, DeadLetterSink, Log } from '../domain/ports';
import { ChannelDeliveryError } from './errors';
import type { DeliveryLedger } from './ledger';
import { parseNotification, snsEventSchema, type SnsRecord } from './notification-schema';
import { scrub } from './scrub';

/** Sends one notification to the channel's API before `deadline`; throws ChannelDeliveryError. */
export type Deliver = (n: Notification, deadline: number) => Promise<{ attempts: number }>;

/** Ports and settings of a forwarder. */
export interface ForwarderDeps {
  readonly channel: Extract<Channel, 'slack' | 'pagerduty'>;
  readonly deliver: Deliver;
  readonly ledger: DeliveryLedger;
  readonly deadLetter: DeadLetterSink;
  readonly log: Log;
  readonly clock: Clock;
  /** False for notifications this channel does not send (e.g. below the paging severity). @default all accepted */
  readonly accepts?: (n: Notification) => boolean;
  /** Time kept back from the Lambda's remaining time for bookkeeping after the HTTP calls. */
  readonly safetyMarginMs?: number;
}

/** What an invocation did, per record. */
export interface ForwardReport {
  readonly delivered: number;
  readonly duplicates: number;
  readonly skipped: number;
  readonly rejected: number;
}

/** The Lambda context members the forwarder reads. */
export interface ForwarderContext {
  getRemainingTimeInMillis(): number;
}

type RecordOutcome = keyof ForwardReport;

/**
 * Builds the forwarder. Retryable failures are thrown, so Lambda's asynchronous retries run and the
 * function's failure destination (the dead-letter queue) gets the event at the end. Permanent failures
 * (4xx, malformed notification) are written to the dead-letter queue here and the invocation succeeds:
 * retrying cannot fix them and would only hit the peer again.
 */
export function createForwarder(
  deps: ForwarderDeps,
): (event: unknown, context: ForwarderContext) => Promise<ForwardReport> {
  const margin = deps.safetyMarginMs ?? 3_000;

  async function deadLetter(
    record: SnsRecord,
    code: string,
    reason: string,
    payload: unknown,
  ): Promise<void> {
    await deps.deadLetter.send({
      source: `${deps.channel}-notifier`,
      code,
      reason,
      receivedAt: new Date(deps.clock()).toISOString(),
      payload: { snsMessageId: record.Sns.MessageId, topicArn: record.Sns.TopicArn, notification: payload },
    });
  }

  async function forwardRecord(record: SnsRecord, context: ForwarderContext): Promise<RecordOutcome> {
    const parsed = parseNotification(record.Sns.Message);
    if (!parsed.ok) {
      deps.log.warn('Notification rejected: malformed message', {
        snsMessageId: record.Sns.MessageId,
        reason: parsed.reason,
      });
      await deadLetter(record, 'INVALID_NOTIFICATION', parsed.reason, record.Sns.Message);
      return 'rejected';
    }
    const n = parsed.notification;
    const ids = { notificationId: n.id, groupKey: n.groupKey, status: n.status, severity: n.severity };
    if (n.channel !== deps.channel) {
      const reason = `notification is for channel ${n.channel}, not ${deps.channel}`;
      deps.log.warn('Notification rejected: wrong channel', { ...ids, reason });
      await deadLetter(record, 'INVALID_NOTIFICATION', reason, n);
      return 'rejected';
    }
    if (deps.accepts !== undefined && !deps.accepts(n)) {
      deps.log.info('Notification not sent: below the channel threshold', ids);
      return 'skipped';
    }

    const key = { channel: deps.channel, notificationId: n.id };
    const remaining = context.getRemainingTimeInMillis();
    const claim = await deps.ledger.claim(key, deps.clock(), remaining);
    if (claim.outcome === 'done') {
      deps.log.info('Duplicate notification ignored', { ...ids, state: claim.state });
      return 'duplicates';
    }
    if (claim.outcome === 'in-progress') {
      throw new ChannelDeliveryError('IN_PROGRESS', 'Another invocation is delivering this notification', {
        retryable: true,
      });
    }

    const deadline = deps.clock() + Math.max(0, context.getRemainingTimeInMillis() - margin);
    try {
      const { attempts } = await deps.deliver(n, deadline);
      await deps.ledger.finish(key, 'delivered', deps.clock());
      deps.log.info('Notification delivered', { ...ids, attempts });
      return 'delivered';
    } catch (err) {
      if (err instanceof ChannelDeliveryError && !err.retryable) {
        const reason = err.reason ?? err.message;
        deps.log.warn('Notification rejected by the channel', {
          ...ids,
          code: err.code,
          status: err.status,
          reason,
        });
        await deadLetter(record, err.code, reason, n);
        await deps.ledger.finish(key, 'rejected', deps.clock(), { code: err.code, reason });
        return 'rejected';
      }
      await deps.ledger.release(key);
      throw err;
    }
  }

  return async (event, context) => {
    const parsed = snsEventSchema.safeParse(event);
    if (!parsed.success) {
      // Not an SNS event at all: nothing to deliver or dead-letter per record; make it visible.
      throw new ChannelDeliveryError('INVALID_NOTIFICATION', 'Event is not an SNS notification event', {
        retryable: false,
      });
    }
    const report: Record<RecordOutcome, number> = { delivered: 0, duplicates: 0, skipped: 0, rejected: 0 };
    const failures: unknown[] = [];
    for (const record of parsed.data.Records) {
      try {
        report[await forwardRecord(record, context)] += 1;
      } catch (err) {
        deps.log.error('Notification delivery failed; it will be retried', {
          snsMessageId: record.Sns.MessageId,
          code: err instanceof ChannelDeliveryError ? err.code : 'UNEXPECTED',
          error: err instanceof Error ? scrub(`${err.name}: ${err.message}`) : 'unknown error',
        });
        failures.push(err);
      }
    }
    if (failures.length > 0) throw failures[0];
    return report;
  };
}
