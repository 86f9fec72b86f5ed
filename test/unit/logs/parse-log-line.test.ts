import {
  normaliseLevel,
  parseLogEvent,
  parseTimestamp,
  readLogEvent,
} from '../../../shared/logs/parse-log-line';

const source = {
  category: 'application' as const,
  logGroup: '/aws/lambda/checkout',
  logStream: 's1',
  owner: '123',
  service: 'checkout',
};
const ARRIVAL = Date.UTC(2024, 0, 1, 12);
const event = (message: string, timestamp = ARRIVAL) => ({ id: 'e1', timestamp, message });
const parse = (message: string, timestamp = ARRIVAL) => parseLogEvent(event(message, timestamp), source);

describe('parseTimestamp', () => {
  it.each([
    ['ISO with Z', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z'],
    ['ISO with offset', '2024-01-01T02:00:00+02:00', '2024-01-01T00:00:00.000Z'],
    ['ISO with a compact offset', '2024-01-01T02:00:00+0200', '2024-01-01T00:00:00.000Z'],
    ['ISO without zone means UTC', '2024-01-01T00:00:00', '2024-01-01T00:00:00.000Z'],
    ['space and comma (Python logging)', '2024-01-01 00:00:00,250', '2024-01-01T00:00:00.250Z'],
    ['slashes (Go log)', '2024/01/01 00:00:00', '2024-01-01T00:00:00.000Z'],
    ['microseconds', '2024-01-01T00:00:00.123456Z', '2024-01-01T00:00:00.123Z'],
    ['nanoseconds', '2024-01-01T00:00:00.123456789Z', '2024-01-01T00:00:00.123Z'],
    ['a UTC suffix', '2024-01-01 00:00:00 UTC', '2024-01-01T00:00:00.000Z'],
    ['common log format', '10/Oct/2023:13:55:36 -0700', '2023-10-10T20:55:36.000Z'],
    ['RFC 1123', 'Mon, 01 Jan 2024 00:00:00 GMT', '2024-01-01T00:00:00.000Z'],
    ['epoch milliseconds', 1704067200000, '2024-01-01T00:00:00.000Z'],
    ['epoch seconds', 1704067200, '2024-01-01T00:00:00.000Z'],
    ['epoch microseconds', 1704067200000000, '2024-01-01T00:00:00.000Z'],
    ['epoch nanoseconds', 1704067200000000000, '2024-01-01T00:00:00.000Z'],
    ['epoch seconds as text', '1704067200.5', '2024-01-01T00:00:00.500Z'],
  ])('reads %s', (_name, input, expected) => {
    // Arrange / Act
    const parsed = parseTimestamp(input);
    // Assert
    expect(parsed?.toISOString()).toBe(expected);
  });

  it.each([
    ['not a date'],
    ['yesterday'],
    [''],
    [null],
    [{}],
    ['1970-01-01T00:00:00Z'],
    ['2024-13-45T99:00:00Z'],
    ['2024-02-30T00:00:00Z'],
    ['2024-01-01T24:00:00.000Z'],
  ])('rejects %p', (input) => {
    // Arrange / Act / Assert
    expect(parseTimestamp(input)).toBeUndefined();
  });
});

describe('normaliseLevel', () => {
  it.each([
    ['TRACE', 'debug'],
    ['Debug', 'debug'],
    ['dbug', 'debug'],
    ['INFO', 'info'],
    ['Information', 'info'],
    ['notice', 'info'],
    ['WARNING', 'warn'],
    ['wArN', 'warn'],
    ['ERR', 'error'],
    ['Error', 'error'],
    ['eRRoR', 'error'],
    ['fail', 'error'],
    ['SEVERE', 'error'],
    ['CRITICAL', 'fatal'],
    ['crit', 'fatal'],
    ['fatal', 'fatal'],
    [3, 'error'],
    [6, 'info'],
    [30, 'info'],
    [50, 'error'],
    [60, 'fatal'],
  ])('maps %p to %s', (input, expected) => {
    // Arrange / Act / Assert
    expect(normaliseLevel(input)).toBe(expected);
  });

  it.each([['LOUD'], [8], [-1], [2.5], [null]])('returns undefined for %p', (input) => {
    // Arrange / Act / Assert
    expect(normaliseLevel(input)).toBeUndefined();
  });
});

describe('Lambda runtime lines', () => {
  it.each([
    ['a lower-case UUID', '0f1e2d3c-aaaa-bbbb-cccc-123456789abc'],
    ['an upper-case UUID', '0F1E2D3C-AAAA-BBBB-CCCC-123456789ABC'],
    ['a ULID', '01HZX3K9B2ND8TQ5Y6V7W8X9YZ'],
    ['a prefixed id', 'req-7f3a_22'],
    ['a number', '4815162342'],
    ['an X-Ray style id', 'Root=1-65a4f0e0-abcdef0123456789abcdef01'],
    ['a base64 id', 'dGVzdC1pZA=='],
    ['an ASP.NET trace id', '0HMPNHL0JHL76:00000001'],
  ])('reads the tab-separated line whatever the request id: %s', (_name, requestId) => {
    // Arrange / Act
    const doc = parse(`2024-01-01T11:59:00.500Z\t${requestId}\tERROR\tpayment failed\n`);
    // Assert
    expect(doc).toMatchObject({
      '@timestamp': '2024-01-01T11:59:00.500Z',
      level: 'error',
      message: 'payment failed',
      request_id: requestId,
      format: 'lambda-runtime',
      timestamp_source: 'line',
    });
  });

  it.each([
    ['INFO', 'info'],
    ['info', 'info'],
    ['Warn', 'warn'],
    ['fail', 'error'],
    ['crit', 'fatal'],
    ['TRACE', 'debug'],
  ])('reads the level column %s in any case and spelling', (column, level) => {
    // Arrange / Act
    const doc = parse(`2024-01-01T11:59:00.000Z\tabc-123\t${column}\tline`);
    // Assert
    expect(doc.level).toBe(level);
    expect(doc.message).toBe('line');
  });

  it('keeps a multi-line stack trace in one document and drops no tab of the message', () => {
    // Arrange
    const line =
      '2024-01-01T00:00:01.000Z\t0f1e2d3c-aaaa-bbbb-cccc-123456789abc\tERROR\tError: boom\tcode=7\n    at a (/var/task/a.js:1:1)\n    at b (/var/task/b.js:2:2)\n';
    // Act
    const doc = parse(line);
    // Assert
    expect(doc.level).toBe('error');
    expect(doc.message.split('\n')).toEqual([
      'Error: boom\tcode=7',
      '    at a (/var/task/a.js:1:1)',
      '    at b (/var/task/b.js:2:2)',
    ]);
  });

  it('reads init-phase lines without a request id, and the older line without a level column', () => {
    // Arrange / Act
    const init = parse('2024-01-01T11:59:00.000Z\tundefined\tWARN\tcold start config missing');
    const old = parse('2024-01-01T11:59:00.000Z\tabc-123\tERROR: db unreachable');
    // Assert
    expect(init).toMatchObject({ level: 'warn', message: 'cold start config missing' });
    expect(init.request_id).toBeUndefined();
    expect(old).toMatchObject({ level: 'error', message: 'db unreachable', request_id: 'abc-123' });
  });

  it('reads the Python runtime line, level first', () => {
    // Arrange / Act
    const doc = parse(
      '[ERROR]\t2024-01-01T11:59:00.123Z\tc6af9ac6-7b61-11e6-9a41-93e8deadbeef\tKeyError: "sku"\n',
    );
    // Assert
    expect(doc).toMatchObject({
      level: 'error',
      message: 'KeyError: "sku"',
      request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      '@timestamp': '2024-01-01T11:59:00.123Z',
    });
  });

  it("reads Java's log4j2 Lambda appender line and the platform's timeout line", () => {
    // Arrange / Act
    const java = parse(
      '2024-01-01 11:59:00 c6af9ac6-7b61-11e6-9a41-93e8deadbeef ERROR OrderHandler - no stock',
    );
    const timeout = parse(
      '2024-01-01T11:59:03.000Z c6af9ac6-7b61-11e6-9a41-93e8deadbeef Task timed out after 3.00 seconds',
    );
    // Assert
    expect(java).toMatchObject({
      level: 'error',
      message: 'OrderHandler - no stock',
      format: 'lambda-runtime',
    });
    expect(timeout).toMatchObject({
      level: 'error',
      message: 'Task timed out after 3.00 seconds',
      format: 'lambda-platform',
      request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    });
  });

  it('reads a REPORT line with its metrics, and one that timed out as an error', () => {
    // Arrange
    const ok =
      'REPORT RequestId: 0f1e2d3c-aaaa-bbbb-cccc-123456789abc\tDuration: 102.25 ms\tBilled Duration: 103 ms\tMemory Size: 256 MB\tMax Memory Used: 91 MB\tInit Duration: 301.5 ms\t\n';
    // Act
    const doc = parse(ok);
    const timedOut = parse(`${ok.trimEnd()}\tStatus: timeout`);
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
    expect(timedOut).toMatchObject({ level: 'error', fields: { status: 'timeout' } });
  });

  it('does not take a sentence starting with END for a platform line', () => {
    // Arrange / Act
    const doc = parse('END of batch 42');
    // Assert
    expect(doc).toMatchObject({ format: 'text', level: 'info', message: 'END of batch 42' });
  });
});

describe('structured lines', () => {
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
    const doc = parse(line);
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
      event_time: '2024-01-01T12:00:00.000Z',
      format: 'json',
      timestamp_source: 'line',
      fields: { cold_start: true, downstream: { name: 'bank', ms: 2300 } },
    });
  });

  it('keeps mistyped known keys under fields and says so', () => {
    // Arrange
    const line = JSON.stringify({
      message: 'x',
      level: 'LOUD',
      service: { name: 'cart', version: '2' },
      timestamp: 'yesterday',
      request_id: 42,
    });
    // Act
    const doc = parse(line);
    // Assert
    expect(doc).toMatchObject({
      service: 'cart',
      request_id: '42',
      level: 'info',
      '@timestamp': '2024-01-01T12:00:00.000Z',
      timestamp_source: 'arrival',
      fields: { level: 'LOUD', service: { name: 'cart', version: '2' }, timestamp: 'yesterday' },
    });
    expect([...(doc.notes ?? [])].sort()).toEqual(
      ['level:unusable', 'request_id:coerced', 'service:coerced', 'timestamp:unusable'].sort(),
    );
  });

  it('uses the most trusted usable key and keeps the others', () => {
    // Arrange: `timestamp` is unusable, `time` is an epoch number.
    const line = JSON.stringify({ msg: 'm', timestamp: 'soon', time: 1704103200000, message: { a: 1 } });
    // Act
    const doc = parse(line);
    // Assert
    expect(doc['@timestamp']).toBe('2024-01-01T10:00:00.000Z');
    expect(doc.message).toBe('{"a":1}');
    expect(doc.fields).toEqual({ msg: 'm', timestamp: 'soon' });
    expect(doc.notes).toEqual(
      expect.arrayContaining(['timestamp:unusable', 'timestamp:coerced', 'message:coerced']),
    );
  });

  it('reads pino numbers, ECS dotted and nested keys, Serilog compact keys', () => {
    // Arrange / Act
    const pino = parse('{"level":50,"time":1704103200000,"msg":"pino","pid":7}');
    const ecs = parse(
      '{"@timestamp":"2024-01-01T10:00:00Z","log.level":"warn","message":"ecs","service.name":"orders"}',
    );
    const nested = parse('{"message":"n","log":{"level":"error","logger":"db"}}');
    const serilog = parse('{"@t":"2024-01-01T10:00:00Z","@mt":"Paid {Amount}","@l":"Error","Amount":3}');
    // Assert
    expect(pino).toMatchObject({ level: 'error', message: 'pino', fields: { pid: 7 } });
    expect(ecs).toMatchObject({ level: 'warn', service: 'orders', '@timestamp': '2024-01-01T10:00:00.000Z' });
    expect(nested).toMatchObject({ level: 'error', fields: { log: { level: 'error', logger: 'db' } } });
    expect(serilog).toMatchObject({ level: 'error', message: 'Paid {Amount}', fields: { Amount: 3 } });
  });

  it("treats Powertools' service_undefined as no service, so the log group's applies", () => {
    // Arrange / Act
    const doc = parse('{"level":"INFO","message":"m","service":"service_undefined"}');
    // Assert
    expect(doc.service).toBe('checkout');
    expect(doc.fields).toEqual({ service: 'service_undefined' });
  });

  it('reads a Docker / Fluent Bit wrapper through to the line it carries', () => {
    // Arrange
    const line = JSON.stringify({
      log: '2024-01-01T11:00:00.000Z ERROR db down\n',
      stream: 'stderr',
      time: '2024-01-01T11:00:00.100Z',
    });
    // Act
    const doc = parse(line);
    // Assert
    expect(doc).toMatchObject({
      level: 'error',
      message: 'db down',
      '@timestamp': '2024-01-01T11:00:00.000Z',
      fields: { stream: 'stderr', time: '2024-01-01T11:00:00.100Z' },
    });
  });

  it('takes the level of a line without one from its HTTP status or its error keys', () => {
    // Arrange / Act
    const access = parse(
      '{"requestId":"r1","httpMethod":"GET","routeKey":"GET /x","status":"503","requestTime":"01/Jan/2024:11:00:00 +0000"}',
    );
    const uncaught = parse('{"errorType":"TypeError","errorMessage":"x is undefined","stackTrace":["a"]}');
    // Assert
    expect(access).toMatchObject({
      level: 'error',
      format: 'apigw',
      request_id: 'r1',
      notes: ['level:from_status'],
    });
    expect(access['@timestamp']).toBe('2024-01-01T11:00:00.000Z');
    expect(uncaught).toMatchObject({
      level: 'error',
      message: 'x is undefined',
      notes: ['level:from_error'],
    });
  });

  it("reads Lambda's JSON platform events", () => {
    // Arrange / Act
    const doc = parse(
      '{"time":"2024-01-01T11:00:00.000Z","type":"platform.report","record":{"requestId":"r3","status":"timeout"}}',
    );
    // Assert
    expect(doc).toMatchObject({
      format: 'lambda-platform',
      level: 'error',
      message: 'platform.report timeout',
      request_id: 'r3',
    });
  });

  it('reads logfmt', () => {
    // Arrange / Act
    const doc = parse('time=2024-01-01T11:00:00Z level=error msg="db \\"main\\" down" err=timeout');
    // Assert
    expect(doc).toMatchObject({
      format: 'logfmt',
      level: 'error',
      message: 'db "main" down',
      '@timestamp': '2024-01-01T11:00:00.000Z',
      fields: { err: 'timeout' },
    });
  });

  it('cuts very long values in the indexed copy, keeps them whole in overflow and says so', () => {
    // Arrange
    const payload = 'x'.repeat(50_000);
    const line = JSON.stringify({ message: 'm', payload, ['k'.repeat(300)]: 1 });
    // Act
    const doc = parse(line);
    // Assert
    const cut = doc.fields?.payload;
    expect(typeof cut === 'string' && cut.length).toBe(4097);
    expect(doc.overflow).toEqual({ 'fields.payload': payload, [`fields.${'k'.repeat(300)}`]: 1 });
    expect(doc.notes).toEqual(['fields.payload:cut', `fields.${'k'.repeat(256)}…:key_cut`]);
  });
});

