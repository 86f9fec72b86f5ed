import { ACTION_ENDPOINT_TABLE_GRANTS } from '../../../infra/constructs/action-endpoint';
import type { ActionHarness } from '../../support/action-harness';
import { startActionHarness } from '../../support/action-harness';
import { callKinds, ungrantedCalls } from '../../support/endpoint-grants';

const WARNING = 'vigil-prod-high-cpu-api';
const CRITICAL = 'vigil-prod-high-error-rate-checkout';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

let h: ActionHarness;

beforeEach(async () => {
  h = await startActionHarness();
});

afterEach(async () => {
  await h.stop();
});

describe("the action endpoint's role", () => {
  it('covers every DynamoDB request of every action, success or refusal', async () => {
    // Arrange: a warning and a paged critical, told to Slack, email and PagerDuty
    await h.alarm(WARNING, 'ALARM');
    await h.alarm(CRITICAL, 'ALARM');
    await h.run(3);
    const email = h.published.find((p) => p.channel === 'email' && p.notification.status === 'firing');
    const body = (JSON.parse(email?.envelope.message ?? '{}') as { email?: string }).email ?? '';
    const link = new URL(/Silence 1h:\s*(https:\/\/\S+)/.exec(body)?.[1] ?? 'https://x/none').pathname;
    const dedupKey = h.fingerprint(CRITICAL);

    // Act: every kind of action, and refusals that release what they claimed
    const answers = [];
    const ack = h.slackClick(CRITICAL, 'vigil_ack');
    answers.push((await h.post('/slack/actions', ack.body, { ...ack.headers })).status);
    const silence = h.slackClick(WARNING, 'vigil_silence_resolved', undefined, h.now() + 1_000);
    answers.push((await h.post('/slack/actions', silence.body, { ...silence.headers })).status);
    answers.push((await h.get(link)).status, (await h.post(link, 'confirm=yes', FORM)).status);
    const resolved = h.pagerdutyWebhook('incident.resolved', dedupKey);
    answers.push((await h.post('/pagerduty/webhook', resolved.body, resolved.headers)).status);
    const unknown = h.pagerdutyWebhook('incident.acknowledged', 'ffffffffffffffffffff', { id: 'Q0UNKNOWN' });
    const refused = (await h.post('/pagerduty/webhook', unknown.body, unknown.headers)).status;

    // Assert: each request is one a statement allows
    expect(answers).toEqual([200, 200, 200, 200, 200]);
    expect(refused).toBe(404);
    expect(ungrantedCalls(h.endpointCalls)).toEqual([]);
    const kinds = callKinds(h.endpointCalls);
    const granted = ACTION_ENDPOINT_TABLE_GRANTS.flatMap((g) =>
      g.actions.flatMap((a) => g.keyPrefixes.map((p) => `${a.replace('dynamodb:', '')} ${p}`)),
    );
    process.stdout.write(`action endpoint: DynamoDB requests seen: ${kinds.join(', ')}\n`);
    expect(kinds.every((k) => granted.includes(k))).toBe(true);
    expect(kinds).toEqual(
      expect.arrayContaining(['DeleteItem ACTION#', 'PutItem ALERT#', 'PutItem SILENCE#']),
    );
  });
});
