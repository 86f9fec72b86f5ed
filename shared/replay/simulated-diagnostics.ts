/** Local stand-ins for the log search and X-Ray that serve a scenario's `logs` and `traces` sections. */
import type {
  GetTraceSummariesCommandInput,
  GetTraceSummariesCommandOutput,
  TraceSummary,
} from '@aws-sdk/client-xray';
import type { LogHit, LogSearchPage, LogSearchQuery } from '../logs/log-search-query';
import type { ScenarioLogLine, ScenarioTrace } from './scenario';

/** The log search over the scenario's lines: same filters and order as the OpenSearch query (newest first). */
export function scenarioLogSearch(
  lines: readonly ScenarioLogLine[],
  start: number,
): (query: LogSearchQuery) => Promise<LogSearchPage> {
  const hits: LogHit[] = lines.map((line, i) => ({
    index: `logs-application-${new Date(start + line.at).toISOString().slice(0, 10).replace(/-/g, '.')}`,
    id: `scenario-log-${i}`,
    timestamp: new Date(start + line.at).toISOString(),
    level: line.level,
    service: line.service,
    message: line.message,
    ...(line.traceId !== undefined ? { traceId: line.traceId } : {}),
  }));
  return (query) => {
    const from = query.from.getTime();
    const to = query.to.getTime();
    const found = hits
      .filter((h) => {
        const at = Date.parse(h.timestamp);
        return (
          at >= from &&
          at <= to &&
          (query.level === undefined || h.level === query.level) &&
          (query.service === undefined || h.service === query.service)
        );
      })
      .sort((a, b) => b.timestamp.localeCompare(a.timestamp) || b.id.localeCompare(a.id))
      .slice(0, query.size);
    return Promise.resolve({ hits: found });
  };
}

/** X-Ray's GetTraceSummaries over the scenario's traces, for the fault/error filter the diagnostics use. */
export class SimulatedXRay {
  /** Calls served. */
  public calls = 0;

  public constructor(
    private readonly traces: readonly ScenarioTrace[],
    private readonly start: number,
  ) {}

  /** The SDK client's `send`, for a GetTraceSummariesCommand (anything with that `input`). */
  public send(command: {
    readonly input: GetTraceSummariesCommandInput;
  }): Promise<GetTraceSummariesCommandOutput> {
    this.calls++;
    const input = command.input;
    const service = /service\("([^"]*)"\)/.exec(input.FilterExpression ?? '')?.[1];
    const faultsOnly = /fault = true OR error = true/.test(input.FilterExpression ?? '');
    const from = input.StartTime?.getTime() ?? -Infinity;
    const until = input.EndTime?.getTime() ?? Infinity;
    const summaries: TraceSummary[] = this.traces
      .filter((t) => {
        const at = this.start + t.at;
        return (
          at >= from &&
          at <= until &&
          (service === undefined || t.service === service) &&
          (!faultsOnly || t.fault || t.error)
        );
      })
      .map((t) => ({
        Id: t.id,
        StartTime: new Date(this.start + t.at),
        HasFault: t.fault,
        HasError: t.error,
        ResponseTime: t.responseTime,
        Duration: t.responseTime,
        ...(t.http
          ? { Http: { HttpMethod: t.http.method, HttpURL: t.http.url, HttpStatus: t.http.status } }
          : {}),
      }));
    return Promise.resolve({ TraceSummaries: summaries, ApproximateTime: new Date(until), $metadata: {} });
  }
}
