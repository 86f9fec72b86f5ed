/**
 * Query planning: every scheduled rule's metric needs become as few GetMetricData calls as the API
 * allows. One query per distinct source + period (+ anomaly band), shared by every rule that reads
 * it, fetched over the longest window any of them needs; windows are tiered so a 6-hour burn-rate
 * window does not make every 3-minute rule read 6 hours of datapoints.
 */
import type { MetricSource, MetricStatSpec, ScheduledInstance } from './rule-spec';

/** Most queries one GetMetricData call accepts. */
export const MAX_QUERIES_PER_CALL = 500;
/** Lookback tiers (seconds): queries are grouped into one time range per tier. */
export const LOOKBACK_TIERS = [900, 3600, 21_600, 86_400] as const;

/** One MetricDataQuery, in the shape CloudWatch's GetMetricData takes. */
export interface MetricQuery {
  readonly Id: string;
  readonly ReturnData: boolean;
  readonly Label?: string;
  readonly MetricStat?: {
    readonly Metric: {
      readonly Namespace: string;
      readonly MetricName: string;
      readonly Dimensions: readonly { readonly Name: string; readonly Value: string }[];
    };
    readonly Period: number;
    readonly Stat: string;
  };
  readonly Expression?: string;
  readonly Period?: number;
}

/** One GetMetricData call to make (before paging): a time range and at most 500 queries. */
export interface QueryBatch {
  readonly startTime: number;
  readonly endTime: number;
  readonly queries: readonly MetricQuery[];
}

/** What one rule needs from CloudWatch. */
export interface MetricNeed {
  readonly source: MetricSource;
  readonly periodSeconds: number;
  readonly lookbackSeconds: number;
  /** Width of an anomaly detection band to fetch with it. */
  readonly bandWidth?: number;
}

/** Where a need's data will be: the id of its value series and, for a band, of the band. */
export interface NeedRef {
  readonly id: string;
  readonly bandId?: string;
}

/** The plan of one evaluation. */
export interface QueryPlan {
  readonly batches: readonly QueryBatch[];
  /** The query ids serving a need (same key as {@link needKey}). */
  readonly refs: ReadonlyMap<string, NeedRef>;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Dedup key of a need: source, period and band, not the lookback (the longest one wins). */
export function needKey(need: Pick<MetricNeed, 'source' | 'periodSeconds' | 'bandWidth'>): string {
  return canonical({ s: need.source, p: need.periodSeconds, b: need.bandWidth });
}

/** Lookback tier of a need: the smallest tier that covers it. */
export function tierOf(lookbackSeconds: number): number {
  return LOOKBACK_TIERS.find((t) => t >= lookbackSeconds) ?? lookbackSeconds;
}

/** Every metric need of one rule instance, with the lookback it evaluates over. */
export function needsOf(instance: ScheduledInstance): MetricNeed[] {
  const period = instance.periodSeconds;
  const recent = period * 3;
  const check = instance.check;
  switch (check.kind) {
    case 'levels': {
      const out: MetricNeed[] = [];
      const walk = (c: (typeof check.levels)[number]['when']): void => {
        if ('all' in c) c.all.forEach(walk);
        else if ('any' in c) c.any.forEach(walk);
        else out.push({ source: c.source, periodSeconds: period, lookbackSeconds: recent });
      };
      check.levels.forEach((l) => walk(l.when));
      return out;
    }
    case 'burn-rate': {
      const longest = Math.max(...check.windows.map((w) => Math.max(w.longSeconds, w.shortSeconds)));
      return [
        { source: check.errors, periodSeconds: period, lookbackSeconds: longest },
        { source: check.total, periodSeconds: period, lookbackSeconds: longest },
      ];
    }
    case 'absence':
      return [{ source: check.source, periodSeconds: period, lookbackSeconds: check.afterSeconds }];
    case 'anomaly':
      return [
        { source: check.source, periodSeconds: period, lookbackSeconds: recent, bandWidth: check.bandWidth },
      ];
  }
}

function statQuery(id: string, spec: MetricStatSpec, period: number, returnData: boolean): MetricQuery {
  return {
    Id: id,
    ReturnData: returnData,
    MetricStat: {
      Metric: {
        Namespace: spec.namespace,
        MetricName: spec.metricName,
        Dimensions: Object.entries(spec.dimensions)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([Name, Value]) => ({ Name, Value })),
      },
      Period: period,
      Stat: spec.stat,
    },
  };
}

/** Renames the metric-math ids of an expression (identifiers not followed by "("). */
export function renameIds(expression: string, rename: (id: string) => string | undefined): string {
  return expression.replace(
    /\b([A-Za-z_][A-Za-z0-9_]*)\b(?!\s*\()/g,
    (whole, id: string) => rename(id) ?? whole,
  );
}

// The queries of one need; they must travel in the same call (math refers to its hidden inputs).
function unitOf(id: string, need: MetricNeed): { queries: MetricQuery[]; ref: NeedRef } {
  const queries: MetricQuery[] = [];
  const { source } = need;
  if (source.kind === 'metric') {
    queries.push(statQuery(id, source, need.periodSeconds, true));
  } else {
    for (const [ref, spec] of Object.entries(source.using)) {
      queries.push(statQuery(`${id}_${ref}`, spec, need.periodSeconds, false));
    }
    queries.push({
      Id: id,
      ReturnData: true,
      Expression: renameIds(source.expression, (name) =>
        name in source.using ? `${id}_${name}` : undefined,
      ),
      Period: need.periodSeconds,
    });
  }
  if (need.bandWidth === undefined) return { queries, ref: { id } };
  const bandId = `${id}band`;
  queries.push({
    Id: bandId,
    ReturnData: true,
    Expression: `ANOMALY_DETECTION_BAND(${id}, ${need.bandWidth})`,
    Period: need.periodSeconds,
  });
  return { queries, ref: { id, bandId } };
}

/**
 * Plans one evaluation at `evaluatedAt` (a minute boundary): deduplicates the needs of all
 * instances, groups them by lookback tier and packs each tier into calls of at most 500 queries.
 */
export function planQueries(instances: readonly ScheduledInstance[], evaluatedAt: number): QueryPlan {
  const needs = new Map<string, MetricNeed>();
  for (const instance of instances) {
    for (const need of needsOf(instance)) {
      const key = needKey(need);
      const have = needs.get(key);
      if (have === undefined || have.lookbackSeconds < need.lookbackSeconds) needs.set(key, need);
    }
  }
  const tiers = new Map<number, [string, MetricNeed][]>();
  for (const entry of needs) {
    const tier = tierOf(entry[1].lookbackSeconds);
    tiers.set(tier, [...(tiers.get(tier) ?? []), entry]);
  }
  const batches: QueryBatch[] = [];
  const refs = new Map<string, NeedRef>();
  let next = 0;
  for (const [tier, entries] of [...tiers].sort(([a], [b]) => a - b)) {
    let queries: MetricQuery[] = [];
    const flush = (): void => {
      if (queries.length === 0) return;
      batches.push({ startTime: evaluatedAt - tier * 1000, endTime: evaluatedAt, queries });
      queries = [];
    };
    for (const [key, need] of entries) {
      const unit = unitOf(`q${next++}`, need);
      if (queries.length + unit.queries.length > MAX_QUERIES_PER_CALL) flush();
      queries.push(...unit.queries);
      refs.set(key, unit.ref);
    }
    flush();
  }
  return { batches, refs };
}
