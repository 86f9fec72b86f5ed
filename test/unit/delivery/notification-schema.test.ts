import { parseNotification } from '../../../shared/delivery/notification-schema';
import { scrub } from '../../../shared/delivery/scrub';
import { criticalFiring, stormDigest } from '../../fixtures/delivery/notifications';

describe('parseNotification', () => {
  it('accepts what the core publishes', () => {
    // Act
    const parsed = parseNotification(JSON.stringify(criticalFiring));

    // Assert
    expect(parsed).toEqual({ ok: true, notification: criticalFiring });
  });

  it('explains what is wrong with something else', () => {
    expect(parseNotification('not json')).toEqual({ ok: false, reason: 'message is not JSON' });
    const parsed = parseNotification(JSON.stringify({ ...criticalFiring, severity: 'urgent', id: '' }));
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toMatch(/severity/);
  });
});

describe('scrub', () => {
  it('removes URLs and secrets but keeps the rest', () => {
    expect(scrub('failed for https://x.example/a?b=c with key abcd1234', ['abcd1234'])).toBe(
      'failed for [url] with key [redacted]',
    );
  });
});

describe('parseNotification with storm digests', () => {
  it('validates a digest and tolerates a reason it does not know', () => {
    // Arrange
    const message = JSON.stringify({ ...stormDigest, reason: 'something-new' });

    // Act
    const parsed = parseNotification(message);

    // Assert
    expect(parsed.ok).toBe(true);
    expect(parsed.ok && parsed.notification.reason).toBeUndefined();
    expect(parsed.ok && parsed.notification.digest?.firing).toBe(40);
  });

  it('rejects a malformed digest', () => {
    const parsed = parseNotification(JSON.stringify({ ...stormDigest, digest: { firing: 'many' } }));
    expect(parsed.ok).toBe(false);
  });

  it('keeps the reason of an evidence update, which follows a page', () => {
    // Arrange
    const message = JSON.stringify({ ...stormDigest, reason: 'evidence' });

    // Act
    const parsed = parseNotification(message);

    // Assert
    expect(parsed.ok && parsed.notification.reason).toBe('evidence');
  });
});
