/**
 * Log search over plain HTTPS, signed with SigV4 (the default credential chain) when asked: what
 * the alert-path Lambdas use for incident diagnostics and the CLI uses from a laptop.
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { LogSearchPage, LogSearchQuery } from './log-search-query';
import { createOpenSearchHttp } from './opensearch-http';
import type { OpenSearchConnection } from './opensearch-http';
import { searchLogs } from './opensearch-log-search';

/** A search function over `logs-*` (newest first); signs with `connection.credentials` or the default chain. */
export function createHttpLogSearch(
  connection: OpenSearchConnection,
): (query: LogSearchQuery) => Promise<LogSearchPage> {
  if (connection.sign && (connection.region === undefined || connection.region === '')) {
    throw new TypeError('a region is needed to sign OpenSearch requests');
  }
  const http = createOpenSearchHttp(
    connection.sign && connection.credentials === undefined
      ? { ...connection, credentials: defaultProvider() }
      : connection,
  );
  return (query) => searchLogs(http, query);
}