describe('access logs', () => {
  it.each([
    ['200', 'info'],
    ['404', 'warn'],
    ['502', 'error'],
  ])('reads a combined log line with status %s as %s', (status, level) => {
    // Arrange
    const line = `203.0.113.9 - alice [01/Jan/2024:11:55:36 +0000] "GET /cart?id=1 HTTP/1.1" ${status} 512 "-" "curl/8.0"`;
    // Act
    const doc = parseLogEvent(event(line), { ...source, category: 'access' });
    // Assert
    expect(doc).toMatchObject({
      level,
      message: line,
      format: 'combined',
      '@timestamp': '2024-01-01T11:55:36.000Z',
    });
    expect(doc.fields).toMatchObject({
      client_ip: '203.0.113.9',
      user: 'alice',
      method: 'GET',
      path: '/cart?id=1',
    });
    expect(doc.fields?.status).toBe(Number(status));
  });

  it("reads API Gateway's CLF format with the request id at the end", () => {
    // Arrange / Act
    const doc = parse(
      '198.51.100.7 - - [01/Jan/2024:11:00:00 +0000] "POST /orders HTTP/1.1" 500 24 c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    );
    // Assert
    expect(doc).toMatchObject({
      format: 'apigw',
      level: 'error',
      request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    });
  });

  it('reads an ALB line with its trace id', () => {
    // Arrange
    const line =
      'h2 2024-01-01T11:00:00.186641Z app/my-lb/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 502 - 34 366 "GET https://www.example.com:443/ HTTP/2.0" "curl/7.46.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/t/73e2d6bc24d8a067 "Root=1-58337281-1d84f3d73c47ec4e58577259" "www.example.com" "-" 1 2024-01-01T11:00:00.000000Z "forward" "-" "-" "10.0.0.1:80" "-" "-" "-"';
    // Act
    const doc = parse(line);
    // Assert
    expect(doc).toMatchObject({
      format: 'alb',
      level: 'error',
      trace_id: '1-58337281-1d84f3d73c47ec4e58577259',
      '@timestamp': '2024-01-01T11:00:00.186Z',
      fields: { elb_status_code: 502, method: 'GET', url: 'https://www.example.com:443/' },
    });
  });
});

describe('syslog and other text', () => {
  it('reads RFC 5424 with structured data and its severity', () => {
    // Arrange / Act
    const doc = parse(
      '<11>1 2024-01-01T11:00:00.003Z web-1 nginx 812 ID47 [meta@32473 region="eu-west-1" note="a \\"b\\""] upstream gone',
    );
    // Assert
    expect(doc).toMatchObject({
      format: 'syslog',
      level: 'error',
      message: 'upstream gone',
      fields: {
        host: 'web-1',
        app_name: 'nginx',
        proc_id: '812',
        structured_data: { 'meta@32473': { region: 'eu-west-1', note: 'a "b"' } },
      },
    });
  });

  it('reads RFC 3164 and gives it the year nearest the event time', () => {
    // Arrange: a December line that arrives on 1 January.
    const doc = parse(
      '<12>Dec 31 23:59:58 ip-10-0-0-1 systemd[1]: unit failed to stop',
      Date.UTC(2024, 0, 1, 0, 0, 1),
    );
    // Assert
    expect(doc).toMatchObject({
      '@timestamp': '2023-12-31T23:59:58.000Z',
      level: 'warn',
      message: 'unit failed to stop',
      notes: ['timestamp:year_inferred'],
      fields: { host: 'ip-10-0-0-1', program: 'systemd', pid: '1' },
    });
  });

  it.each([
    ['ERROR disk full', 'error', 'disk full'],
    ['error disk full', 'error', 'disk full'],
    ['Error disk full', 'error', 'disk full'],
    ['eRRoR: disk full', 'error', 'disk full'],
    ['[WARN] disk at 91%', 'warn', 'disk at 91%'],
    ['<crit> disk gone', 'fatal', 'disk gone'],
    ['NOTICE rotating', 'info', 'rotating'],
    ['Notice that this is prose', 'info', 'Notice that this is prose'],
    ['Critical section entered', 'info', 'Critical section entered'],
    ['Error: boom', 'error', 'Error: boom'],
    ['TypeError: x is not a function', 'error', 'TypeError: x is not a function'],
    ['Traceback (most recent call last):', 'error', 'Traceback (most recent call last):'],
    ['panic: runtime error: index out of range', 'fatal', 'runtime error: index out of range'],
    ['plain words only', 'info', 'plain words only'],
  ])('reads %p as %s', (line, level, message) => {
    // Arrange / Act
    const doc = parse(line);
    // Assert
    expect(doc).toMatchObject({ level, message, format: 'text' });
  });

  it.each([
    ['2024-01-01 11:00:00 [WARN] disk at 91%', 'warn', 'disk at 91%'],
    ['2024-01-01 11:00:00,123 - app.db - ERROR - pool exhausted', 'error', 'app.db - ERROR - pool exhausted'],
    [
      '2024-01-01T11:00:00.123Z [main] WARN  com.example.App - slow',
      'warn',
      '[main] WARN  com.example.App - slow',
    ],
    ['[2024-01-01 11:00:00,000] CRITICAL broker gone', 'fatal', 'broker gone'],
    ['2024/01/01 11:00:00 http: TLS handshake error', 'info', 'http: TLS handshake error'],
  ])('reads a timed text line %p', (line, level, message) => {
    // Arrange / Act
    const doc = parse(line);
    // Assert
    expect(doc).toMatchObject({
      level,
      message,
      '@timestamp': expect.stringMatching(/^2024-01-01T11:00:00/),
    });
  });

  it('reads Ruby and glog lines', () => {
    // Arrange / Act
    const ruby = parse(
      'E, [2024-01-01T11:00:00.123456 #8] ERROR -- c6af9ac6-7b61-11e6-9a41-93e8deadbeef: card declined',
    );
    const glog = parse('W0101 11:00:00.123456   42 server.go:87] retrying');
    // Assert
    expect(ruby).toMatchObject({
      level: 'error',
      message: 'card declined',
      request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    });
    expect(glog).toMatchObject({
      level: 'warn',
      message: 'retrying',
      '@timestamp': '2024-01-01T11:00:00.123Z',
    });
  });

  it('reads API Gateway execution logs by their request id in brackets', () => {
    // Arrange / Act
    const doc = parse(
      '(c6af9ac6-7b61-11e6-9a41-93e8deadbeef) Execution failed due to configuration error: bad role',
    );
    // Assert
    expect(doc).toMatchObject({
      format: 'apigw-execution',
      level: 'error',
      request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    });
  });
});

describe('the time of a document', () => {
  it('believes a line time within 14 days back and 2 hours ahead of the event time', () => {
    // Arrange / Act
    const old = parse('2023-12-19T12:00:00Z INFO replayed', ARRIVAL);
    const ahead = parse('2024-01-01T13:59:00Z INFO skewed clock', ARRIVAL);
    // Assert
    expect(old).toMatchObject({ '@timestamp': '2023-12-19T12:00:00.000Z', timestamp_source: 'line' });
    expect(ahead).toMatchObject({ '@timestamp': '2024-01-01T13:59:00.000Z', timestamp_source: 'line' });
  });

  it('uses the event time beyond the bound, keeps the line time and says so', () => {
    // Arrange / Act
    const ancient = parse('2019-01-01T00:00:00Z ERROR ancient', ARRIVAL);
    const future = parse('{"timestamp":"2024-01-02T00:00:00Z","message":"future"}', ARRIVAL);
    // Assert
    expect(ancient).toMatchObject({
      '@timestamp': '2024-01-01T12:00:00.000Z',
      timestamp_source: 'arrival',
      level: 'error',
      message: 'ancient',
      notes: ['timestamp:out_of_range'],
      fields: { timestamp: '2019-01-01T00:00:00Z' },
    });
    expect(future).toMatchObject({
      '@timestamp': '2024-01-01T12:00:00.000Z',
      notes: ['timestamp:out_of_range'],
      fields: { timestamp: '2024-01-02T00:00:00Z' },
    });
  });

  it('honours a bound given in the options', () => {
    // Arrange / Act
    const parsed = readLogEvent(event('2023-12-31T12:00:00Z INFO yesterday'), source, {
      bounds: { maxPastMs: 3_600_000, maxFutureMs: 0 },
    });
    // Assert
    expect(parsed.document.timestamp_source).toBe('arrival');
    expect(parsed.timeMs).toBe(ARRIVAL);
  });
});

describe('service', () => {
  it("keeps the line's own service over the log group's, and uses the group's otherwise", () => {
    // Arrange / Act
    const own = parse('{"message":"m","service":"payments"}');
    const none = parse('hello');
    const withoutGroupService = parseLogEvent(event('hello'), { ...source, service: undefined });
    // Assert
    expect(own.service).toBe('payments');
    expect(none.service).toBe('checkout');
    expect(withoutGroupService.service).toBeUndefined();
  });
});

describe('continuations', () => {
  it.each([
    ['    at com.example.App.main(App.java:10)', 'frame'],
    ['\tat com.example.App.main(App.java:10)', 'frame'],
    ['  File "app.py", line 3, in <module>', 'frame'],
    ['Caused by: java.io.IOException: closed', 'frame'],
    ['\t... 12 more', 'frame'],
    ['java.lang.IllegalStateException: boom', 'exception'],
    ['ValueError: bad', 'exception'],
  ])('marks %p as a possible continuation (%s)', (line, kind) => {
    // Arrange / Act
    const parsed = readLogEvent(event(line), source);
    // Assert
    expect(parsed.continuation).toBe(kind);
  });

  it.each([['    ERROR indented but levelled'], ['Traceback (most recent call last):'], ['plain']])(
    'does not mark %p',
    (line) => {
      // Arrange / Act / Assert
      expect(readLogEvent(event(line), source).continuation).toBeUndefined();
    },
  );
});
