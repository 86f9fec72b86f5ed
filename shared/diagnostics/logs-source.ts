import type { DiagnosticsCollector, DiagnosticsQuery } from '../domain/diagnostics';
import type { LogHit, LogSearchPage, LogSearchQuery } from '../logs/log-search-query';

/** Options of {@link createLogsSource}. */
export interface LogsSourceOptions {
  /** Lines shown. @default 5 */
  readonly lines?: number;
  /** OpenSearch Dashboards base URL, for a link to the same search. @default no link */
  readonly dashboardsUrl?: string;
}

const MAX_MESSAGE = 140;

function oneLine(hit: LogHit): string {
  const text = hit.message.split('\n')[0]?.trim() ?? '';
  const clipped = text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 3)}...` : text;
  return `${hit.timestamp.slice(11, 19)} ${hit.level.toUpperCase()} ${clipped}`;
}

/**
 * Logs evidence: the newest error-level lines (error and fatal) of the service in the window,
 * through the log pipeline's search.
 */
export function createLogsSource(
  search: (query: LogSearchQuery) => Promise<LogSearchPage>,
  options: LogsSourceOptions = {},
): DiagnosticsCollector {
  const size = options.lines ?? 5;
  return async (query: DiagnosticsQuery) => {
    const base = { service: query.service, from: new Date(query.from), to: new Date(query.until), size };
    const pages = await Promise.all([
      search({ ...base, level: 'error' }),
      search({ ...base, level: 'fatal' }),
    ]);
    const hits = pages
      .flatMap((p) => p.hits)
      .sort((a, b) => b.timestamp.localeCompare(a.timestamp))
      .slice(0, size);
    const links = options.dashboardsUrl
      ? [
          {
            label: 'error logs',
            url: `${options.dashboardsUrl.replace(/\/$/, '')}/app/discover#/?_g=(time:(from:'${base.from.toISOString()}',to:'${base.to.toISOString()}'))&_a=(query:(language:kuery,query:'service:"${query.service}" and level:(error or fatal)'))`,
          },
        ]
      : [];
    if (hits.length === 0) return { summary: 'no error lines', links, empty: true };
    const traced = hits.find((h) => h.traceId !== undefined)?.traceId;
    return {
      summary:
        [`newest ${hits.length} error lines:`, ...hits.map(oneLine)].join('\n') +
        (traced ? `\n(trace ${traced})` : ''),
      links,
    };
  };
}
