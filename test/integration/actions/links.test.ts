import { smsSegmentInfo } from '../../../shared/domain/format/sms';
import type { ActionHarness } from '../../support/action-harness';
import { startActionHarness } from '../../support/action-harness';
import { stopCheckingGrants } from '../../support/endpoint-grants';

const CRITICAL = 'vigil-prod-high-error-rate-checkout';
const CPU_WARNING = 'vigil-prod-high-cpu-checkout';

let h: ActionHarness;

beforeEach(async () => {
  h = await startActionHarness();
});

afterEach(async () => {
  await stopCheckingGrants(h);
});

/** The path of the first link in a body after `label`. */
function linkAfter(body: string, label: string): string {
  const match = new RegExp(`${label}\\s*(https://\\S+)`).exec(body);
  if (!match?.[1]) throw new Error(`no ${label} link in:\n${body}`);
  return new URL(match[1]).pathname;
}

describe('one-click links in email and SMS', () => {
  it('the email link opens a page that names the alert and changes nothing; the confirming click acknowledges once', async () => {
    // Arrange: the critical's email carries its links
    await h.alarm(CRITICAL, 'ALARM');
    const email = h.published.find((p) => p.channel === 'email');
    const body = (JSON.parse(email?.envelope.message ?? '{}') as { email: string }).email;
    expect(body).toContain('Act on it (each link opens a page that asks you to confirm):');
    const path = linkAfter(body, 'Acknowledge:');
    // The JSON bodies (Lambda, SQS, HTTPS subscribers) carry no link: links are capabilities.
    expect(JSON.parse(email?.envelope.message ?? '{}')['lambda']).not.toContain(path);
    const before = await h.snapshot();

    // Act: what a mail gateway's link scanner (or the person) does first
    const page = await h.get(path);

    // Assert: a page naming the alert, with a button; nothing changed
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.body).toContain(`Acknowledge ${CRITICAL}?`);
    expect(page.body).toContain('Error rate above 5%');
    expect(page.body).toContain('<form method="post">');
    expect(await h.snapshot()).toBe(before);

    // Act: the confirming click
    const done = await h.post(path, 'confirm=yes', { 'content-type': 'application/x-www-form-urlencoded' });

    // Assert
    expect(done.status).toBe(200);
    expect(done.body).toContain(`${CRITICAL} acknowledged`);
    const fingerprint = h.fingerprint(CRITICAL);
    expect((await h.store.get(fingerprint))?.ack?.by).toBe('link:email');
    const incident = await h.incidents.get((await h.incidents.getPointer('checkout'))?.incidentId ?? '');
    expect(incident?.timeline.at(-1)).toMatchObject({ kind: 'acknowledged', by: 'link:email' });
    expect(await h.audit.list(fingerprint, 5)).toEqual([
      expect.objectContaining({ action: 'acknowledge', via: 'email', by: 'link:email' }),
    ]);
    expect(h.pagerdutyEvents().at(-1)).toMatchObject({ event_action: 'acknowledge', dedup_key: fingerprint });

    // Act: the link again, opened and clicked
    const after = await h.snapshot();
    const reopened = await h.get(path);
    const again = await h.post(path, 'confirm=yes', { 'content-type': 'application/x-www-form-urlencoded' });

    // Assert: single use
    expect([reopened.status, again.status]).toEqual([410, 410]);
    expect(again.body).toContain('the link was already used; it works once');
    expect(await h.snapshot()).toBe(after);
  });

  it('the SMS carries the acknowledge link within one segment, and it acknowledges as link:sms', async () => {
    // Arrange: a CPU warning nobody acknowledges reaches SMS after 30 minutes (the seed's criticals
    // of error rate page PagerDuty, not SMS)
    await h.alarm(CPU_WARNING, 'ALARM');
    await h.run(31);
    const sms = h.published.find((p) => p.channel === 'sms');
    const text = (JSON.parse(sms?.envelope.message ?? '{}') as { sms: string }).sms;
    const info = smsSegmentInfo(text);
    expect(info).toMatchObject({ encoding: 'GSM-7' });
    expect(info.units).toBeLessThanOrEqual(160);
    const url = /https:\/\/\S+$/.exec(text)?.[0] ?? '';
    expect(url).toMatch(/^https:\/\/actions\.vigil\.test\/l\/[A-Za-z0-9_-]{32}$/);
    expect(text).toMatch(/checkout: CPU above 80%/);

    // Act
    const done = await h.post(new URL(url).pathname, 'confirm=yes', {
      'content-type': 'application/x-www-form-urlencoded',
    });

    // Assert
    expect(done.status).toBe(200);
    expect((await h.store.get(h.fingerprint(CPU_WARNING)))?.ack?.by).toBe('link:sms');
  });

  it('the silence link silences the alert for an hour', async () => {
    // Arrange
    await h.alarm(CRITICAL, 'ALARM');
    const email = h.published.find((p) => p.channel === 'email');
    const path = linkAfter(
      (JSON.parse(email?.envelope.message ?? '{}') as { email: string }).email,
      'Silence 1h:',
    );

    // Act
    const page = await h.get(path);
    const done = await h.post(path, 'confirm=yes', { 'content-type': 'application/x-www-form-urlencoded' });

    // Assert
    expect(page.body).toContain(`Silence for 1 hour ${CRITICAL}?`);
    expect(done.status).toBe(200);
    const [silence] = await h.groups.listSilences(h.now(), 0);
    expect(silence).toMatchObject({ author: 'link:email', endsAt: h.now() + 3_600_000 });
  });
});
