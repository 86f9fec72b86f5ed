import { renderSnsEnvelope } from '../../../shared/domain/format/sns-message';
import { criticalFiring, aNotification } from '../../fixtures/delivery/notifications';

describe('renderSnsEnvelope', () => {
  it('carries the notification as JSON for the forwarders and rendered text for email and sms', () => {
    // Act
    const envelope = renderSnsEnvelope(criticalFiring);
    const bodies: unknown = JSON.parse(envelope.message);

    // Assert
    expect(bodies).toMatchObject({
      lambda: JSON.stringify(criticalFiring),
      sms: expect.stringContaining('id:7f3a9c2e41b8'),
      email: expect.stringMatching(/Service: +checkout/),
      default: expect.stringContaining('[CRITICAL]'),
    });
    expect(envelope.subject).toBe('[CRITICAL] checkout: error rate above 5% (7.2% > 5%)');
    expect(envelope.attributes).toMatchObject({
      severity: 'critical',
      service: 'checkout',
      team: 'payments',
    });
  });

  it('never sends an empty attribute value', () => {
    // Arrange
    const n = aNotification({ alerts: [], groupKey: '' });

    // Act
    const { attributes } = renderSnsEnvelope(n);

    // Assert
    expect(Object.values(attributes).every((v) => v.length > 0)).toBe(true);
    expect(attributes['service']).toBe('unknown');
  });
});
