import fc from 'fast-check';
import { LINK_TOKEN_LENGTH, signLinkToken, verifyLinkToken } from '../../../shared/domain/actions/link-token';

const KEY = 'unit-test-link-key';
const NOW = Date.UTC(2026, 10, 26, 14, 0, 0);
const claims = {
  fingerprint: '53ca53ea0c5f6e1ad362',
  action: 'ack',
  channel: 'sms',
  expiresAt: NOW + 86_400_000,
} as const;

describe('link tokens', () => {
  it('round-trips the alert, action, channel and expiry in 32 URL-safe characters', () => {
    // Act
    const token = signLinkToken(KEY, claims);
    const opened = verifyLinkToken(KEY, token, NOW);

    // Assert
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(token).toHaveLength(LINK_TOKEN_LENGTH);
    expect(opened).toEqual({ ok: true, claims });
  });

  it('refuses a token once its minute of expiry has come', () => {
    const token = signLinkToken(KEY, claims);
    expect(verifyLinkToken(KEY, token, claims.expiresAt - 1).ok).toBe(true);
    expect(verifyLinkToken(KEY, token, claims.expiresAt)).toEqual({ ok: false, problem: 'expired' });
  });

  it('refuses a token verified with another key', () => {
    expect(verifyLinkToken('another key', signLinkToken(KEY, claims), NOW)).toEqual({
      ok: false,
      problem: 'signature',
    });
  });

  it('any change to any byte of a token is refused', () => {
    const token = signLinkToken(KEY, claims);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 1, max: 255 }), (index, flip) => {
        // Arrange
        const bytes = Buffer.from(token, 'base64url');
        bytes[index] = (bytes[index] ?? 0) ^ flip;
        // Act
        const opened = verifyLinkToken(KEY, bytes.toString('base64url'), NOW);
        // Assert
        expect(opened.ok).toBe(false);
      }),
    );
  });

  it('refuses what is not a token, and will not sign what is not a fingerprint', () => {
    for (const bad of ['', 'short', `${signLinkToken(KEY, claims)}x`, '!'.repeat(32)]) {
      expect(verifyLinkToken(KEY, bad, NOW)).toEqual({ ok: false, problem: 'malformed' });
    }
    expect(() => signLinkToken(KEY, { ...claims, fingerprint: 'g-1234' })).toThrow(
      'link token: "g-1234" is not an alert fingerprint',
    );
  });
});
