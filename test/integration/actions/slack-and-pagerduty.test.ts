import type { ActionHarness } from '../../support/action-harness';
import { startActionHarness } from '../../support/action-harness';
import { stopCheckingGrants } from '../../support/endpoint-grants';

const WARNING = 'vigil-prod-high-cpu-api';
const OTHER_WARNING = 'vigil-prod-high-cpu-checkout';
const CRITICAL = 'vigil-prod-high-error-rate-checkout';
const OTHER_CRITICAL = 'vigil-prod-high-error-rate-api';

let h: ActionHarness;

beforeEach(async () => {
  h = await startActionHarness();
});

afterEach(async () => {
  await stopCheckingGrants(h);
});

function blocksOf(
  body: Record<string, unknown>,
): { type: string; block_id?: string; elements?: unknown[] }[] {
  const attachments = body['attachments'] as { blocks: { type: string; block_id?: string }[] }[];
  return attachments.flatMap((a) => a.blocks);
}

describe('a Slack click on the action endpoint', () => {
  it('acknowledges the alert and its incident, stops escalation, updates the message, and a replay changes nothing', async () => {
    // Arrange: two warnings fire; the tick tells Slack (with buttons) and opens their incidents.
    await h.alarm(WARNING, 'ALARM');
    await h.alarm(OTHER_WARNING, 'ALARM');
    await h.run(12);
    expect(h.on('email')).toHaveLength(0);
    const posted = h.slackPosts().find((m) => m.text.includes('api'));
    expect(posted?.attachments[0].blocks.some((b) => b.type === 'actions')).toBe(true);
    const fingerprint = h.fingerprint(WARNING);
    const click = h.slackClick(WARNING, 'vigil_ack', { id: 'U0ANA', name: 'ana' });

    // Act: the click at PT12M, over HTTP
    const answer = await h.post('/slack/actions', click.body, { ...click.headers });

    // Assert: acknowledged, with who and from where, on the alert, the incident and the audit
    expect(answer.status).toBe(200);
    const alert = await h.store.get(fingerprint);
    expect(alert?.ack?.by).toBe('slack:U0ANA (ana)');
    const pointer = await h.incidents.getPointer('api');
    const incident = await h.incidents.get(pointer?.incidentId ?? '');
    expect(incident?.acknowledgedBy).toBe('slack:U0ANA (ana)');
    expect(incident?.timeline.at(-1)).toMatchObject({
      kind: 'acknowledged',
      by: 'slack:U0ANA (ana)',
      detail: `alert ${WARNING}`,
    });
    expect(await h.audit.list(fingerprint, 10)).toEqual([
      expect.objectContaining({ action: 'acknowledge', by: 'slack:U0ANA (ana)', via: 'slack' }),
    ]);
    // The message at response_url: same text, no buttons, who acknowledged.
    const [update] = h.responses();
    const replacement = JSON.parse(update?.body ?? '{}') as Record<string, unknown>;
    expect(replacement['replace_original']).toBe(true);
    expect(blocksOf(replacement).some((b) => b.type === 'actions')).toBe(false);
    expect(JSON.stringify(replacement)).toContain('Acknowledged by <@U0ANA>');

    // Act: the same request again
    const before = await h.snapshot();
    const replay = await h.post('/slack/actions', click.body, { ...click.headers });

    // Assert: refused, nothing changed, no second update
    expect(replay.status).toBe(409);
    expect(JSON.parse(replay.body)).toMatchObject({ error: { code: 'REPLAYED' } });
    expect(await h.snapshot()).toBe(before);
    expect(h.responses()).toHaveLength(1);

    // Act: the tick runs on past both escalation steps
    await h.run(25);

    // Assert: the acknowledged alert never escalated; the other one did, at 15 and 30 minutes
    const escalations = h.published.filter((p) => p.notification.reason === 'escalation');
    expect(escalations.length).toBeGreaterThan(0);
    for (const e of escalations) {
      expect(e.notification.alerts.map((a) => a.alarmName)).toEqual([OTHER_WARNING]);
    }
    expect(escalations.map((e) => e.channel).sort()).toEqual(['email', 'sms']);
  });

  it('silences for an hour from the button, and the message says until when', async () => {
    // Arrange
    await h.alarm(WARNING, 'ALARM');
    await h.run(2);
    const click = h.slackClick(WARNING, 'vigil_silence_1h', { id: 'U0BOB', name: 'bob' });

    // Act
    const answer = await h.post('/slack/actions', click.body, { ...click.headers });

    // Assert
    expect(answer.status).toBe(200);
    const silences = await h.groups.listSilences(h.now(), 0);
    expect(silences).toHaveLength(1);
    expect(silences[0]).toMatchObject({
      author: 'slack:U0BOB (bob)',
      matchers: [{ label: 'alarm', op: '=', value: WARNING }],
      endsAt: h.now() + 3_600_000,
      endOnResolve: false,
    });
    expect(h.responses()[0]?.body).toContain('Silenced for 1 hour (until 15:02 UTC) by <@U0BOB>');
    // Muted: no escalation while the silence holds.
    await h.run(20);
    expect(h.on('email')).toHaveLength(0);
  });

  it('silences until resolved: the silence ends when the alert resolves', async () => {
    // Arrange
    await h.alarm(WARNING, 'ALARM');
    await h.run(2);
    const click = h.slackClick(WARNING, 'vigil_silence_resolved');
    expect((await h.post('/slack/actions', click.body, { ...click.headers })).status).toBe(200);
    const [silence] = await h.groups.listSilences(h.now(), 0);
    expect(silence?.endOnResolve).toBe(true);

    // Act
    await h.alarm(WARNING, 'OK');
    await h.run(2);

    // Assert
    expect(await h.groups.listSilences(h.now(), 0)).toEqual([]);
    expect((await h.groups.getSilence(silence?.id ?? ''))?.expiredBy).toBe('vigil');
  });
});

