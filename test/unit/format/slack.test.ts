import fc from 'fast-check';
import {
  escapeSlackText,
  renderSlack,
  SLACK_LIMITS,
  type SlackBlock,
} from '../../../shared/domain/format/slack';
import {
  aNotification,
  criticalFiring,
  criticalResolved,
  hostileNotification,
} from '../../fixtures/delivery/notifications';

function texts(block: SlackBlock): string[] {
  switch (block.type) {
    case 'header':
      return [block.text.text];
    case 'section':
      return [...(block.text ? [block.text.text] : []), ...(block.fields ?? []).map((f) => f.text)];
    case 'context':
      return block.elements.map((e) => e.text);
    case 'actions':
      return block.elements.map((e) => e.text.text);
    case 'divider':
      return [];
  }
}

describe('renderSlack', () => {
  it('renders a firing critical with colour, emoji, fields and links', () => {
    // Act
    const msg = renderSlack(criticalFiring);

    // Assert
    const [attachment] = msg.attachments;
    expect(attachment.color).toBe('#D92D20');
    expect(attachment.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: '🔴 FIRING: checkout: error rate above 5%', emoji: true },
    });
    const all = attachment.blocks.flatMap(texts).join('\n');
    expect(all).toContain('*Service*\ncheckout');
    expect(all).toContain('*Team*\npayments');
    expect(all).toContain('7.2% &gt; 5%');
    expect(all).toContain('*Started*\n2026-11-26 14:02 UTC');
    expect(all).toContain('*Firing for*\n12m 30s');
    expect(all).toContain(
      '<https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/prod-checkout-5xx-rate|CloudWatch alarm>',
    );
    expect(all).toContain('|Runbook>');
    expect(all).toContain('|Dashboard>');
    expect(all).toContain('*Diagnostics*');
  });

  it('renders a resolve in green with how long it lasted', () => {
    // Act
    const msg = renderSlack(criticalResolved);

    // Assert
    expect(msg.attachments[0].color).toBe('#12B76A');
    const all = msg.attachments[0].blocks.flatMap(texts).join('\n');
    expect(all).toContain('✅ RESOLVED');
    expect(all).toContain('*Lasted*\n29m 0s');
  });

  it('builds the console link in the region of the alarm', () => {
    // Arrange
    const [alert] = criticalFiring.alerts;
    if (!alert) throw new Error('fixture');
    const n = aNotification({ alerts: [{ ...alert, region: 'us-east-2', alarmName: 'a b/c' }] });

    // Act
    const all = renderSlack(n).attachments[0].blocks.flatMap(texts).join('\n');

    // Assert
    expect(all).toContain(
      'https://us-east-2.console.aws.amazon.com/cloudwatch/home?region=us-east-2#alarmsV2:alarm/a%20b%2Fc|',
    );
  });

  it('lists the first 10 alerts of a group and counts the rest', () => {
    // Arrange
    const [alert] = criticalFiring.alerts;
    if (!alert) throw new Error('fixture');
    const alerts = Array.from({ length: 12 }, (_, i) => ({ ...alert, alarmName: `alarm-${i}` }));
    const n = aNotification({ alerts, totalAlerts: 37 });

    // Act
    const all = renderSlack(n).attachments[0].blocks.flatMap(texts).join('\n');

    // Assert
    expect(all).toContain('*37 alerts in this group*');
    expect(all).toContain('alarm-9');
    expect(all).not.toContain('alarm-10');
    expect(all).toContain('…and 27 more');
  });

  it('neutralises mentions, links and formatting in label text', () => {
    // Arrange
    const [alert] = criticalFiring.alerts;
    if (!alert) throw new Error('fixture');
    const evil = '<!channel> <@U123> *bold* <https://evil.example|x> & @here';
    const n = aNotification({
      title: evil,
      alerts: [{ ...alert, labels: { service: evil, team: evil }, annotations: { summary: evil } }],
    });

    // Act
    const msg = renderSlack(n);

    // Assert
    const json = JSON.stringify(msg);
    const mrkdwn = msg.attachments[0].blocks
      .filter((b) => b.type !== 'header')
      .flatMap(texts)
      .join('\n');
    expect(json).not.toContain('<!channel>');
    expect(json).not.toContain('<@U123>');
    expect(mrkdwn).not.toContain('*bold*');
    expect(json).not.toContain('<https://evil.example');
    expect(json).not.toContain('@here');
    expect(json).toContain('&lt;!channel&gt; &lt;@U123&gt; ∗bold∗');
  });

  it('escapes entities once and keeps ordinary text', () => {
    expect(escapeSlackText('a & b < c > d')).toBe('a &amp; b &lt; c &gt; d');
    expect(escapeSlackText('plain words 42')).toBe('plain words 42');
  });

  it('yields a payload within Slack limits with no live mention for any notification', () => {
    fc.assert(
      fc.property(hostileNotification, (n) => {
        // Act
        const msg = renderSlack(n);

        // Assert
        const [attachment] = msg.attachments;
        expect(attachment.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.maxBlocks);
        expect(msg.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
        for (const block of attachment.blocks) {
          if (block.type === 'header')
            expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
          if (block.type === 'section') {
            expect(block.text !== undefined || (block.fields?.length ?? 0) > 0).toBe(true);
            expect(block.fields?.length ?? 0).toBeLessThanOrEqual(SLACK_LIMITS.maxFields);
            for (const f of block.fields ?? [])
              expect(f.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
          }
          for (const t of texts(block)) {
            expect(t.length).toBeGreaterThan(0);
            expect(t.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
            // Only our own links may open a Slack control sequence.
            for (const m of t.matchAll(/<([^>]*)>/g))
              expect(m[1]).toMatch(/^https?:\/\/[^|<>\s]+\|(CloudWatch alarm|Dashboard|Runbook)$/);
          }
        }
        expect(() => JSON.parse(JSON.stringify(msg)) as unknown).not.toThrow();
      }),
      { numRuns: 150 },
    );
  });
});
