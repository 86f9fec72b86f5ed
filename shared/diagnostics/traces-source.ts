import type { GetTraceSummariesCommandOutput, TraceSummary } from '@aws-sdk/client-xray';
import { GetTraceSummariesCommand } from '@aws-sdk/client-xray';
import type { DiagnosticsCollector, DiagnosticsQuery } from '../domain/diagnostics';
import { traceConsoleUrl, traceListConsoleUrl } from './console-links';

/** What the source needs of an X-Ray client (the SDK client, or the replay's simulated one). */
export interface TraceSummariesReader {
  send(
    command: GetTraceSummariesCommand,
    options?: { abortSignal?: AbortSignal },
  ): Promise<GetTraceSummariesCommandOutput>;
}

/** Options of {@link createTracesSource}. */
export interface TracesSourceOptions {
  readonly region: string;
  /** Trace ids linked in the summary. @default 3 */
  readonly maxLinks?: number;
  /** X-Ray service name of a Vigil service, when it differs. @default the service name itself */
  readonly xrayServiceOf?: (service: string) => string;
}

const MAX_PAGES = 3;

/** The X-Ray filter expression: traces of the service that had a fault (5xx) or an error (4xx). */
export function faultFilterOf(xrayService: string): string {
  return `service("${xrayService.replace(/["\\]/g, '')}") AND (fault = true OR error = true)`;
}

/** Traces evidence: X-Ray trace summaries with faults or errors for the service in the window. */
export function createTracesSource(
  client: TraceSummariesReader,
  options: TracesSourceOptions,
): DiagnosticsCollector {
  const maxLinks = options.maxLinks ?? 3;
  return async (query: DiagnosticsQuery) => {
    const filter = faultFilterOf(options.xrayServiceOf?.(query.service) ?? query.service);
    const traces: TraceSummary[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const out = await client.send(
        new GetTraceSummariesCommand({
          StartTime: new Date(query.from),
          EndTime: new Date(query.until),
          FilterExpression: filter,
          TimeRangeType: 'Event',
          Sampling: false,
          NextToken: nextToken,
        }),
        { abortSignal: query.signal },
      );
      traces.push(...(out.TraceSummaries ?? []));
      nextToken = out.NextToken;
      pages++;
    } while (nextToken && pages < MAX_PAGES);
    const list = {
      label: 'all matching traces',
      url: traceListConsoleUrl(options.region, filter, query.from, query.until),
    };
    if (traces.length === 0)
      return { summary: 'no traces with faults or errors', links: [list], empty: true };
    const faults = traces.filter((t) => t.HasFault).length;
    const errors = traces.filter((t) => t.HasError && !t.HasFault).length;
    const newest = [...traces].sort((a, b) => (b.StartTime?.getTime() ?? 0) - (a.StartTime?.getTime() ?? 0));
    const slowest = Math.max(...traces.map((t) => t.ResponseTime ?? t.Duration ?? 0));
    const more = nextToken ? '+' : '';
    const first = newest[0];
    const where = first?.Http?.HttpURL
      ? `, e.g. ${first.Http.HttpMethod ?? ''} ${first.Http.HttpURL} ${first.Http.HttpStatus ?? ''}`.replace(
          /\s+/g,
          ' ',
        )
      : '';
    return {
      summary: `${traces.length}${more} traces: ${faults} with faults, ${errors} with errors; slowest ${slowest.toFixed(2)} s${where}`,
      links: [
        ...newest
          .slice(0, maxLinks)
          .flatMap((t) =>
            t.Id ? [{ label: `trace ${t.Id}`, url: traceConsoleUrl(options.region, t.Id) }] : [],
          ),
        list,
      ],
    };
  };
}
