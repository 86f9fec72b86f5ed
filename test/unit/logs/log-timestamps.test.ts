import fc from 'fast-check';
import { formatIsoTime, parseIsoLike } from '../../../shared/logs/log-timestamps';
import { indexNameFor } from '../../../shared/logs/log-document';

describe('formatIsoTime', () => {
  it('writes exactly what Date#toISOString writes, for any integer time a Date holds', () => {
    // Arrange / Act / Assert
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (ms) => {
        expect(formatIsoTime(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('parseIsoLike', () => {
  it('reads back every canonical time from 2000 to 2199', () => {
    // Arrange / Act / Assert
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2199, 11, 31) }), (ms) => {
        expect(parseIsoLike(new Date(ms).toISOString())).toBe(ms);
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('indexNameFor', () => {
  it('names the UTC day of the time', () => {
    // Arrange / Act / Assert
    expect(indexNameFor('access', Date.UTC(2024, 11, 31, 23, 59, 59, 999))).toBe('logs-access-2024.12.31');
    expect(indexNameFor('error', Date.UTC(2025, 0, 1))).toBe('logs-error-2025.01.01');
  });
});
