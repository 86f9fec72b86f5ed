import { DurationError, formatIsoDuration, parseIsoDuration } from '../../../shared/replay/duration';

describe('ISO-8601 durations of scenarios', () => {
  it.each([
    ['PT0S', 0],
    ['PT30S', 30_000],
    ['PT0.5S', 500],
    ['PT1,25S', 1250],
    ['PT5M', 300_000],
    ['PT1H30M', 5_400_000],
    ['P1DT2H', 93_600_000],
    ['P1W', 604_800_000],
    ['PT2H0M10S', 7_210_000],
  ])('parses %s as %i ms', (text, ms) => {
    // Act
    const parsed = parseIsoDuration(text);
    // Assert
    expect(parsed).toBe(ms);
  });

  it.each(['', 'P', 'PT', 'PT3X', '30s', '-PT1S', 'PT1.2345S', 'P1DT', 'PT1S2M', 'pt1m'])(
    'rejects %j naming the text',
    (text) => {
      // Act
      const parse = () => parseIsoDuration(text);
      // Assert
      expect(parse).toThrow(DurationError);
      expect(parse).toThrow(`"${text}" is not an ISO-8601 duration`);
    },
  );

  it.each(['P1M', 'P1Y', 'P1Y2M', 'P2MT1H'])('refuses calendar units in %s with a reason', (text) => {
    // Act
    const parse = () => parseIsoDuration(text);
    // Assert
    expect(parse).toThrow(/years or months, which have no fixed length/);
  });

  it.each([
    [0, 'PT0S'],
    [500, 'PT0.5S'],
    [90_000, 'PT1M30S'],
    [3_600_000, 'PT1H'],
    [93_600_000, 'P1DT2H'],
    [86_400_000, 'P1D'],
  ])('formats %i ms as %s', (ms, text) => {
    // Act
    const formatted = formatIsoDuration(ms);
    // Assert
    expect(formatted).toBe(text);
  });

  it('round-trips formatted durations through the parser', () => {
    // Arrange
    const samples = [1, 59, 60, 61, 3599, 3600, 3661, 86_399, 86_401, 200_000].map((s) => s * 1000);
    // Act
    const roundTripped = samples.map((ms) => parseIsoDuration(formatIsoDuration(ms)));
    // Assert
    expect(roundTripped).toEqual(samples);
  });
});
