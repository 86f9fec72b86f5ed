import fc from 'fast-check';
import {
  DEFAULT_RETRY_POLICY,
  backoffDelay,
  createHttpClient,
  parseRetryAfter,
} from '../../../shared/delivery/http-client';

const NOW = Date.parse('2026-11-26T14:00:00.000Z');

describe('parseRetryAfter', () => {
  it('reads delay seconds', () => {
    expect(parseRetryAfter('30', NOW)).toBe(30_000);
  });

  it('reads an HTTP date relative to now', () => {
    expect(parseRetryAfter('Thu, 26 Nov 2026 14:00:07 GMT', NOW)).toBe(7_000);
  });

  it('treats a date in the past as no wait and garbage as absent', () => {
    expect(parseRetryAfter('Thu, 26 Nov 2026 13:00:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  it('stays within the doubling ceiling and the maximum for any attempt and random value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (attempt, r) => {
          // Act
          const delay = backoffDelay(attempt, DEFAULT_RETRY_POLICY, () => r);

          // Assert
          const ceiling = Math.min(
            DEFAULT_RETRY_POLICY.maxDelayMs,
            DEFAULT_RETRY_POLICY.baseDelayMs * 2 ** (attempt - 1),
          );
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThan(ceiling);
        },
      ),
    );
  });
});

describe('createHttpClient', () => {
  function fakeFetch(statuses: number[]) {
    const calls: string[] = [];
    const doFetch: typeof fetch = (url) => {
      calls.push(url instanceof Request ? url.url : url.toString());
      const status = statuses.shift() ?? 200;
      return Promise.resolve(new Response(status === 200 ? 'ok' : 'boom', { status }));
    };
    return { calls, doFetch };
  }

  it('stops retrying when the next wait would pass the deadline', async () => {
    // Arrange
    const { calls, doFetch } = fakeFetch([500, 500, 500, 500]);
    const post = createHttpClient(
      { ...DEFAULT_RETRY_POLICY, baseDelayMs: 10_000, maxDelayMs: 10_000 },
      { fetch: doFetch, now: () => NOW, random: () => 0.9, sleep: () => Promise.resolve() },
    );

    // Act
    const outcome = post({ url: 'https://hooks.example/x', body: {}, target: 'peer', deadline: NOW + 5_000 });

    // Assert
    await expect(outcome).rejects.toMatchObject({
      code: 'SERVER_ERROR',
      retryable: true,
      status: 500,
      attempts: 1,
    });
    expect(calls).toHaveLength(1);
  });

  it('makes at most maxAttempts attempts', async () => {
    // Arrange
    const { calls, doFetch } = fakeFetch([502, 502, 502, 502, 502, 502]);
    const post = createHttpClient(DEFAULT_RETRY_POLICY, {
      fetch: doFetch,
      now: () => NOW,
      sleep: () => Promise.resolve(),
    });

    // Act
    const outcome = post({
      url: 'https://hooks.example/x',
      body: {},
      target: 'peer',
      deadline: NOW + 60_000,
    });

    // Assert
    await expect(outcome).rejects.toMatchObject({
      code: 'SERVER_ERROR',
      attempts: DEFAULT_RETRY_POLICY.maxAttempts,
    });
    expect(calls).toHaveLength(DEFAULT_RETRY_POLICY.maxAttempts);
  });

  it('does not retry a 403 and scrubs URLs and secrets from the reason', async () => {
    // Arrange
    const doFetch = (() =>
      Promise.resolve(
        new Response('action_prohibited https://hooks.slack.com/services/T/B/tok key=s3cr3tKey', {
          status: 403,
        }),
      )) as typeof fetch;
    const post = createHttpClient(DEFAULT_RETRY_POLICY, { fetch: doFetch, now: () => NOW });

    // Act
    const error: unknown = await post({
      url: 'https://hooks.slack.com/services/T/B/tok',
      body: {},
      target: 'Slack webhook',
      deadline: NOW + 60_000,
      secrets: ['s3cr3tKey'],
    }).catch((e: unknown) => e);

    // Assert
    expect(error).toMatchObject({
      name: 'ChannelDeliveryError',
      code: 'REJECTED',
      retryable: false,
      status: 403,
      reason: 'action_prohibited [url] key=[redacted]',
    });
  });
});
