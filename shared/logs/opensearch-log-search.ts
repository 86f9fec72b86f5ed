/** Log search over {@link OpenSearchHttp}: what the CLI and the alert-path Lambdas use. */
import { LogSearchError } from './log-errors';
import { buildLogSearchRequest, readLogSearchResponse } from './log-search-query';
import type { LogSearchPage, LogSearchQuery } from './log-search-query';
import { describeAnswer } from './opensearch-http';
import type { OpenSearchHttp } from './opensearch-http';

const ok = (status: number): boolean => status >= 200 && status < 300;

/** Searches `logs-*` newest first; page on with `nextCursor`. */
export async function searchLogs(http: OpenSearchHttp, query: LogSearchQuery): Promise<LogSearchPage> {
  const request = buildLogSearchRequest(query);
  const answer = await http.request('POST', `/${request.index}/_search`, {
    body: JSON.stringify(request.body),
    query: { ignore_unavailable: 'true', allow_no_indices: 'true' },
  });
  if (!ok(answer.status)) throw new LogSearchError(describeAnswer('log search', answer));
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body) as unknown;
  } catch (error) {
    throw new LogSearchError('log search answered with a body that is not JSON', { cause: error });
  }
  return readLogSearchResponse(parsed, query.size);
}
