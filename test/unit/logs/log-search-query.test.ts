import {
  buildLogSearchRequest,
  decodeCursor,
  encodeCursor,
  readLogSearchResponse,
} from '../../../shared/logs/log-search-query';
import { LogSearchError } from '../../../shared/logs/log-errors';

const from = new Date('2024-01-01T00:00:00Z');
const to = new Date('2024-01-01T01:00:00Z');

describe('buildLogSearchRequest', () => {
  it('filters by time, level and service, matches text, and sorts newest first with a tie-breaker', () => {
    // Arrange / Act
    const request = buildLogSearchRequest({
      from,
      to,
      level: 'error',
      service: 'api',
      query: 'timeout',
      size: 5,
    });
    // Assert
    expect(request.index).toBe('logs-*');
    expect(request.body).toEqual({
      size: 5,
      track_total_hits: false,
      sort: [{ '@timestamp': { order: 'desc' } }, { event_id: { order: 'desc' } }],
      query: {
        bool: {
          filter: [
            { range: { '@timestamp': { gte: '2024-01-01T00:00:00.000Z', lte: '2024-01-01T01:00:00.000Z' } } },
            { term: { level: 'error' } },
            { term: { service: 'api' } },
          ],
          must: [{ simple_query_string: { query: 'timeout', fields: ['message'], default_operator: 'and' } }],
        },
      },
    });
  });

  it.each([
    ['debug', ['debug', 'info', 'warn', 'error', 'fatal']],
    ['warn', ['warn', 'error', 'fatal']],
    ['error', ['error', 'fatal']],
    ['fatal', ['fatal']],
  ] as const)('finds %s or worse with minLevel', (minLevel, levels) => {
    // Arrange / Act
    const request = buildLogSearchRequest({ from, to, minLevel, size: 5 });
    // Assert
    expect(request.body).toMatchObject({
      query: { bool: { filter: [expect.anything(), { terms: { level: levels } }] } },
    });
  });

  it('narrows the index pattern to a category and continues after a cursor', () => {
    // Arrange
    const cursor = encodeCursor([1704067200000, 'evt-9']);
    // Act
    const request = buildLogSearchRequest({ from, to, size: 5, category: 'access', cursor });
    // Assert
    expect(request.index).toBe('logs-access-*');
    expect(request.body.search_after).toEqual([1704067200000, 'evt-9']);
  });

  it.each([
    [{ from: to, to: from, size: 5 }, /from/],
    [{ from, to, size: 0 }, /size/],
    [{ from, to, size: 5, cursor: 'not-a-cursor' }, /cursor/],
  ])('rejects an invalid query %#', (query, message) => {
    // Arrange / Act / Assert
    expect(() => buildLogSearchRequest(query)).toThrow(LogSearchError);
    expect(() => buildLogSearchRequest(query)).toThrow(message);
  });
});

describe('readLogSearchResponse', () => {
  const hit = (id: string, sort: unknown[]) => ({
    _index: 'logs-application-2024.01.01',
    _id: id,
    sort,
    _source: {
      '@timestamp': '2024-01-01T00:00:00.000Z',
      level: 'error',
      message: 'm',
      service: 'api',
      trace_id: 't',
    },
  });

  it('returns a cursor only when the page is full', () => {
    // Arrange
    const full = { hits: { hits: [hit('a', [2, 'a']), hit('b', [1, 'b'])] } };
    const partial = { hits: { hits: [hit('c', [0, 'c'])] } };
    // Act
    const first = readLogSearchResponse(full, 2);
    const last = readLogSearchResponse(partial, 2);
    // Assert
    expect(first.hits.map((h) => h.id)).toEqual(['a', 'b']);
    expect(first.hits[0]).toMatchObject({ level: 'error', service: 'api', traceId: 't' });
    expect(first.nextCursor !== undefined && decodeCursor(first.nextCursor)).toEqual([1, 'b']);
    expect(last.nextCursor).toBeUndefined();
  });

  it('rejects a body that is not a search response', () => {
    // Arrange / Act / Assert
    expect(() => readLogSearchResponse({ nope: true }, 1)).toThrow(LogSearchError);
  });
});
