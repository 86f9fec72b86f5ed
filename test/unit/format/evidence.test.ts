import { renderEmail } from '../../../shared/domain/format/email';
import { renderSlack, SLACK_LIMITS } from '../../../shared/domain/format/slack';
import type { NotificationEvidence } from '../../../shared/domain/notification';
import { aNotification } from '../../fixtures/delivery/notifications';

const evidence: NotificationEvidence = {
  incidentId: 'inc-1',
  incidentTitle: 'checkout: Error rate above 5%',
  page: { id: 'page-1', title: 'checkout: Error rate above 5%', sentAt: '2026-11-26T14:10:00.000Z' },
  from: '2026-11-26T13:40:00.000Z',
  until: '2026-11-26T14:10:00.000Z',
  sources: [
    {
      name: 'metrics',
      status: 'ok',
      summary: 'error_rate 11.9 % (rising)',
      links: [{ label: 'CloudWatch', url: 'https://console.aws.amazon.com/cloudwatch/home#metrics' }],
    },
    { name: 'logs', status: 'timeout', summary: 'unavailable: no answer within 4000 ms', links: [] },
    {
      name: 'traces',
      status: 'ok',
      summary: '2 traces with faults <@U123> *bold*',
      links: [{ label: 'trace 1-abc', url: 'javascript:alert(1)' }],
    },
  ],
};
const update = aNotification({ id: 'page-1:evidence:slack', reason: 'evidence', evidence });

describe('the evidence update', () => {
  it('on Slack: a header naming the page, one section per source with its status and safe links', () => {
    // Arrange / Act
    const message = renderSlack(update);
    const blocks = message.attachments[0].blocks;
    const text = JSON.stringify(blocks);
    // Assert
    expect(message.text).toBe('🔎 Evidence for the page: checkout: Error rate above 5%');
    expect(blocks[0]).toMatchObject({
      type: 'header',
      text: { text: '🔎 Evidence: checkout: Error rate above 5%' },
    });
    expect(text).toContain('Follows the page sent');
    expect(text).toContain('page-1');
    expect(text).toContain('*metrics* (ok)');
    expect(text).toContain('*logs* (timeout)');
    expect(text).toContain('<https://console.aws.amazon.com/cloudwatch/home#metrics|CloudWatch>');
    expect(text).not.toContain('javascript:');
    expect(text).not.toContain('<@U123>');
    for (const b of blocks) {
      if (b.type === 'section' && b.text)
        expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    }
  });

  it('by email: a plain-text update whose subject and first lines name the page', () => {
    // Arrange / Act
    const email = renderEmail(aNotification({ id: 'page-1:evidence:email', reason: 'evidence', evidence }));
    // Assert
    expect(email.subject).toBe('[EVIDENCE] checkout: Error rate above 5%');
    expect(email.body.split('\n').slice(0, 3)).toEqual([
      'Incident evidence for an earlier page: checkout: Error rate above 5%',
      '',
      expect.stringMatching(/^Page:\s+page-1, sent /),
    ]);
    expect(email.body).toContain('logs (timeout):\nunavailable: no answer within 4000 ms');
    expect(email.body).toContain('https://console.aws.amazon.com/cloudwatch/home#metrics');
    expect(email.body).not.toContain('javascript:');
  });
});
