import { describeError } from './errors';
import type { Diagnostics, DiagnosticsSource } from './incident';

/** What a diagnostics source is asked: one service's evidence in a time window. */
export interface DiagnosticsQuery {
  readonly incidentId: string;
  readonly service: string;
  readonly alarmName: string;
  readonly ruleId?: string;
  /** Window start and end (epoch ms). */
  readonly from: number;
  readonly until: number;
  /** Aborted when the source's time budget runs out. */
  readonly signal: AbortSignal;
}

/** A link shown with the evidence. */
export interface DiagnosticsLink {
  readonly label: string;
  readonly url: string;
}

/** What one source found. `empty` means it looked and found nothing worth showing. */
export interface DiagnosticsFinding {
  readonly summary: string;
  readonly links: readonly DiagnosticsLink[];
  readonly empty?: boolean;
}

/** One source of evidence (metrics, logs or traces). */
export type DiagnosticsCollector = (query: DiagnosticsQuery) => Promise<DiagnosticsFinding>;

/** The sources configured for this deployment; an absent one is reported as not configured. */
export interface DiagnosticsSources {
  readonly metrics?: DiagnosticsCollector;
  readonly logs?: DiagnosticsCollector;
  readonly traces?: DiagnosticsCollector;
}

/** Time budget of each source in ms. */
export interface DiagnosticsBudgets {
  readonly metrics: number;
  readonly logs: number;
  readonly traces: number;
}

/** A source ran out of its time budget. */
export class DiagnosticsTimeoutError extends Error {
  public constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'DiagnosticsTimeoutError';
  }
}

const MAX_SUMMARY = 1200;
const MAX_LINKS = 8;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}

/** Runs one collector inside its budget; never throws. */
export async function runWithBudget(
  collector: DiagnosticsCollector | undefined,
  query: Omit<DiagnosticsQuery, 'signal'>,
  budgetMs: number,
  elapsed: () => number = Date.now,
): Promise<DiagnosticsSource> {
  if (!collector) return { status: 'empty', summary: 'not configured', links: [], tookMs: 0 };
  const started = elapsed();
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(new DiagnosticsTimeoutError(budgetMs));
      reject(new DiagnosticsTimeoutError(budgetMs));
    }, budgetMs);
  });
  try {
    const found = await Promise.race([collector({ ...query, signal: controller.signal }), timeout]);
    return {
      status: found.empty ? 'empty' : 'ok',
      summary: clip(found.summary, MAX_SUMMARY),
      links: found.links.slice(0, MAX_LINKS),
      tookMs: Math.max(0, elapsed() - started),
    };
  } catch (error) {
    const timedOut = error instanceof DiagnosticsTimeoutError || controller.signal.aborted;
    return {
      status: timedOut ? 'timeout' : 'error',
      summary: timedOut
        ? `unavailable: no answer within ${budgetMs} ms`
        : clip(`unavailable: ${describeError(error).message}`, 300),
      links: [],
      tookMs: Math.max(0, elapsed() - started),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Collects the three sources in parallel, each within its own budget; a failing source becomes a note. */
export async function collectDiagnostics(
  sources: DiagnosticsSources,
  query: Omit<DiagnosticsQuery, 'signal'>,
  budgets: DiagnosticsBudgets,
  now: number,
  elapsed?: () => number,
): Promise<Diagnostics> {
  const [metrics, logs, traces] = await Promise.all([
    runWithBudget(sources.metrics, query, budgets.metrics, elapsed),
    runWithBudget(sources.logs, query, budgets.logs, elapsed),
    runWithBudget(sources.traces, query, budgets.traces, elapsed),
  ]);
  return { collectedAt: now, from: query.from, until: query.until, metrics, logs, traces };
}

/** The compact text a notification carries: one block per source, then its links. */
export function formatDiagnostics(d: Diagnostics, incidentId?: string): string {
  const minutes = Math.round((d.until - d.from) / 60_000);
  const head = incidentId
    ? `Incident ${incidentId}, last ${minutes} min:`
    : `Evidence from the last ${minutes} min:`;
  const block = (name: string, s: DiagnosticsSource): string[] => [
    `${name}: ${s.summary}`,
    ...s.links.map((l) => `  ${l.label}: ${l.url}`),
  ];
  return [head, ...block('Metrics', d.metrics), ...block('Logs', d.logs), ...block('Traces', d.traces)].join(
    '\n',
  );
}

/** A series summarised for a human: newest value, range and direction. */
export interface SeriesSummary {
  readonly current: number;
  readonly min: number;
  readonly max: number;
  readonly trend: 'rising' | 'falling' | 'flat';
  readonly points: number;
}

/**
 * Summarises datapoints (any order): current = newest, trend = mean of the newer half against
 * the older half, flat within 10 % of the range or 5 % of the level, whichever is wider.
 */
export function summarizeSeries(
  points: readonly { readonly at: number; readonly value: number }[],
): SeriesSummary | undefined {
  const sorted = [...points].filter((p) => Number.isFinite(p.value)).sort((a, b) => a.at - b.at);
  const last = sorted[sorted.length - 1];
  if (!last) return undefined;
  const values = sorted.map((p) => p.value);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const half = Math.floor(values.length / 2);
  const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const delta = half === 0 ? 0 : mean(values.slice(values.length - half)) - mean(values.slice(0, half));
  const band = Math.max((max - min) * 0.1, Math.abs(mean(values)) * 0.05);
  const trend = delta > band && delta > 0 ? 'rising' : delta < -band && delta < 0 ? 'falling' : 'flat';
  return { current: last.value, min, max, trend, points: values.length };
}

function formatNumber(n: number): string {
  if (Math.abs(n) >= 100) return String(Math.round(n));
  return String(Math.round(n * 100) / 100);
}

/** One line per metric, e.g. `error_rate 12.5 % (min 0.4, max 14, rising)`. */
export function formatSeriesLine(name: string, unit: string, summary: SeriesSummary | undefined): string {
  if (!summary) return `${name}: no datapoints`;
  const u = unit === 'Percent' ? ' %' : unit === 'Milliseconds' ? ' ms' : unit ? ` ${unit}` : '';
  return `${name} ${formatNumber(summary.current)}${u} (min ${formatNumber(summary.min)}, max ${formatNumber(summary.max)}, ${summary.trend})`;
}