describe('PagerDuty both ways, against a local HTTP server', () => {
  it('a Vigil acknowledgement sends PagerDuty an acknowledge with the same dedup_key', async () => {
    // Arrange: the critical pages PagerDuty at once
    await h.alarm(CRITICAL, 'ALARM');
    const fingerprint = h.fingerprint(CRITICAL);
    const [trigger] = h.pagerdutyEvents();
    expect(trigger).toMatchObject({ event_action: 'trigger', dedup_key: fingerprint });
    const click = h.slackClick(CRITICAL, 'vigil_ack', { id: 'U0ANA', name: 'ana' });

    // Act
    const answer = await h.post('/slack/actions', click.body, { ...click.headers });

    // Assert: PagerDuty's Events API got the acknowledge, with the routing key, for the same key
    expect(answer.status).toBe(200);
    expect(h.pagerdutyEvents().slice(1)).toEqual([
      { routing_key: 'replay-routing-key', event_action: 'acknowledge', dedup_key: fingerprint },
    ]);
    // The acknowledge is done: nothing is left for the tick's sweep.
    expect((await h.store.get(fingerprint))?.outbox).toBeUndefined();
  });

  it('a signed incident.acknowledged webhook acknowledges the Vigil alert, and sends nothing back', async () => {
    // Arrange
    await h.alarm(OTHER_CRITICAL, 'ALARM');
    const fingerprint = h.fingerprint(OTHER_CRITICAL);
    const eventsBefore = h.pagerdutyEvents().length;
    const webhook = h.pagerdutyWebhook('incident.acknowledged', fingerprint);

    // Act
    const answer = await h.post('/pagerduty/webhook', webhook.body, webhook.headers);

    // Assert
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({
      event: 'incident.acknowledged',
      changed: [fingerprint],
      unchanged: [],
    });
    const alert = await h.store.get(fingerprint);
    expect(alert?.ack?.by).toBe('pagerduty:PXYZ123 (Ana Lee)');
    const incident = await h.incidents.get((await h.incidents.getPointer('api'))?.incidentId ?? '');
    expect(incident?.acknowledgedBy).toBe('pagerduty:PXYZ123 (Ana Lee)');
    expect(h.pagerdutyEvents()).toHaveLength(eventsBefore);
    // The repeat an hour later does not come: it is acknowledged.
    await h.run(70);
    expect(h.published.filter((p) => p.notification.reason === 'repeat')).toEqual([]);
  });

  it('a signed incident.resolved webhook resolves the alert by hand: channels hear it, the incident resolves', async () => {
    // Arrange
    await h.alarm(CRITICAL, 'ALARM');
    const fingerprint = h.fingerprint(CRITICAL);
    const webhook = h.pagerdutyWebhook('incident.resolved', fingerprint);

    // Act
    const answer = await h.post('/pagerduty/webhook', webhook.body, webhook.headers);

    // Assert
    expect(answer.status).toBe(200);
    const alert = await h.store.get(fingerprint);
    expect(alert?.status).toBe('resolved');
    expect(alert?.annotations.reason).toBe(
      'Resolved by hand by pagerduty:PXYZ123 (Ana Lee): resolved in PagerDuty (incident Q1ABCDEF)',
    );
    expect(
      h.published
        .filter((p) => p.notification.status === 'resolved')
        .map((p) => p.channel)
        .sort(),
    ).toEqual(['email', 'pagerduty', 'slack']);
    const incident = await h.incidents.get((await h.incidents.getPointer('checkout'))?.incidentId ?? '');
    expect(incident?.status).toBe('resolved');
    expect(incident?.timeline.at(-1)).toMatchObject({ kind: 'resolved', by: 'pagerduty:PXYZ123 (Ana Lee)' });
  });

  it('ignores, with 202, events that change nothing in Vigil and incidents Vigil did not open', async () => {
    // Arrange
    await h.alarm(CRITICAL, 'ALARM');
    const before = await h.snapshot();
    const triggered = h.pagerdutyWebhook('incident.triggered', h.fingerprint(CRITICAL));
    const foreign = h.pagerdutyWebhook('incident.acknowledged', 'another-tool-key-1234');

    // Act
    const answers = [
      await h.post('/pagerduty/webhook', triggered.body, triggered.headers),
      await h.post('/pagerduty/webhook', foreign.body, foreign.headers),
    ];

    // Assert
    expect(answers.map((a) => a.status)).toEqual([202, 202]);
    expect(await h.snapshot()).toBe(before);
  });
});
