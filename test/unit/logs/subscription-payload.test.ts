import { gzipSync } from 'node:zlib';
import { ingestLogPayload } from '../../../shared/logs/ingest-log-payload';
import { LogPayloadError } from '../../../shared/logs/log-errors';
import { InMemoryDeadLetterSink } from '../../../shared/logs/log-ports';
import type { LogIndex } from '../../../shared/logs/log-ports';
import { decodeSubscriptionPayload } from '../../../shared/logs/subscription-payload';
import { controlPayload, dataPayload, encode } from '../../fixtures/logs/payloads';

function decodeError(data: string, maxBytes?: number): LogPayloadError {
  try {
    decodeSubscriptionPayload(data, maxBytes);
  } catch (error) {
    if (error instanceof LogPayloadError) return error;
    throw error;
  }
  throw new Error('expected a LogPayloadError');
}

describe('decodeSubscriptionPayload', () => {
  it('decodes a data message', () => {
    // Arrange
    const data = dataPayload('/g', [{ id: '1', timestamp: 1, message: 'hi' }]);
    // Act
    const payload = decodeSubscriptionPayload(data);
    // Assert
    expect(payload).toMatchObject({
      messageType: 'DATA_MESSAGE',
      logGroup: '/g',
      logEvents: [{ id: '1', message: 'hi' }],
    });
  });

  it.each([
    ['not base64', '***', 'NOT_BASE64'],
    ['base64 but not gzip', Buffer.from('hello world!').toString('base64'), 'NOT_GZIP'],
    ['truncated gzip', gzipSync('{"a":1}').subarray(0, 12).toString('base64'), 'NOT_GZIP'],
    ['gzip but not JSON', gzipSync('not json').toString('base64'), 'NOT_JSON'],
    ['JSON of another shape', encode({ hello: 'world' }), 'BAD_SHAPE'],
  ])('names the problem when the input is %s', (_name, data, code) => {
    // Arrange / Act
    const error = decodeError(data);
    // Assert
    expect(error.code).toBe(code);
    expect(error.name).toBe('LogPayloadError');
  });

  it('stops decompressing a gzip bomb at the limit', () => {
    // Arrange: 64 MiB of zeros compresses to about 64 KiB.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024)).toString('base64');
    // Act
    const error = decodeError(bomb, 1024 * 1024);
    // Assert
    expect(error.code).toBe('TOO_LARGE');
    expect(error.message).toContain('1048576 bytes');
  });
});

describe('ingestLogPayload', () => {
  const neverCalled: LogIndex = { bulk: () => Promise.reject(new Error('must not be called')) };

  it('skips a CONTROL_MESSAGE without touching the index', async () => {
    // Arrange
    const sink = new InMemoryDeadLetterSink();
    // Act
    const result = await ingestLogPayload(controlPayload(), {
      index: neverCalled,
      deadLetters: sink,
      categories: {},
      defaultCategory: 'application',
    });
    // Assert
    expect(result).toEqual({ status: 'skipped', reason: 'control_message' });
    expect(sink.letters).toEqual([]);
  });

  it('keeps a gzip bomb in the dead-letter queue with its raw input', async () => {
    // Arrange
    const sink = new InMemoryDeadLetterSink();
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024)).toString('base64');
    // Act
    const result = await ingestLogPayload(bomb, {
      index: neverCalled,
      deadLetters: sink,
      categories: {},
      defaultCategory: 'application',
      maxDecompressedBytes: 1024,
    });
    // Assert
    expect(result).toEqual({ status: 'rejected', code: 'TOO_LARGE' });
    expect(sink.letters).toEqual([expect.objectContaining({ code: 'TOO_LARGE', original: bomb })]);
  });

  it('routes events by the log group category and the UTC date of each event', async () => {
    // Arrange
    const seen: string[] = [];
    const index: LogIndex = {
      bulk: (items) => {
        seen.push(...items.map((item) => `${item.log.index}/${item.log.id}`));
        return Promise.resolve(items.map((item) => ({ id: item.log.id, status: 201 })));
      },
    };
    const data = dataPayload('/vigil/nginx', [
      { id: 'a', timestamp: Date.UTC(2024, 0, 31, 23, 59, 59), message: 'x' },
      { id: 'b', timestamp: Date.UTC(2024, 1, 1, 0, 0, 0), message: 'y' },
    ]);
    // Act
    const result = await ingestLogPayload(data, {
      index,
      deadLetters: new InMemoryDeadLetterSink(),
      categories: { '/vigil/nginx': 'access' },
      defaultCategory: 'application',
    });
    // Assert
    expect(result).toMatchObject({
      status: 'indexed',
      category: 'access',
      indexed: 2,
      newestEventAt: Date.UTC(2024, 1, 1, 0, 0, 0),
    });
    expect(seen).toEqual(['logs-access-2024.01.31/a', 'logs-access-2024.02.01/b']);
  });
});
