import fc from 'fast-check';
import { EMAIL_BODY_MAX, EMAIL_SUBJECT_MAX, renderEmail } from '../../../shared/domain/format/email';
import {
  aNotification,
  criticalFiring,
  criticalResolved,
  hostileNotification,
} from '../../fixtures/delivery/notifications';

describe('renderEmail', () => {
  it('puts severity, title and value vs threshold in the subject', () => {
    // Act
    const { subject } = renderEmail(criticalFiring);

    // Assert
    expect(subject).toBe('[CRITICAL] checkout: error rate above 5% (7.2% > 5%)');
  });

  it('marks a resolve in the subject', () => {
    expect(renderEmail(criticalResolved).subject).toBe('[RESOLVED] checkout: error rate above 5%');
  });

  it('writes every field and link into the plain-text body', () => {
    // Act
    const { body } = renderEmail(criticalFiring);

    // Assert
    for (const expected of [
      /Service: +checkout/,
      /Team: +payments/,
      /Value: +7\.2% > 5%/,
      /Started: +2026-11-26 14:02 UTC/,
      /Duration: +12m 30s/,
      /Summary: +Error rate 7\.2% above 5% for 5 minutes/,
      /Runbook: +https:\/\/runbooks\.example\.com\/checkout\/error-rate/,
      /Alarm: +https:\/\/eu-west-1\.console\.aws\.amazon\.com\/cloudwatch\/home\?region=eu-west-1#alarmsV2:alarm\/prod-checkout-5xx-rate/,
      /Dashboard: +https:\/\/eu-west-1\.console\.aws\.amazon\.com\//,
      'Diagnostics:',
      /Notification: +ntf-01JDX4Q8ZK2M7P3R5T6V8W9Y0A/,
    ]) {
      expect(body).toMatch(expected);
    }
  });

  it('strips newlines so a title cannot inject headers', () => {
    // Arrange
    const n = aNotification({ title: 'x\r\nBcc: victim@example.com\nSubject: hi' });

    // Act
    const { subject } = renderEmail(n);

    // Assert
    expect(subject).not.toMatch(/[\r\n]/);
    expect(subject.startsWith('[CRITICAL] x Bcc: victim@example.com Subject: hi')).toBe(true);
  });

  it('gives an ASCII subject of at most 100 chars without CR/LF for any notification', () => {
    fc.assert(
      fc.property(hostileNotification, (n) => {
        // Act
        const { subject, body } = renderEmail(n);

        // Assert
        expect(subject.length).toBeLessThanOrEqual(EMAIL_SUBJECT_MAX);
        expect(subject).toMatch(/^\[(INFO|WARNING|CRITICAL|RESOLVED)\][\x20-\x7e]*$/);
        expect(body.length).toBeLessThanOrEqual(EMAIL_BODY_MAX);
      }),
      { numRuns: 150 },
    );
  });
});
