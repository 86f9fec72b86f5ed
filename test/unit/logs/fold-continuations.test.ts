import { foldContinuations } from '../../../shared/logs/fold-continuations';
import type { ParsedItem } from '../../../shared/logs/fold-continuations';
import { readLogEvent } from '../../../shared/logs/parse-log-line';

const source = {
  category: 'application' as const,
  logGroup: '/ecs/orders',
  logStream: 'orders/1',
  service: 'orders',
};
const T0 = Date.UTC(2024, 0, 1, 12);

/** Events one per line, `gapMs` apart, as a container's stdout delivers a stack trace. */
function items(lines: readonly string[], gapMs = 1): ParsedItem[] {
  return lines.map((message, n) => {
    const event = { id: `e${n}`, timestamp: T0 + n * gapMs, message };
    return { parsed: readLogEvent(event, source), original: message, arrivalMs: event.timestamp };
  });
}

describe('foldContinuations', () => {
  it('folds a Java trace printed line by line into the error line that announced it', () => {
    // Arrange
    const lines = [
      '2024-01-01 12:00:00.000 INFO  [main] OrderService - placing order 7',
      '2024-01-01 12:00:00.001 ERROR [main] OrderService - order 7 failed',
      'java.lang.IllegalStateException: no stock',
      '\tat com.example.OrderService.place(OrderService.java:42)',
      'Caused by: java.io.IOException: closed',
      '\t... 12 more',
      '2024-01-01 12:00:00.009 INFO  [main] OrderService - placing order 8',
    ];
    // Act
    const folded = foldContinuations(items(lines));
    // Assert
    expect(folded.map((f) => f.document.event_id)).toEqual(['e0', 'e1', 'e6']);
    const error = folded[1]?.document;
    expect(error).toMatchObject({
      level: 'error',
      merged_event_ids: ['e2', 'e3', 'e4', 'e5'],
      notes: ['merged:4'],
    });
    expect(error?.message.split('\n')).toEqual([
      '[main] OrderService - order 7 failed',
      'java.lang.IllegalStateException: no stock',
      '\tat com.example.OrderService.place(OrderService.java:42)',
      'Caused by: java.io.IOException: closed',
      '\t... 12 more',
    ]);
    expect(folded[1]?.original).toBe(lines.slice(1, 6).join('\n'));
  });

  it('folds a Python traceback, its final exception line included', () => {
    // Arrange
    const lines = [
      'Traceback (most recent call last):',
      '  File "/var/task/app.py", line 9, in handler',
      '    total = order["total"]',
      "KeyError: 'total'",
      'next request',
    ];
    // Act
    const folded = foldContinuations(items(lines));
    // Assert
    expect(folded).toHaveLength(2);
    expect(folded[0]?.document).toMatchObject({ level: 'error', message: lines.slice(0, 4).join('\n') });
    expect(folded[1]?.document.message).toBe('next request');
  });

  it('leaves lines apart when they are far apart in time, after an access line, or not continuations', () => {
    // Arrange / Act
    const late = foldContinuations(items(['ERROR boom', '    at a (x.js:1:1)'], 5_000));
    const access = foldContinuations(
      items(['10.0.0.1 - - [01/Jan/2024:12:00:00 +0000] "GET / HTTP/1.1" 200 1', '    at a']),
    );
    const exceptionAfterInfo = foldContinuations(items(['INFO started', 'TypeError: x is undefined']));
    const twoErrors = foldContinuations(items(['Error: ECONNREFUSED', 'TypeError: fetch failed']));
    // Assert
    expect(late).toHaveLength(2);
    expect(twoErrors).toHaveLength(2);
    expect(access).toHaveLength(2);
    expect(exceptionAfterInfo).toHaveLength(2);
    expect(exceptionAfterInfo[1]?.document.level).toBe('error');
  });

  it('starts a new document when a fold would pass its limits', () => {
    // Arrange
    const lines = ['ERROR boom', ...Array.from({ length: 5 }, (_, n) => `    at f${n} (x.js:${n}:1)`)];
    // Act
    const folded = foldContinuations(items(lines), { maxGapMs: 1000, maxEvents: 3, maxChars: 1_000_000 });
    // Assert
    expect(folded.map((f) => f.document.merged_event_ids ?? [])).toEqual([['e1', 'e2', 'e3'], ['e5']]);
  });
});
