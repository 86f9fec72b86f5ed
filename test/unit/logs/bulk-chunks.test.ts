import fc from 'fast-check';
import { planBulkRequests, toBulkItem } from '../../../shared/logs/bulk-chunks';
import type { IndexableLog } from '../../../shared/logs/log-document';

function log(id: number, messageLength: number): IndexableLog {
  return {
    index: 'logs-application-2024.01.01',
    id: String(id),
    original: 'x',
    document: {
      '@timestamp': '2024-01-01T00:00:00.000Z',
      level: 'info',
      message: 'm'.repeat(messageLength),
      category: 'application',
      log_group: 'g',
      log_stream: 's',
      event_id: String(id),
      event_time: '2024-01-01T00:00:00.000Z',
      format: 'text',
      timestamp_source: 'arrival',
    },
  };
}

describe('planBulkRequests', () => {
  it('splits by count', () => {
    // Arrange
    const items = Array.from({ length: 25 }, (_, n) => toBulkItem(log(n, 10)));
    // Act
    const plan = planBulkRequests(items, { maxBytes: 1024 * 1024, maxCount: 10 });
    // Assert
    expect(plan.chunks.map((chunk) => chunk.length)).toEqual([10, 10, 5]);
  });

  it('splits by bytes and sets aside documents larger than a request', () => {
    // Arrange
    const small = toBulkItem(log(1, 100));
    const items = [small, toBulkItem(log(2, 100)), toBulkItem(log(3, 5000)), toBulkItem(log(4, 100))];
    // Act
    const plan = planBulkRequests(items, { maxBytes: small.bytes * 2, maxCount: 100 });
    // Assert
    expect(plan.chunks.map((chunk) => chunk.map((item) => item.log.id))).toEqual([['1', '2'], ['4']]);
    expect(plan.oversized.map((item) => item.log.id)).toEqual(['3']);
  });

  it('measures bytes in UTF-8, not characters', () => {
    // Arrange
    const ascii = toBulkItem(log(1, 0));
    const wide = toBulkItem({ ...log(1, 0), document: { ...log(1, 0).document, message: '€'.repeat(100) } });
    // Act / Assert
    expect(wide.bytes - ascii.bytes).toBe(300);
  });

  it('keeps order, loses nothing and respects both limits for any input', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 60 }),
        fc.integer({ min: 300, max: 8000 }),
        fc.integer({ min: 1, max: 12 }),
        (lengths, maxBytes, maxCount) => {
          // Arrange
          const items = lengths.map((length, n) => toBulkItem(log(n, length)));
          // Act
          const plan = planBulkRequests(items, { maxBytes, maxCount });
          // Assert
          const ids = [...plan.chunks.flat(), ...plan.oversized].map((item) => Number(item.log.id));
          expect([...ids].sort((a, b) => a - b)).toEqual(lengths.map((_, n) => n));
          expect(plan.chunks.flat().map((item) => Number(item.log.id))).toEqual(
            items.filter((item) => item.bytes <= maxBytes).map((item) => Number(item.log.id)),
          );
          for (const chunk of plan.chunks) {
            expect(chunk.length).toBeGreaterThan(0);
            expect(chunk.length).toBeLessThanOrEqual(maxCount);
            expect(chunk.reduce((sum, item) => sum + item.bytes, 0)).toBeLessThanOrEqual(maxBytes);
          }
        },
      ),
    );
  });

  it('serialises an idempotent index action with the event id', () => {
    // Arrange / Act
    const item = toBulkItem(log(7, 1));
    // Assert
    expect(item.ndjson.split('\n')[0]).toBe('{"index":{"_index":"logs-application-2024.01.01","_id":"7"}}');
    expect(item.ndjson.endsWith('\n')).toBe(true);
  });
});
