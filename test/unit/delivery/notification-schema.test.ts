import { parseNotification } from '../../../shared/delivery/notification-schema';
import { scrub } from '../../../shared/delivery/scrub';
import { criticalFiring } from '../../fixtures/delivery/notifications';

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
