import { parseNotification, snsEventSchema } from '../../../shared/delivery/notification-schema';
import { snsLambdaEvent } from '../../../shared/replay/local-forwarders';
import { criticalFiring } from '../../fixtures/delivery/notifications';

describe('SNS events for the forwarder Lambdas', () => {
  it('carries the notification as the lambda body, which the forwarder parses back unchanged', () => {
    // Arrange
    const publishedAt = Date.UTC(2026, 10, 26, 14, 5, 0);
    // Act
    const event = snsLambdaEvent(criticalFiring, publishedAt);
    // Assert
    const parsed = snsEventSchema.parse(event);
    const record = parsed.Records[0];
    expect(record?.Sns.Timestamp).toBe('2026-11-26T14:05:00.000Z');
    expect(record?.Sns.TopicArn).toMatch(/:vigil-prod-slack$/);
    expect(parseNotification(record?.Sns.Message ?? '')).toEqual({ ok: true, notification: criticalFiring });
  });

  it('keeps the SNS message id stable for the same notification, as SNS redelivery does', () => {
    // Act
    const first = snsEventSchema.parse(snsLambdaEvent(criticalFiring, 0));
    const again = snsEventSchema.parse(snsLambdaEvent(criticalFiring, 60_000));
    const other = snsEventSchema.parse(snsLambdaEvent({ ...criticalFiring, id: 'another' }, 0));
    // Assert
    expect(again.Records[0]?.Sns.MessageId).toBe(first.Records[0]?.Sns.MessageId);
    expect(other.Records[0]?.Sns.MessageId).not.toBe(first.Records[0]?.Sns.MessageId);
  });
});
