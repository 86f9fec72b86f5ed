import { renderEmail } from '../../../shared/domain/format/email';
import { renderPagerDutyEvent } from '../../../shared/domain/format/pagerduty';
import { renderSlack, type SlackBlock } from '../../../shared/domain/format/slack';
import { renderSms } from '../../../shared/domain/format/sms';
import { aNotification, stormDigest } from '../../fixtures/delivery/notifications';

function mrkdwn(blocks: readonly SlackBlock[]): string {
  return blocks
    .map((b) =>
      b.type === 'section'
        ? (b.text?.text ?? '')
        : b.type === 'context'
          ? b.elements.map((e) => e.text).join()
          : '',
    )
    .join('\n');
}

describe('storm digests and reasons', () => {
  it('shows the digest counts, the first alarms by name and how to read them all in Slack', () => {
    // Act
    const text = mrkdwn(renderSlack(stormDigest).attachments[0].blocks);

    // Assert
    expect(text).toContain('*Storm digest*\n40 firing, 2 resolved, 12 new in the window');
    expect(text).toContain('By service: checkout 30, search 12');
    expect(text).toContain('Top offenders: prod-checkout-5xx-rate (18), prod-search-latency (9)');
    expect(text).toContain('*Alarms*\n🔴 prod-checkout-5xx-rate\n🔴 prod-search-latency\n…and 40 more');
    expect(text).toContain('`vigil --stage prod digests show s1126-1400.1`');
    expect(text).toContain('|Alarms in ALARM (CloudWatch)>');
    expect(text).toContain('Alert storm digest · Notification ntf-storm-1');
  });

  it('lists the alarms in the email body and points the SMS at the digest', () => {
    // Act
    const email = renderEmail(stormDigest);
    const sms = renderSms(stormDigest);

    // Assert
    expect(email.subject).toBe('[CRITICAL] Alert storm: 42 alerts in 5 minutes (42 alerts)');
    expect(email.body).toContain('Storm digest:\n  40 firing, 2 resolved, 12 new in the window');
    expect(email.body).toContain(
      'Firing (40):\n  prod-checkout-5xx-rate\n  prod-search-latency\n...and 40 more alarms.',
    );
    expect(email.body).toContain('Every alarm of this digest: vigil --stage prod digests show s1126-1400.1');
    expect(sms).toBe('[CRITICAL] Storm: 40 firing, 2 resolved; checkout 30, search 12 digest:s1126-1400.1');
  });

  it('carries the digest, its first alarms and the way to the rest in PagerDuty custom details', () => {
    expect(renderPagerDutyEvent(stormDigest).payload?.custom_details).toMatchObject({
      reason: 'digest',
      digest: expect.arrayContaining(['By severity: warning 32, critical 10']),
      digest_alarms: ['firing: prod-checkout-5xx-rate', 'firing: prod-search-latency'],
      digest_alarms_not_listed: 40,
      every_alarm: expect.arrayContaining([
        'Every alarm of this digest: vigil --stage prod digests show s1126-1400.1',
      ]),
    });
  });

  it('tells a reminder from a first notification', () => {
    // Act
    const text = mrkdwn(renderSlack(aNotification({ reason: 'repeat' })).attachments[0].blocks);

    // Assert
    expect(text).toContain('Reminder: still firing · Notification');
    expect(renderEmail(aNotification({ reason: 'escalation' })).body).toMatch(/Why: +Escalated/);
  });
});
