import { appendFileSync } from 'node:fs';
import * as path from 'node:path';
import { createHmac } from 'node:crypto';
import { REFUSAL_HEADER } from '../../../shared/actions/endpoint';
import { signLinkToken } from '../../../shared/domain/actions/link-token';
import { slackSignature } from '../../../shared/replay/slack-click';
import type { ActionHarness, Answer } from '../../support/action-harness';
import { startActionHarness, TEST_SECRETS } from '../../support/action-harness';
import { stopCheckingGrants } from '../../support/endpoint-grants';
import { FAULT_REPORT_DIR_ENV } from '../../support/fault-tally';

const CRITICAL = 'vigil-prod-high-error-rate-checkout';
const WARNING = 'vigil-prod-high-cpu-api';
const UNKNOWN_FINGERPRINT = 'f'.repeat(20);
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** One bad request: what it is, what it must get, and how to send it. */
interface HostileCase {
  readonly route: 'slack' | 'pagerduty' | 'link' | 'any';
  readonly request: string;
  readonly status: number;
  readonly code: string;
  readonly send: (h: ActionHarness) => Promise<Answer>;
}

/** Writes a row of the hostile-input table the test command prints at the end. */
function recordRow(row: Record<string, unknown>): void {
  const dir = process.env[FAULT_REPORT_DIR_ENV];
  if (dir)
    appendFileSync(
      path.join(dir, `hostile-${process.pid}.jsonl`),
      `${JSON.stringify({ kind: 'hostile-input', ...row })}\n`,
    );
}

function resignSlack(body: string, at: number): Record<string, string> {
  const ts = Math.floor(at / 1000);
  return {
    ...FORM,
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': slackSignature(TEST_SECRETS.slackSigning, ts, body),
  };
}

/** A click's form body with its payload changed by `edit`, signed again (so only the change is wrong). */
function editedClick(h: ActionHarness, edit: (payload: Record<string, unknown>) => void) {
  const click = h.slackClick(CRITICAL, 'vigil_ack');
  const payload = JSON.parse(new URLSearchParams(click.body).get('payload') ?? '{}') as Record<
    string,
    unknown
  >;
  edit(payload);
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return { body, headers: resignSlack(body, h.now()) };
}

function signPagerDuty(body: string): Record<string, string> {
  const signature = createHmac('sha256', TEST_SECRETS.pagerdutyWebhook).update(body).digest('hex');
  return { 'content-type': 'application/json', 'x-pagerduty-signature': `v1=${signature}` };
}

function linkPath(token: string): string {
  return `/l/${token}`;
}

function token(
  h: ActionHarness,
  fingerprint: string,
  action: 'ack' | 'silence-1h',
  expiresAt = h.now() + 3_600_000,
) {
  return signLinkToken(TEST_SECRETS.linkKey, { fingerprint, action, channel: 'email', expiresAt });
}

/** Flips one byte of the token's payload part (alert, action or expiry), keeping its MAC. */
function tamper(tokenText: string, byteIndex: number): string {
  const bytes = Buffer.from(tokenText, 'base64url');
  bytes[byteIndex] = (bytes[byteIndex] ?? 0) ^ 0x01;
  return bytes.toString('base64url');
}

