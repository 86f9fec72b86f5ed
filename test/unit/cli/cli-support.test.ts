import {
  CliError,
  EXIT,
  exitCodeOf,
  parseDurationFlag,
  parseSinceFlag,
} from '../../../shared/cli/cli-support';
import { formatTable, isoTime, shortDuration } from '../../../shared/cli/format';
import { ConfigError } from '../../../shared/domain/errors';
import { OperatorError } from '../../../shared/domain/operator';

describe('flag values', () => {
  it.each([
    ['45s', 45_000],
    ['30m', 1_800_000],
    ['2h', 7_200_000],
    ['1h30m', 5_400_000],
    ['1d', 86_400_000],
    ['1w', 604_800_000],
  ])('%s is %i ms', (text, ms) => {
    // Act / Assert
    expect(parseDurationFlag(text, 'duration')).toBe(ms);
  });

  it.each(['', '2', 'h', '2 hours', '0m', '-2h', 'PT2H'])('"%s" is not a duration', (text) => {
    // Act / Assert
    expect(() => parseDurationFlag(text, 'duration')).toThrow(CliError);
  });

  it('reads --since as a duration back from now or an ISO time', () => {
    // Arrange
    const now = Date.UTC(2026, 10, 26, 15, 0);
    // Act / Assert
    expect(parseSinceFlag('24h', now)).toBe(now - 86_400_000);
    expect(parseSinceFlag('2026-11-26T14:00:00Z', now)).toBe(Date.UTC(2026, 10, 26, 14, 0));
    expect(() => parseSinceFlag('2026-13-45', now)).toThrow(/not a valid ISO 8601 time/);
  });
});

describe('exit codes', () => {
  it.each([
    [new OperatorError('NOT_FOUND', 'x'), EXIT.notFound],
    [new OperatorError('NOT_FIRING', 'x'), EXIT.refused],
    [new OperatorError('INVALID_SILENCE', 'x'), EXIT.usage],
    [new OperatorError('CONFLICT', 'x'), EXIT.failure],
    [new ConfigError('x'), EXIT.usage],
    [new CliError(EXIT.refused, 'x'), EXIT.refused],
    [new Error('socket hang up'), EXIT.failure],
  ])('%p exits %i', (error, code) => {
    // Act / Assert
    expect(exitCodeOf(error)).toBe(code);
  });
});

describe('human output', () => {
  it('formats durations by their two largest units', () => {
    // Act / Assert
    expect([0, 45_000, 750_000, 3_600_000, 11_100_000, 187_200_000].map(shortDuration)).toEqual([
      '0s',
      '45s',
      '12m 30s',
      '1h',
      '3h 5m',
      '2d 4h',
    ]);
  });

  it('aligns table columns and prints ISO UTC times to the second', () => {
    // Act
    const table = formatTable(
      ['A', 'BB', 'C'],
      [
        ['long value', 'x', 'last'],
        ['y', 'wider value', 'z'],
      ],
    );
    // Assert
    expect(table).toBe(
      'A           BB           C\nlong value  x            last\ny           wider value  z\n',
    );
    expect(isoTime(Date.UTC(2026, 10, 26, 14, 1, 2, 345))).toBe('2026-11-26T14:01:02Z');
    expect(isoTime(undefined)).toBe('-');
  });
});
