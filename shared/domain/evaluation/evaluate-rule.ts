/** Evaluation of one scheduled rule instance against the fetched datapoints: pure, three-valued. */
import type { Severity } from '../alert';
import { severityRank } from '../alert';
import type { NeedRef } from './query-plan';
import { needKey } from './query-plan';
import type { Condition, EvalComparison, MetricSource, ScheduledInstance } from './rule-spec';

/** One datapoint: epoch ms and value. */
export type DataPoint = readonly [number, number];

/** What GetMetricData returned for an evaluation, by query id. */
export interface FetchedData {
  /** Series per query id (a band has two); an id absent here and from `failures` had no data. */
  readonly series: ReadonlyMap<string, readonly (readonly DataPoint[])[]>;
  /** Query ids whose data could not be read completely, with the reason. */
  readonly failures: ReadonlyMap<string, string>;
}

/** The verdict on one rule instance at one evaluation. */
export type EvaluationOutcome =
  | {
      readonly kind: 'breach';
      readonly severity: Severity;
      readonly reason: string;
      readonly value?: number;
      readonly threshold?: number;
    }
  | { readonly kind: 'clear'; readonly reason: string; readonly value?: number }
  /** Failed or missing data: nothing may change. */
  | { readonly kind: 'unknown'; readonly reason: string };

type Lookup = (
  source: MetricSource,
  bandWidth?: number,
) => { readonly points: readonly DataPoint[]; readonly band?: readonly (readonly DataPoint[])[] } | string;

/** Compares with a rule comparison. */
export function compare(value: number, comparison: EvalComparison, threshold: number): boolean {
  switch (comparison) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '==':
      return value === threshold;
    case '!=':
      return value !== threshold;
  }
}

const round = (n: number): string => String(Math.round(n * 1000) / 1000);
const minutes = (seconds: number): string =>
  seconds % 3600 === 0 ? `${seconds / 3600}h` : seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;

function within(points: readonly DataPoint[], from: number, to: number): DataPoint[] {
  return points.filter(([t]) => t >= from && t < to);
}

function newest(points: readonly DataPoint[]): DataPoint | undefined {
  return points.reduce<DataPoint | undefined>(
    (acc, p) => (acc === undefined || p[0] > acc[0] ? p : acc),
    undefined,
  );
}

interface Truth {
  readonly value: boolean | undefined;
  readonly text: string;
  readonly first?: { readonly value: number; readonly threshold: number };
}

function evaluateCondition(c: Condition, lookup: Lookup, from: number, to: number): Truth {
  if ('all' in c || 'any' in c) {
    const isAll = 'all' in c;
    const parts = (isAll ? c.all : c.any).map((p) => evaluateCondition(p, lookup, from, to));
    const decisive = parts.find((p) => p.value === !isAll);
    const value = decisive ? !isAll : parts.some((p) => p.value === undefined) ? undefined : isAll;
    const text = parts.map((p) => p.text).join(isAll ? ' and ' : ' or ');
    const first = (decisive ?? parts.find((p) => p.value === value) ?? parts[0])?.first;
    return { value, text: parts.length > 1 ? `(${text})` : text, first };
  }
  const data = lookup(c.source);
  if (typeof data === 'string') return { value: undefined, text: `${c.metric}: ${data}` };
  const point = newest(within(data.points, from, to));
  if (point === undefined) {
    return { value: undefined, text: `${c.metric}: no datapoint in the last ${minutes((to - from) / 1000)}` };
  }
  const holds = compare(point[1], c.comparison, c.threshold);
  const comparison = `${c.comparison} ${round(c.threshold)}`;
  return {
    value: holds,
    // A part that does not hold says so: "memory_usage = 40, not > 90".
    text: `${c.metric} = ${round(point[1])}${holds ? ` ${comparison}` : `, not ${comparison}`}`,
    first: { value: point[1], threshold: c.threshold },
  };
}

function sum(points: readonly DataPoint[]): number {
  return points.reduce((acc, [, v]) => acc + v, 0);
}

/** Builds the lookup of a rule instance's sources in the fetched data. */
export function lookupIn(
  refs: ReadonlyMap<string, NeedRef>,
  data: FetchedData,
  periodSeconds: number,
): Lookup {
  return (source, bandWidth) => {
    const ref = refs.get(needKey({ source, periodSeconds, bandWidth }));
    if (ref === undefined) return 'not planned';
    const ids = ref.bandId === undefined ? [ref.id] : [ref.id, ref.bandId];
    for (const id of ids) {
      const failure = data.failures.get(id);
      if (failure !== undefined) return failure;
    }
    const points = (data.series.get(ref.id) ?? []).flat();
    return ref.bandId === undefined ? { points } : { points, band: data.series.get(ref.bandId) ?? [] };
  };
}