const CASES: readonly HostileCase[] = [
  {
    route: 'slack',
    request: 'bad signature (body changed after signing)',
    status: 401,
    code: 'BAD_SIGNATURE',
    send: (h) => {
      const click = h.slackClick(CRITICAL, 'vigil_ack');
      return h.post('/slack/actions', click.body.replace('vigil_ack', 'vigil_silence_1h'), {
        ...click.headers,
      });
    },
  },
  {
    route: 'slack',
    request: 'no signature headers',
    status: 401,
    code: 'BAD_SIGNATURE',
    send: (h) => h.post('/slack/actions', h.slackClick(CRITICAL, 'vigil_ack').body, FORM),
  },
  {
    route: 'slack',
    request: 'signature with another secret',
    status: 401,
    code: 'BAD_SIGNATURE',
    send: (h) => {
      const click = h.slackClick(CRITICAL, 'vigil_ack');
      const ts = Math.floor(h.now() / 1000);
      return h.post('/slack/actions', click.body, {
        ...FORM,
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': slackSignature('not-the-signing-secret', ts, click.body),
      });
    },
  },
  {
    route: 'slack',
    request: 'stale timestamp (signed 6 minutes ago)',
    status: 401,
    code: 'STALE_TIMESTAMP',
    send: (h) => {
      const click = h.slackClick(CRITICAL, 'vigil_ack', undefined, h.now() - 6 * 60_000);
      return h.post('/slack/actions', click.body, { ...click.headers });
    },
  },
  {
    route: 'slack',
    request: 'timestamp 6 minutes ahead',
    status: 401,
    code: 'STALE_TIMESTAMP',
    send: (h) => {
      const click = h.slackClick(CRITICAL, 'vigil_ack', undefined, h.now() + 6 * 60_000);
      return h.post('/slack/actions', click.body, { ...click.headers });
    },
  },
  {
    route: 'slack',
    request: 'replayed request (same click again)',
    status: 409,
    code: 'REPLAYED',
    send: (h) => {
      const click = h.slackClick(
        WARNING,
        'vigil_silence_1h',
        { id: 'U0REPLAY', name: 'eve' },
        h.now() - 1_000,
      );
      return h.post('/slack/actions', click.body, { ...click.headers });
    },
  },
  {
    route: 'slack',
    request: 'unknown alert in the button value',
    status: 404,
    code: 'UNKNOWN_ALERT',
    send: (h) => {
      const { body, headers } = editedClick(h, (p) => {
        const [action] = p['actions'] as Record<string, unknown>[];
        if (action) action['value'] = UNKNOWN_FINGERPRINT;
      });
      return h.post('/slack/actions', body, headers);
    },
  },
  {
    route: 'slack',
    request: 'not a Vigil button (action id)',
    status: 400,
    code: 'MALFORMED_PAYLOAD',
    send: (h) => {
      const { body, headers } = editedClick(h, (p) => {
        const [action] = p['actions'] as Record<string, unknown>[];
        if (action) action['action_id'] = 'delete_everything';
      });
      return h.post('/slack/actions', body, headers);
    },
  },
  {
    route: 'slack',
    request: 'response_url not on hooks.slack.com',
    status: 400,
    code: 'MALFORMED_PAYLOAD',
    send: (h) => {
      const { body, headers } = editedClick(h, (p) => {
        p['response_url'] = 'https://attacker.example/collect';
      });
      return h.post('/slack/actions', body, headers);
    },
  },
  {
    route: 'slack',
    request: 'malformed body (payload is not JSON), signed',
    status: 400,
    code: 'MALFORMED_PAYLOAD',
    send: (h) => {
      const body = 'payload=%7Bnot-json';
      return h.post('/slack/actions', body, resignSlack(body, h.now()));
    },
  },
  {
    route: 'slack',
    request: 'oversized body (70 KB), signed',
    status: 413,
    code: 'BODY_TOO_LARGE',
    send: (h) => {
      const body = `payload=${'x'.repeat(70 * 1024)}`;
      return h.post('/slack/actions', body, resignSlack(body, h.now()));
    },
  },
  {
    route: 'slack',
    request: 'JSON instead of a form',
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    send: (h) => h.post('/slack/actions', '{}', { 'content-type': 'application/json' }),
  },
  {
    route: 'slack',
    request: 'GET instead of POST',
    status: 405,
    code: 'METHOD_NOT_ALLOWED',
    send: (h) => h.get('/slack/actions'),
  },
  {
    route: 'pagerduty',
    request: 'bad signature',
    status: 401,
    code: 'BAD_SIGNATURE',
    send: (h) => {
      const w = h.pagerdutyWebhook('incident.acknowledged', h.fingerprint(CRITICAL));
      return h.post('/pagerduty/webhook', w.body, {
        ...w.headers,
        'x-pagerduty-signature': `v1=${'ab'.repeat(32)}`,
      });
    },
  },
  {
    route: 'pagerduty',
    request: 'no signature header',
    status: 401,
    code: 'BAD_SIGNATURE',
    send: (h) => {
      const w = h.pagerdutyWebhook('incident.acknowledged', h.fingerprint(CRITICAL));
      return h.post('/pagerduty/webhook', w.body, { 'content-type': 'application/json' });
    },
  },
  {
    route: 'pagerduty',
    request: 'stale event (occurred 2 hours ago), signed',
    status: 401,
    code: 'STALE_TIMESTAMP',
    send: (h) => {
      const w = h.pagerdutyWebhook('incident.acknowledged', h.fingerprint(CRITICAL), {
        occurredAt: h.now() - 2 * 3_600_000,
      });
      return h.post('/pagerduty/webhook', w.body, w.headers);
    },
  },
  {
    route: 'pagerduty',
    request: 'replayed event (same event id again)',
    status: 409,
    code: 'REPLAYED',
    send: (h) => {
      const w = h.pagerdutyWebhook('incident.acknowledged', h.fingerprint(WARNING), {
        id: 'EVT-ALREADY-SEEN',
      });
      return h.post('/pagerduty/webhook', w.body, w.headers);
    },
  },
  {
    route: 'pagerduty',
    request: 'unknown alert (a Vigil-shaped key nobody has)',
    status: 404,
    code: 'UNKNOWN_ALERT',
    send: (h) => {
      const w = h.pagerdutyWebhook('incident.acknowledged', UNKNOWN_FINGERPRINT);
      return h.post('/pagerduty/webhook', w.body, w.headers);
    },
  },
  {
    route: 'pagerduty',
    request: 'malformed body (no event.id), signed',
    status: 400,
    code: 'MALFORMED_PAYLOAD',
    send: (h) => {
      const body = JSON.stringify({
        event: {
          event_type: 'incident.acknowledged',
          occurred_at: new Date(h.now()).toISOString(),
          data: {},
        },
      });
      return h.post('/pagerduty/webhook', body, signPagerDuty(body));
    },
  },
  {
    route: 'pagerduty',
    request: 'not JSON, signed',
    status: 400,
    code: 'MALFORMED_PAYLOAD',
    send: (h) => h.post('/pagerduty/webhook', '{"event":', signPagerDuty('{"event":')),
  },
  {
    route: 'pagerduty',
    request: 'oversized body (1 MB), signed',
    status: 413,
    code: 'BODY_TOO_LARGE',
    send: (h) => {
      const body = JSON.stringify({ pad: 'x'.repeat(1024 * 1024) });
      return h.post('/pagerduty/webhook', body, signPagerDuty(body));
    },
  },
  {
    route: 'link',
    request: 'token for another action (action byte changed)',
    status: 403,
    code: 'BAD_TOKEN',
    send: (h) => h.post(linkPath(tamper(token(h, h.fingerprint(CRITICAL), 'ack'), 10)), 'confirm=yes', FORM),
  },
  {
    route: 'link',
    request: 'token for another alert (fingerprint changed)',
    status: 403,
    code: 'BAD_TOKEN',
    send: (h) => h.post(linkPath(tamper(token(h, h.fingerprint(CRITICAL), 'ack'), 3)), 'confirm=yes', FORM),
  },
  {
    route: 'link',
    request: 'token signed with another key',
    status: 403,
    code: 'BAD_TOKEN',
    send: (h) => {
      const forged = signLinkToken('a-guessed-key', {
        fingerprint: h.fingerprint(CRITICAL),
        action: 'ack',
        channel: 'email',
        expiresAt: h.now() + 3_600_000,
      });
      return h.post(linkPath(forged), 'confirm=yes', FORM);
    },
  },
  {
    route: 'link',
    request: 'expired token',
    status: 410,
    code: 'EXPIRED_TOKEN',
    send: (h) =>
      h.post(linkPath(token(h, h.fingerprint(CRITICAL), 'ack', h.now() - 60_000)), 'confirm=yes', FORM),
  },
  {
    route: 'link',
    request: 'used token',
    status: 410,
    code: 'USED_TOKEN',
    send: (h) =>
      h.post(linkPath(token(h, h.fingerprint(WARNING), 'ack', h.now() + 7_200_000)), 'confirm=yes', FORM),
  },
  {
    route: 'link',
    request: 'token for an unknown alert',
    status: 404,
    code: 'UNKNOWN_ALERT',
    send: (h) => h.post(linkPath(token(h, UNKNOWN_FINGERPRINT, 'ack')), 'confirm=yes', FORM),
  },
  {
    route: 'link',
    request: 'cut token',
    status: 400,
    code: 'MALFORMED_TOKEN',
    send: (h) => h.get(linkPath(token(h, h.fingerprint(CRITICAL), 'ack').slice(0, 20))),
  },
  {
    route: 'link',
    request: 'POST without the confirming field',
    status: 400,
    code: 'NOT_CONFIRMED',
    send: (h) => h.post(linkPath(token(h, h.fingerprint(CRITICAL), 'ack')), 'confirm=no', FORM),
  },
  {
    route: 'link',
    request: 'oversized POST (70 KB)',
    status: 413,
    code: 'BODY_TOO_LARGE',
    send: (h) =>
      h.post(
        linkPath(token(h, h.fingerprint(CRITICAL), 'ack')),
        `confirm=yes&pad=${'x'.repeat(70 * 1024)}`,
        FORM,
      ),
  },
  {
    route: 'link',
    request: 'PUT on a link',
    status: 405,
    code: 'METHOD_NOT_ALLOWED',
    send: (h) => h.send('PUT', linkPath(token(h, h.fingerprint(CRITICAL), 'ack')), 'confirm=yes', FORM),
  },
  {
    route: 'any',
    request: 'unknown path',
    status: 404,
    code: 'NO_SUCH_ROUTE',
    send: (h) => h.get('/admin'),
  },
];

