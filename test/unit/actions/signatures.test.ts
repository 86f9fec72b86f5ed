import { createHmac } from 'node:crypto';
import { verifyPagerDutySignature, verifySlackSignature } from '../../../shared/domain/actions/signatures';

const NOW = Date.UTC(2026, 10, 26, 14, 0, 0);
const TS = String(NOW / 1000);
const BODY = 'payload=%7B%22type%22%3A%22block_actions%22%7D';
const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';

function slackSig(secret: string, ts: string, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
}

describe('Slack request signatures', () => {
  it('accepts v0= HMAC-SHA256 of v0:timestamp:body with the signing secret', () => {
    expect(
      verifySlackSignature({
        secret: SECRET,
        timestamp: TS,
        signature: slackSig(SECRET, TS, BODY),
        rawBody: BODY,
        now: NOW,
      }),
    ).toEqual({ ok: true });
  });

  it('refuses a changed body, another secret, a missing header and a malformed one', () => {
    const good = slackSig(SECRET, TS, BODY);
    const check = (signature: string | undefined, timestamp: string | undefined, body = BODY) =>
      verifySlackSignature({ secret: SECRET, timestamp, signature, rawBody: body, now: NOW });
    expect(check(good, TS, `${BODY}x`)).toEqual({ ok: false, problem: 'mismatch' });
    expect(check(slackSig('other', TS, BODY), TS)).toEqual({ ok: false, problem: 'mismatch' });
    expect(check(undefined, TS)).toEqual({ ok: false, problem: 'missing' });
    expect(check(good, undefined)).toEqual({ ok: false, problem: 'missing' });
    expect(check(good.replace('v0=', 'v1='), TS)).toEqual({ ok: false, problem: 'malformed' });
    expect(check(good, 'yesterday')).toEqual({ ok: false, problem: 'malformed' });
    expect(check('v0=abc', TS)).toEqual({ ok: false, problem: 'mismatch' });
  });

  it('refuses a timestamp more than five minutes from now, either way', () => {
    for (const offset of [-301, 301]) {
      const ts = String(NOW / 1000 + offset);
      expect(
        verifySlackSignature({
          secret: SECRET,
          timestamp: ts,
          signature: slackSig(SECRET, ts, BODY),
          rawBody: BODY,
          now: NOW,
        }),
      ).toEqual({ ok: false, problem: 'stale' });
    }
    const edge = String(NOW / 1000 - 300);
    expect(
      verifySlackSignature({
        secret: SECRET,
        timestamp: edge,
        signature: slackSig(SECRET, edge, BODY),
        rawBody: BODY,
        now: NOW,
      }).ok,
    ).toBe(true);
  });
});

describe('PagerDuty webhook signatures', () => {
  const body = '{"event":{"id":"01ABC"}}';
  const sig = (secret: string) => `v1=${createHmac('sha256', secret).update(body).digest('hex')}`;

  it('accepts the header when any of its v1 signatures matches (secret rotation)', () => {
    expect(verifyPagerDutySignature({ secret: SECRET, header: sig(SECRET), rawBody: body })).toEqual({
      ok: true,
    });
    expect(
      verifyPagerDutySignature({
        secret: SECRET,
        header: `${sig('old-secret')}, ${sig(SECRET)}`,
        rawBody: body,
      }),
    ).toEqual({ ok: true });
  });

  it('refuses no match, a missing header, v0 values and a header with too many values', () => {
    expect(verifyPagerDutySignature({ secret: SECRET, header: sig('other'), rawBody: body })).toEqual({
      ok: false,
      problem: 'mismatch',
    });
    expect(verifyPagerDutySignature({ secret: SECRET, header: undefined, rawBody: body })).toEqual({
      ok: false,
      problem: 'missing',
    });
    expect(
      verifyPagerDutySignature({ secret: SECRET, header: sig(SECRET).replace('v1=', 'v0='), rawBody: body }),
    ).toEqual({ ok: false, problem: 'mismatch' });
    expect(
      verifyPagerDutySignature({
        secret: SECRET,
        header: Array(11).fill(sig(SECRET)).join(','),
        rawBody: body,
      }),
    ).toEqual({ ok: false, problem: 'malformed' });
  });
});
