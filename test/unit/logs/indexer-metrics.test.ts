import { BACKFILL_AFTER_SECONDS, classifyIngestLag } from '../../../shared/logs/indexer-metrics';

describe('classifyIngestLag', () => {
  const now = Date.UTC(2024, 0, 1, 12);

  it.each([
    [0, 'live', 0],
    [90, 'live', 90],
    [BACKFILL_AFTER_SECONDS, 'live', BACKFILL_AFTER_SECONDS],
    [BACKFILL_AFTER_SECONDS + 1, 'backfill', BACKFILL_AFTER_SECONDS + 1],
    [3 * 86_400, 'backfill', 3 * 86_400],
    [-30, 'live', 0],
  ])('a payload whose newest line is %is old is %s (%is)', (ageSeconds, kind, seconds) => {
    // Arrange / Act
    const lag = classifyIngestLag(now - ageSeconds * 1000, now);
    // Assert
    expect(lag).toEqual({ kind, seconds });
  });
});