let h: ActionHarness;

beforeAll(async () => {
  h = await startActionHarness();
  // Firing alerts and their messages, a used link, a seen PagerDuty event and a click already taken.
  await h.alarm(CRITICAL, 'ALARM');
  await h.alarm(WARNING, 'ALARM');
  await h.run(2);
  const used = token(h, h.fingerprint(WARNING), 'ack', h.now() + 7_200_000);
  expect((await h.post(linkPath(used), 'confirm=yes', FORM)).status).toBe(200);
  const seen = h.pagerdutyWebhook('incident.acknowledged', h.fingerprint(WARNING), {
    id: 'EVT-ALREADY-SEEN',
  });
  expect((await h.post('/pagerduty/webhook', seen.body, seen.headers)).status).toBe(200);
  const click = h.slackClick(WARNING, 'vigil_silence_1h', { id: 'U0REPLAY', name: 'eve' }, h.now() - 1_000);
  expect((await h.post('/slack/actions', click.body, { ...click.headers })).status).toBe(200);
});

afterAll(async () => {
  await stopCheckingGrants(h);
});

describe('hostile input at the action endpoint', () => {
  it.each(CASES.map((c) => [`${c.route}: ${c.request}`, c] as const))(
    '%s gets its 4xx and changes nothing',
    async (_name, c) => {
      // Arrange
      const before = await h.snapshot();
      const responsesBefore = h.responses().length;

      // Act
      const answer = await c.send(h);

      // Assert
      const unchanged = (await h.snapshot()) === before && h.responses().length === responsesBefore;
      const code = answer.headers.get(REFUSAL_HEADER);
      recordRow({ route: c.route, request: c.request, status: answer.status, code, unchanged });
      expect(answer.status).toBe(c.status);
      expect(code).toBe(c.code);
      if (c.route === 'link') expect(answer.body).toContain('This link cannot be used');
      else expect(JSON.parse(answer.body)).toMatchObject({ error: { code: c.code } });
      expect(unchanged).toBe(true);
    },
  );

  it('never writes a secret, a signature or a token into the logs', () => {
    const logged = JSON.stringify(h.log.lines);
    for (const secret of Object.values(TEST_SECRETS)) expect(logged).not.toContain(secret);
    expect(logged).not.toMatch(/v0=[0-9a-f]{64}/);
    expect(logged).not.toMatch(/\/l\/[A-Za-z0-9_-]{32}/);
    expect(h.log.lines.filter((l) => l.message === 'action refused')).toHaveLength(CASES.length);
  });
});
