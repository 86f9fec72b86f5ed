import fc from 'fast-check';
import { verifyLinkToken } from '../../../shared/domain/actions/link-token';
import { buildActionLinks, EMAIL_LINKED_ALERTS } from '../../../shared/domain/format/action-links';
import { renderEmailBody } from '../../../shared/domain/format/email';
import { fitsOneSegment, renderSms, smsSegmentInfo } from '../../../shared/domain/format/sms';
import type { Notification, NotifiedAlert } from '../../../shared/domain/notification';
import { aNotification, criticalFiring, hostileNotification } from '../../fixtures/delivery/notifications';

const NOW = Date.UTC(2026, 10, 26, 14, 0, 0);
const KEY = 'unit-link-key';
const BASE = 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com';
const [firstAlert] = criticalFiring.alerts;
if (firstAlert === undefined) throw new Error('the fixture has an alert');
const fixtureAlert: NotifiedAlert = firstAlert;

function withAlerts(count: number): Notification {
  const alerts = Array.from({ length: count }, (_, i) => ({
    ...fixtureAlert,
    fingerprint: i.toString(16).padStart(20, '0'),
    alarmName: `vigil-prod-high-cpu-svc${i}`,
  }));
  return aNotification({ alerts, totalAlerts: count });
}

const settings = { baseUrl: BASE, key: KEY, ttlMs: 86_400_000, now: NOW };

describe('one-click links of a notification', () => {
  it('sign each link for its alert, action and channel, valid for the TTL', () => {
    // Act
    const links = buildActionLinks(withAlerts(1), settings);

    // Assert
    const token = (url: string | undefined) => verifyLinkToken(KEY, (url ?? '').split('/l/')[1] ?? '', NOW);
    expect(token(links.email[0]?.ack)).toEqual({
      ok: true,
      claims: { fingerprint: '0'.repeat(20), action: 'ack', channel: 'email', expiresAt: NOW + 86_400_000 },
    });
    expect(token(links.email[0]?.silence)).toMatchObject({
      claims: { action: 'silence-1h', channel: 'email' },
    });
    expect(token(links.sms)).toMatchObject({ claims: { action: 'ack', channel: 'sms' } });
  });

  it('link at most ten alerts of an email, say how to act on the rest, and give a group SMS none', () => {
    // Arrange
    const n = withAlerts(12);

    // Act
    const links = buildActionLinks(n, settings);
    const body = renderEmailBody(n, { actionLinks: links.email });

    // Assert
    expect(links.email).toHaveLength(EMAIL_LINKED_ALERTS);
    expect(links.sms).toBeUndefined();
    expect(body).toContain('Act on it (each link opens a page that asks you to confirm):');
    expect(body).toContain('...and 2 more: acknowledge them in Slack or with `vigil alerts ack`.');
    expect(body.indexOf('Act on it')).toBeLessThan(body.indexOf('--- Alert 1'));
  });

  it('give resolves, digests and acknowledgements no links', () => {
    const n = withAlerts(1);
    expect(buildActionLinks({ ...n, status: 'resolved' }, settings)).toEqual({ email: [] });
    expect(buildActionLinks({ ...n, reason: 'acknowledged' }, settings)).toEqual({ email: [] });
  });
});

describe('an SMS with its acknowledge link', () => {
  it('keeps one GSM-7 segment and the text first, the link in place of the id', () => {
    // Arrange
    const n = withAlerts(1);
    const link = buildActionLinks(n, settings).sms;

    // Act
    const sms = renderSms(n, { ackUrl: link });

    // Assert
    expect(sms.startsWith('[CRITICAL] checkout: Error rate 7.2% above 5%')).toBe(true);
    expect(sms.endsWith(` ${link}`)).toBe(true);
    expect(sms).not.toContain('id:');
    expect(smsSegmentInfo(sms)).toMatchObject({ encoding: 'GSM-7' });
    expect(smsSegmentInfo(sms).units).toBeLessThanOrEqual(160);
  });

  it('leaves out a link that would leave too little text, and one a UCS-2 message cannot hold', () => {
    const n = withAlerts(1);
    const long = `${BASE}/${'x'.repeat(120)}`;
    expect(renderSms(n, { ackUrl: long })).toContain('id:');
    const emoji = aNotification({
      alerts: [{ ...fixtureAlert, annotations: { summary: '🔥 checkout is on fire' } }],
    });
    const sms = renderSms(emoji, { ackUrl: `${BASE}/l/${'A'.repeat(32)}` });
    expect(sms).not.toContain('/l/');
    expect(fitsOneSegment(sms)).toBe(true);
  });

  it('is always one segment, whatever the text', () => {
    fc.assert(
      fc.property(hostileNotification, (n) => {
        expect(fitsOneSegment(renderSms(n, { ackUrl: `${BASE}/l/${'A'.repeat(32)}` }))).toBe(true);
      }),
    );
  });
});
