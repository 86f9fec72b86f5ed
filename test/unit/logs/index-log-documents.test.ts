import type { BulkItem } from '../../../shared/logs/bulk-chunks';
import { backoffDelay, indexLogDocuments } from '../../../shared/logs/index-log-documents';
import type { IndexableLog } from '../../../shared/logs/log-document';
import {
  LogIndexUnavailableError,
  LogRequestTooLargeError,
  LogRetriesExhaustedError,
} from '../../../shared/logs/log-errors';
import { InMemoryDeadLetterSink } from '../../../shared/logs/log-ports';
import type { BulkItemResult, LogIndex } from '../../../shared/logs/log-ports';

function log(id: string): IndexableLog {
  return {
    index: 'logs-application-2024.01.01',
    id,
    original: `line ${id}`,
    document: {
      '@timestamp': '2024-01-01T00:00:00.000Z',
      level: 'info',
      message: `line ${id}`,
      category: 'application',
      log_group: '/g',
      log_stream: 's',
      event_id: id,
      event_time: '2024-01-01T00:00:00.000Z',
      format: 'text',
      timestamp_source: 'arrival',
    },
  };
}

/** An index whose answer per id is scripted per call; it records what each request carried. */
class ScriptedIndex implements LogIndex {
  public readonly requests: string[][] = [];
  public constructor(private readonly answer: (id: string, call: number) => BulkItemResult | 'unavailable') {}
  public bulk(items: readonly BulkItem[]): Promise<readonly BulkItemResult[]> {
    const call = this.requests.length;
    this.requests.push(items.map((item) => item.log.id));
    const results = items.map((item) => this.answer(item.log.id, call));
    if (results.includes('unavailable')) {
      return Promise.reject(new LogIndexUnavailableError('503 from domain', { statusCode: 503 }));
    }
    return Promise.resolve(results.filter((result): result is BulkItemResult => result !== 'unavailable'));
  }
}

const ok = (id: string): BulkItemResult => ({ id, status: 201 });
const noSleep = (): Promise<void> => Promise.resolve();
const fixedNow = () => new Date('2024-01-01T00:00:00Z');