/** Evaluates one instance at `evaluatedAt` (epoch ms, a minute boundary). */
export function evaluateInstance(
  instance: ScheduledInstance,
  lookup: Lookup,
  evaluatedAt: number,
): EvaluationOutcome {
  const check = instance.check;
  const recentFrom = evaluatedAt - instance.periodSeconds * 3 * 1000;
  switch (check.kind) {
    case 'levels': {
      const texts: string[] = [];
      for (const level of check.levels) {
        const truth = evaluateCondition(level.when, lookup, recentFrom, evaluatedAt);
        texts.push(truth.text);
        if (truth.value === undefined) return { kind: 'unknown', reason: truth.text };
        if (truth.value) {
          return {
            kind: 'breach',
            severity: level.severity,
            reason: `${level.severity}: ${truth.text}`,
            value: truth.first?.value,
            threshold: truth.first?.threshold,
          };
        }
      }
      return { kind: 'clear', reason: `no level holds: ${texts.join('; ')}` };
    }
    case 'burn-rate': {
      const errors = lookup(check.errors);
      const total = lookup(check.total);
      if (typeof errors === 'string') return { kind: 'unknown', reason: `errors: ${errors}` };
      if (typeof total === 'string') return { kind: 'unknown', reason: `total: ${total}` };
      const budget = 1 - check.objectivePercent / 100;
      const burn = (seconds: number): number => {
        const from = evaluatedAt - seconds * 1000;
        const requests = sum(within(total.points, from, evaluatedAt));
        // No requests in the window: nothing is burning the error budget.
        return requests > 0 ? sum(within(errors.points, from, evaluatedAt)) / requests / budget : 0;
      };
      let worst: { severity: Severity; text: string; long: number; factor: number } | undefined;
      const texts: string[] = [];
      for (const w of check.windows) {
        const long = burn(w.longSeconds);
        const short = burn(w.shortSeconds);
        const text = `burn ${round(long)}x over ${minutes(w.longSeconds)} and ${round(short)}x over ${minutes(w.shortSeconds)} (limit ${round(w.factor)}x)`;
        texts.push(text);
        if (long >= w.factor && short >= w.factor) {
          if (worst === undefined || severityRank(w.severity) > severityRank(worst.severity)) {
            worst = { severity: w.severity, text, long, factor: w.factor };
          }
        }
      }
      if (worst !== undefined) {
        return {
          kind: 'breach',
          severity: worst.severity,
          reason: `${worst.severity}: error budget ${worst.text}`,
          value: worst.long,
          threshold: worst.factor,
        };
      }
      return { kind: 'clear', reason: texts.join('; ') };
    }
    case 'absence': {
      const data = lookup(check.source);
      if (typeof data === 'string') return { kind: 'unknown', reason: `${check.metric}: ${data}` };
      const last = newest(within(data.points, evaluatedAt - check.afterSeconds * 1000, evaluatedAt));
      if (last !== undefined) {
        return { kind: 'clear', reason: `${check.metric} reported ${round(last[1])}`, value: last[1] };
      }
      return {
        kind: 'breach',
        severity: check.severity,
        reason: `${check.metric}: no datapoints for ${minutes(check.afterSeconds)}`,
      };
    }
    case 'anomaly': {
      const data = lookup(check.source, check.bandWidth);
      if (typeof data === 'string') return { kind: 'unknown', reason: `${check.metric}: ${data}` };
      const edges = data.band ?? [];
      const bandAt = (t: number): { upper: number; lower: number } | undefined => {
        const values = edges.flatMap((e) => e.filter(([at]) => at === t).map(([, v]) => v));
        return values.length === 0 ? undefined : { upper: Math.max(...values), lower: Math.min(...values) };
      };
      const candidates = within(data.points, recentFrom, evaluatedAt).sort((a, b) => b[0] - a[0]);
      const point = candidates.find(([t]) => bandAt(t) !== undefined);
      const band = point === undefined ? undefined : bandAt(point[0]);
      if (point === undefined || band === undefined) {
        return { kind: 'unknown', reason: `${check.metric}: no datapoint with an anomaly band yet` };
      }
      const above = point[1] > band.upper;
      const below = point[1] < band.lower;
      const out = check.direction === 'above' ? above : check.direction === 'below' ? below : above || below;
      const text = `${check.metric} = ${round(point[1])}, expected ${round(band.lower)}..${round(band.upper)}`;
      return out
        ? {
            kind: 'breach',
            severity: check.severity,
            reason: text,
            value: point[1],
            threshold: above ? band.upper : band.lower,
          }
        : { kind: 'clear', reason: text, value: point[1] };
    }
  }
}
