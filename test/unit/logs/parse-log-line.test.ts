import { normaliseLevel, parseLogEvent, parseTimestamp } from '../../../shared/logs/parse-log-line';

const source = {
  category: 'application' as const,
  logGroup: '/aws/lambda/checkout',
  logStream: 's1',
  owner: '123',
};
const event = (message: string, timestamp = Date.UTC(2024, 0, 1, 12)) => ({ id: 'e1', timestamp, message });

describe('parseTimestamp', () => {
  it.each([
    ['ISO with Z', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z'],
    ['ISO with offset', '2024-01-01T02:00:00+02:00', '2024-01-01T00:00:00.000Z'],
    ['ISO without zone means UTC', '2024-01-01T00:00:00', '2024-01-01T00:00:00.000Z'],
    ['space and comma (Python logging)', '2024-01-01 00:00:00,250', '2024-01-01T00:00:00.250Z'],
    ['microseconds', '2024-01-01T00:00:00.123456Z', '2024-01-01T00:00:00.123Z'],
    ['common log format', '10/Oct/2023:13:55:36 -0700', '2023-10-10T20:55:36.000Z'],
    ['epoch milliseconds', 1704067200000, '2024-01-01T00:00:00.000Z'],
    ['epoch seconds', 1704067200, '2024-01-01T00:00:00.000Z'],
    ['epoch seconds as text', '1704067200.5', '2024-01-01T00:00:00.500Z'],
  ])('reads %s', (_name, input, expected) => {
    // Arrange / Act
    const parsed = parseTimestamp(input);
    // Assert
    expect(parsed?.toISOString()).toBe(expected);
  });

  it.each([
    ['not a date'],
    [''],
    [null],
    [{}],
    ['1970-01-01T00:00:00Z'],
    ['2024-13-45T99:00:00Z'],
    ['2024-02-30T00:00:00Z'],
  ])('rejects %p', (input) => {
    // Arrange / Act / Assert
    expect(parseTimestamp(input)).toBeUndefined();
  });
});

describe('normaliseLevel', () => {
  it.each([
    ['TRACE', 'debug'],
    ['Debug', 'debug'],
    ['INFO', 'info'],
    ['notice', 'info'],
    ['WARNING', 'warn'],
    ['warn', 'warn'],
    ['ERR', 'error'],
    ['Error', 'error'],
    ['CRITICAL', 'fatal'],
    ['fatal', 'fatal'],
    [30, 'info'],
    [50, 'error'],
    [60, 'fatal'],
  ])('maps %p to %s', (input, expected) => {
    // Arrange / Act / Assert
    expect(normaliseLevel(input)).toBe(expected);
  });

  it('returns undefined for unknown levels', () => {
    // Arrange / Act / Assert
    expect(normaliseLevel('LOUD')).toBeUndefined();
  });
});

describe('parseLogEvent', () => {
  it('reads a Powertools JSON line and keeps unknown keys under fields', () => {
    // Arrange
    const line = JSON.stringify({
      level: 'WARN',
      message: 'slow downstream',
      service: 'payments',
      timestamp: '2024-01-01T10:00:00.000Z',
      xray_trace_id: '1-abc-def',
      function_request_id: 'req-1',
      cold_start: true,
      downstream: { name: 'bank', ms: 2300 },
    });
    // Act
    const doc = parseLogEvent(event(line), source);
    // Assert
    expect(doc).toEqual({
      '@timestamp': '2024-01-01T10:00:00.000Z',
      level: 'warn',
      message: 'slow downstream',
      service: 'payments',
      trace_id: '1-abc-def',
      request_id: 'req-1',
      category: 'application',
      log_group: '/aws/lambda/checkout',
      log_stream: 's1',
      aws_account: '123',
      event_id: 'e1',
      fields: { cold_start: true, downstream: { name: 'bank', ms: 2300 } },
    });
  });

  it('keeps a multi-line stack trace in one document', () => {
    // Arrange
    const line =
      '2024-01-01T00:00:01.000Z\t0f1e2d3c-aaaa-bbbb-cccc-123456789abc\tERROR\tError: boom\n    at a (/var/task/a.js:1:1)\n    at b (/var/task/b.js:2:2)\n';
    // Act
    const doc = parseLogEvent(event(line), source);
    // Assert
    expect(doc.level).toBe('error');
    expect(doc.request_id).toBe('0f1e2d3c-aaaa-bbbb-cccc-123456789abc');
    expect(doc['@timestamp']).toBe('2024-01-01T00:00:01.000Z');
    expect(doc.message.split('\n')).toEqual([
      'Error: boom',
      '    at a (/var/task/a.js:1:1)',
      '    at b (/var/task/b.js:2:2)',
    ]);
  });

  it('marks an unlabelled Python traceback as an error', () => {
    // Arrange
    const line = 'Traceback (most recent call last):\n  File "app.py", line 3, in <module>\nValueError: bad';
    // Act
    const doc = parseLogEvent(event(line), source);
    // Assert
    expect(doc.level).toBe('error');
    expect(doc.message).toBe(line);
  });

  it('reads a Lambda REPORT line with its metrics', () => {
    // Arrange
    const line =
      'REPORT RequestId: 0f1e2d3c-aaaa-bbbb-cccc-123456789abc\tDuration: 102.25 ms\tBilled Duration: 103 ms\tMemory Size: 256 MB\tMax Memory Used: 91 MB\tInit Duration: 301.5 ms\t\n';
    // Act
    const doc = parseLogEvent(event(line), source);
    // Assert
    expect(doc).toMatchObject({ level: 'info', request_id: '0f1e2d3c-aaaa-bbbb-cccc-123456789abc' });
    expect(doc.fields).toEqual({
      lambda_event: 'REPORT',
      duration_ms: 102.25,
      billed_duration_ms: 103,
      memory_size_mb: 256,
      max_memory_used_mb: 91,
      init_duration_ms: 301.5,
    });
  });

  it.each([
    ['200', 'info'],
    ['404', 'warn'],
    ['502', 'error'],
  ])('reads an access log line with status %s as %s', (status, level) => {
    // Arrange
    const line = `203.0.113.9 - alice [10/Oct/2023:13:55:36 +0000] "GET /cart?id=1 HTTP/1.1" ${status} 512 "-" "curl/8.0"`;
    // Act
    const doc = parseLogEvent(event(line), { ...source, category: 'access' });
    // Assert
    expect(doc.level).toBe(level);
    expect(doc['@timestamp']).toBe('2023-10-10T13:55:36.000Z');
    expect(doc.fields).toMatchObject({
      client_ip: '203.0.113.9',
      method: 'GET',
      path: '/cart?id=1',
      status: Number(status),
    });
  });

  it('reads "<time> [LEVEL] message" text and falls back to the event time without one', () => {
    // Arrange / Act
    const withTime = parseLogEvent(event('2024-02-02 08:00:00 [WARN] disk at 91%'), source);
    const withoutTime = parseLogEvent(event('plain words only', Date.UTC(2024, 5, 6)), source);
    // Assert
    expect(withTime).toMatchObject({
      '@timestamp': '2024-02-02T08:00:00.000Z',
      level: 'warn',
      message: 'disk at 91%',
    });
    expect(withoutTime).toMatchObject({
      '@timestamp': '2024-06-06T00:00:00.000Z',
      level: 'info',
      message: 'plain words only',
    });
  });

  it('derives the service from the log group when the line names none', () => {
    // Arrange / Act
    const doc = parseLogEvent(event('hello'), source);
    // Assert
    expect(doc.service).toBe('checkout');
  });

  it('cuts very long unknown values so one field cannot make the document unindexable', () => {
    // Arrange
    const line = JSON.stringify({ message: 'm', payload: 'x'.repeat(50_000) });
    // Act
    const doc = parseLogEvent(event(line), source);
    // Assert
    const payload = doc.fields?.payload;
    expect(typeof payload === 'string' && payload.length).toBeLessThanOrEqual(4097);
  });
});