describe('indexLogDocuments', () => {
  it('splits a request refused as too large (413) and dead-letters only a document that is refused alone', async () => {
    // Arrange: the domain refuses any request with more than two documents, and document e always.
    const requests: string[][] = [];
    const index: LogIndex = {
      bulk: (items) => {
        const ids = items.map((item) => item.log.id);
        requests.push(ids);
        if (ids.length > 2 || ids.includes('e')) return Promise.reject(new LogRequestTooLargeError(999));
        return Promise.resolve(ids.map(ok));
      },
    };
    const sink = new InMemoryDeadLetterSink();
    // Act
    const result = await indexLogDocuments(['a', 'b', 'c', 'd', 'e', 'f'].map(log), {
      index,
      deadLetters: sink,
      sleep: noSleep,
      now: fixedNow,
    });
    // Assert
    expect(result).toMatchObject({ indexed: 5, deadLettered: 1, attempts: 1 });
    expect(sink.letters).toEqual([
      expect.objectContaining({ eventId: 'e', code: 'request_too_large', original: 'line e' }),
    ]);
    expect(
      requests
        .filter((ids) => ids.length <= 2 && !ids.includes('e'))
        .flat()
        .sort(),
    ).toEqual(['a', 'b', 'c', 'd', 'f']);
  });

  it('retries only the throttled items and never resends the ones that succeeded', async () => {
    // Arrange: b is throttled twice, d once.
    const throttles: Record<string, number> = { b: 2, d: 1 };
    const index = new ScriptedIndex((id) => {
      const left = throttles[id] ?? 0;
      if (left > 0) {
        throttles[id] = left - 1;
        return { id, status: 429, errorType: 'es_rejected_execution_exception' };
      }
      return ok(id);
    });
    const sink = new InMemoryDeadLetterSink();
    // Act
    const result = await indexLogDocuments(['a', 'b', 'c', 'd'].map(log), {
      index,
      deadLetters: sink,
      sleep: noSleep,
    });
    // Assert
    expect(index.requests).toEqual([['a', 'b', 'c', 'd'], ['b', 'd'], ['b']]);
    expect(result).toEqual({ indexed: 4, deadLettered: 0, attempts: 3, bulkRequests: 3 });
    expect(sink.letters).toEqual([]);
  });

  it('dead-letters items rejected for other reasons, with reason and original line, and keeps the rest', async () => {
    // Arrange
    const index = new ScriptedIndex((id) =>
      id === 'b'
        ? { id, status: 400, errorType: 'mapper_parsing_exception', reason: 'failed to parse [x]' }
        : ok(id),
    );
    const sink = new InMemoryDeadLetterSink();
    // Act
    const result = await indexLogDocuments(['a', 'b', 'c'].map(log), {
      index,
      deadLetters: sink,
      sleep: noSleep,
      now: fixedNow,
    });
    // Assert
    expect(result.indexed).toBe(2);
    expect(index.requests).toEqual([['a', 'b', 'c']]);
    expect(sink.letters).toEqual([
      {
        code: 'mapper_parsing_exception',
        reason: 'failed to parse [x]',
        original: 'line b',
        logGroup: '/g',
        logStream: 's',
        eventId: 'b',
        index: 'logs-application-2024.01.01',
        at: '2024-01-01T00:00:00.000Z',
      },
    ]);
  });

  it('retries a whole request the domain could not take', async () => {
    // Arrange
    const index = new ScriptedIndex((id, call) => (call === 0 ? 'unavailable' : ok(id)));
    const sink = new InMemoryDeadLetterSink();
    // Act
    const result = await indexLogDocuments(['a', 'b'].map(log), { index, deadLetters: sink, sleep: noSleep });
    // Assert
    expect(index.requests).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ]);
    expect(result.indexed).toBe(2);
  });

  it('throws after the last attempt, having dead-lettered what was final', async () => {
    // Arrange
    const index = new ScriptedIndex((id) =>
      id === 'a' ? { id, status: 429 } : { id, status: 413, errorType: 'too_large' },
    );
    const sink = new InMemoryDeadLetterSink();
    const sleeps: number[] = [];
    // Act
    const run = indexLogDocuments(['a', 'b'].map(log), {
      index,
      deadLetters: sink,
      retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 250 },
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
      random: () => 0.999,
    });
    // Assert
    await expect(run).rejects.toThrow(LogRetriesExhaustedError);
    await expect(run).rejects.toMatchObject({ code: 'LOG_RETRIES_EXHAUSTED', remaining: 1 });
    expect(index.requests).toHaveLength(4);
    expect(sleeps).toEqual([99, 199, 249]);
    expect(sink.letters.map((letter) => letter.eventId)).toEqual(['b']);
  });

  it('rethrows errors that are not transient at once', async () => {
    // Arrange
    const index: LogIndex = { bulk: () => Promise.reject(new TypeError('bad config')) };
    // Act / Assert
    await expect(
      indexLogDocuments([log('a')], { index, deadLetters: new InMemoryDeadLetterSink(), sleep: noSleep }),
    ).rejects.toThrow('bad config');
  });

  it('dead-letters a document larger than a whole request without sending it', async () => {
    // Arrange
    const index = new ScriptedIndex(ok);
    const sink = new InMemoryDeadLetterSink();
    const big = { ...log('big'), document: { ...log('big').document, message: 'x'.repeat(5000) } };
    // Act
    const result = await indexLogDocuments([log('a'), big], {
      index,
      deadLetters: sink,
      limits: { maxBytes: 1000, maxCount: 10 },
    });
    // Assert
    expect(index.requests).toEqual([['a']]);
    expect(result).toMatchObject({ indexed: 1, deadLettered: 1 });
    expect(sink.letters[0]).toMatchObject({ code: 'document_too_large', eventId: 'big' });
  });
});

describe('backoffDelay', () => {
  it('grows exponentially under a cap, scaled by jitter', () => {
    // Arrange
    const policy = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
    // Act
    const ceilings = [1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, policy, () => 0.9999999));
    const floor = backoffDelay(3, policy, () => 0);
    // Assert
    expect(ceilings).toEqual([99, 199, 399, 799, 999]);
    expect(floor).toBe(0);
  });
});
