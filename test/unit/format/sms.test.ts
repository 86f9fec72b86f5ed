import fc from 'fast-check';
import {
  fitsOneSegment,
  renderSms,
  smsPublishAttributes,
  smsSegmentInfo,
} from '../../../shared/domain/format/sms';
import {
  aNotification,
  criticalFiring,
  criticalResolved,
  hostileNotification,
} from '../../fixtures/delivery/notifications';

describe('smsSegmentInfo', () => {
  it('counts GSM-7 extension characters as two septets', () => {
    expect(smsSegmentInfo('a€[]')).toEqual({ encoding: 'GSM-7', units: 7, limit: 160 });
  });

  it('switches to UCS-2 for emoji and CJK, counting UTF-16 units', () => {
    expect(smsSegmentInfo('ok 🔥')).toEqual({ encoding: 'UCS-2', units: 5, limit: 70 });
    expect(smsSegmentInfo('障害')).toEqual({ encoding: 'UCS-2', units: 2, limit: 70 });
  });
});

describe('renderSms', () => {
  it('says severity, service, summary and alert id', () => {
    expect(renderSms(criticalFiring)).toBe(
      '[CRITICAL] checkout: Error rate 7.2% above 5% for 5 minutes id:7f3a9c2e41b8',
    );
  });

  it('adds value vs threshold when the summary does not state the value', () => {
    // Arrange
    const [alert] = criticalFiring.alerts;
    if (!alert) throw new Error('fixture');
    const n = aNotification({ alerts: [{ ...alert, annotations: { summary: 'Error rate too high' } }] });

    // Act
    const sms = renderSms(n);

    // Assert
    expect(sms).toBe('[CRITICAL] checkout: Error rate too high 7.2% > 5% id:7f3a9c2e41b8');
  });

  it('marks a resolve', () => {
    expect(renderSms(criticalResolved)).toBe(
      '[RESOLVED CRITICAL] checkout: Error rate 7.2% above 5% for 5 minutes id:7f3a9c2e41b8',
    );
  });

  it('shortens a CJK summary to 70 units and keeps the alert id', () => {
    // Arrange
    const [alert] = criticalFiring.alerts;
    if (!alert) throw new Error('fixture');
    const n = aNotification({
      alerts: [{ ...alert, annotations: { summary: '決済サービスでエラー率が上昇しています'.repeat(5) } }],
    });

    // Act
    const sms = renderSms(n);

    // Assert
    expect(smsSegmentInfo(sms)).toMatchObject({ encoding: 'UCS-2' });
    expect(sms.length).toBeLessThanOrEqual(70);
    expect(sms.endsWith(' id:7f3a9c2e41b8')).toBe(true);
    expect(sms).toContain('…');
  });

  it('is one segment for any notification', () => {
    fc.assert(
      fc.property(hostileNotification, (n) => {
        // Act
        const sms = renderSms(n);

        // Assert
        expect(fitsOneSegment(sms)).toBe(true);
        expect(sms).toMatch(/^\[(RESOLVED )?(INFO|WARNING|CRITICAL)\]/);
        expect(sms).toMatch(n.digest ? / digest:[A-Za-z0-9._:-]{1,24}$/ : / id:[A-Za-z0-9._:-]{1,12}$/);
      }),
      { numRuns: 200 },
    );
  });
});

describe('smsPublishAttributes', () => {
  it('sends alerts as transactional with the sender id', () => {
    expect(smsPublishAttributes({ senderId: 'Vigil' })).toEqual({
      'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
      'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'Vigil' },
    });
  });

  it('rejects a sender id SNS would refuse', () => {
    expect(() => smsPublishAttributes({ senderId: 'vigil alerts!' })).toThrow(/senderId/);
    expect(() => smsPublishAttributes({ senderId: '123456' })).toThrow(/senderId/);
  });
});
