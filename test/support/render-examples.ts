// Prints example rendered messages for a firing critical alert and its resolve, on every channel.
// Run: npx tsx test/support/render-examples.ts
import { renderEmail } from '../../shared/domain/format/email';
import { renderPagerDutyEvent } from '../../shared/domain/format/pagerduty';
import { renderSlack } from '../../shared/domain/format/slack';
import { renderSms, smsSegmentInfo } from '../../shared/domain/format/sms';
import type { Notification } from '../../shared/domain/notification';
import { criticalFiring, criticalResolved } from '../fixtures/delivery/notifications';

function section(title: string, body: string): void {
  process.stdout.write(`\n=== ${title} ===\n${body}\n`);
}

function renderAll(label: string, n: Notification): void {
  section(`Slack webhook payload (${label})`, JSON.stringify(renderSlack(n), null, 2));
  const email = renderEmail(n);
  section(`Email (${label})`, `Subject: ${email.subject}\n\n${email.body}`);
  const sms = renderSms(n);
  const info = smsSegmentInfo(sms);
  section(`SMS (${label}; ${info.encoding}, ${info.units}/${info.limit})`, sms);
  section(
    `PagerDuty event (${label}; routing_key added at send time)`,
    JSON.stringify(renderPagerDutyEvent(n), null, 2),
  );
}

renderAll('firing critical', criticalFiring);
renderAll('resolved', criticalResolved);
