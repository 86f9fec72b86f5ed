/**
 * A local stand-in for CloudWatch GetMetricData that serves the scenario's synthetic series: metric
 * stats (Average, Sum, Minimum, Maximum, SampleCount, pNN) per period, the metric math the catalog
 * and the rules use, and ANOMALY_DETECTION_BAND, with CloudWatch's batch limit and NextToken paging.
 */
import type {
  GetMetricDataCommandInput,
  GetMetricDataCommandOutput,
  MetricDataQuery,
  MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import type { CatalogData } from '../catalog/dokkerr-catalog';
import { DOKKERR_CATALOG } from '../catalog/dokkerr-catalog';
import type { ScenarioMetricSeries } from './scenario';
import { ScenarioError } from './scenario';

/** Most queries one GetMetricData call accepts. */
export const MAX_QUERIES_PER_CALL = 500;
/** Most datapoints one GetMetricData page returns (CloudWatch's default MaxDatapoints). */
export const DEFAULT_MAX_DATAPOINTS = 100_800;
/** Buckets of history the simulated anomaly model trains on, before each timestamp. */
export const ANOMALY_TRAINING_BUCKETS = 60;
/** Fewest training buckets before the simulated anomaly model produces a band. */
export const ANOMALY_MIN_TRAINING = 5;

/** A raw synthetic series, resolved to its CloudWatch identity; `points` hold epoch ms. */
export interface SyntheticSeries {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly points: readonly (readonly [number, number])[];
}

/** A request the simulated CloudWatch refuses, named like the CloudWatch error it stands for. */
export class SimulatedCloudWatchError extends Error {
  public readonly code: string;

  public constructor(code: string, message: string) {
    super(message);
    this.name = code;
    this.code = code;
  }
}

/** Options of {@link SimulatedCloudWatch}. */
export interface SimulatedCloudWatchOptions {
  /** Datapoints per page before the answer continues under a NextToken. @default 100,800 */
  readonly maxDatapointsPerPage?: number;
  /** Called before every call; a returned error is thrown as the call's failure. @default - never fails */
  readonly failWith?: (input: GetMetricDataCommandInput) => Error | undefined;
}

type Series = Map<number, number>;
type Value = { readonly kind: 'scalar'; readonly value: number } | SeriesValue;
interface SeriesValue {
  readonly kind: 'series';
  readonly series: Series;
  readonly period: number;
  /** Second edge of a band, when the value is one. */
  readonly lower?: Series;
}

/** Resolves scenario series (catalog names) to CloudWatch identities; errors name `metrics[i]...`. */
export function resolveScenarioSeries(
  metrics: readonly ScenarioMetricSeries[],
  start: number,
  catalog: CatalogData = DOKKERR_CATALOG,
): SyntheticSeries[] {
  return metrics.map((series, i) => {
    const entry = catalog[series.metric];
    if (entry === undefined) {
      throw new ScenarioError(
        `metrics[${i}].metric: "${series.metric}" is not in the metric catalog; allowed: ${Object.keys(catalog).join(', ')}`,
      );
    }
    if (entry.kind !== 'metric') {
      throw new ScenarioError(
        `metrics[${i}].metric: "${series.metric}" is metric math; give the series of ${Object.values(entry.using).join(', ')} instead`,
      );
    }
    const missing = entry.dimensions.filter((d) => !(d in series.dimensions));
    const extra = Object.keys(series.dimensions).filter((d) => !entry.dimensions.includes(d));
    if (missing.length > 0 || extra.length > 0) {
      throw new ScenarioError(
        `metrics[${i}].dimensions: "${series.metric}" is published with exactly ${entry.dimensions.join(', ')}` +
          (missing.length > 0 ? `; missing ${missing.join(', ')}` : '') +
          (extra.length > 0 ? `; unknown ${extra.join(', ')}` : ''),
      );
    }
    return {
      namespace: entry.namespace,
      metricName: entry.metricName,
      dimensions: series.dimensions,
      points: series.points.map(([offset, value]) => [start + offset, value] as const),
    };
  });
}

function sameDimensions(
  a: Readonly<Record<string, string>>,
  b: readonly { Name?: string; Value?: string }[],
): boolean {
  const keys = Object.keys(a);
  return keys.length === b.length && b.every((d) => d.Name !== undefined && a[d.Name] === d.Value);
}

/** Aggregates raw values with a CloudWatch statistic. */
export function aggregate(values: readonly number[], stat: string): number {
  const sorted = [...values].sort((x, y) => x - y);
  const sum = values.reduce((acc, v) => acc + v, 0);
  switch (stat) {
    case 'Average':
      return sum / values.length;
    case 'Sum':
      return sum;
    case 'Minimum':
      return sorted[0] ?? Number.NaN;
    case 'Maximum':
      return sorted[sorted.length - 1] ?? Number.NaN;
    case 'SampleCount':
      return values.length;
  }
  const percentile = /^p(\d{1,2}(?:\.\d+)?)$/.exec(stat);
  if (percentile?.[1] !== undefined) {
    const rank = Math.max(1, Math.ceil((Number(percentile[1]) / 100) * sorted.length));
    return sorted[rank - 1] ?? Number.NaN;
  }
  throw new SimulatedCloudWatchError('InvalidParameterValue', `statistic "${stat}" is not supported here`);
}

// ---- metric math: a small parser for the expressions the catalog and rules use ----

type Node =
  | { readonly type: 'num'; readonly value: number }
  | { readonly type: 'ref'; readonly id: string }
  | { readonly type: 'unary'; readonly op: '-' | 'NOT'; readonly arg: Node }
  | { readonly type: 'binary'; readonly op: string; readonly left: Node; readonly right: Node }
  | { readonly type: 'call'; readonly name: string; readonly args: readonly Node[] };

const TOKEN = /\s*(?:(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(>=|<=|==|!=|[-+*/^(),<>]))/y;

function tokenize(expression: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.length) {
    if (/^\s*$/.test(expression.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(expression);
    if (m === null) {
      throw new SimulatedCloudWatchError(
        'ValidationError',
        `expression "${expression}": unexpected "${expression.slice(at).trim()}"`,
      );
    }
    tokens.push(m[1] ?? m[2] ?? m[3] ?? '');
  }
  return tokens;
}

const PRECEDENCE: Record<string, number> = {
  OR: 1,
  AND: 2,
  '>': 3,
  '<': 3,
  '>=': 3,
  '<=': 3,
  '==': 3,
  '!=': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '^': 6,
};

/** Parses a metric-math expression; throws a ValidationError naming the expression. */
export function parseExpression(expression: string): Node {
  const tokens = tokenize(expression);
  let pos = 0;
  const fail = (what: string): never => {
    throw new SimulatedCloudWatchError('ValidationError', `expression "${expression}": ${what}`);
  };
  const peek = (): string | undefined => tokens[pos];
  const expect = (token: string): void => {
    if (tokens[pos] !== token) fail(`expected "${token}" at token ${pos + 1}`);
    pos++;
  };
  const primary = (): Node => {
    const token = tokens[pos++];
    if (token === undefined) return fail('ends too early');
    if (token === '(') {
      const inner = binary(0);
      expect(')');
      return inner;
    }
    if (token === '-') return { type: 'unary', op: '-', arg: primary() };
    if (token.toUpperCase() === 'NOT') return { type: 'unary', op: 'NOT', arg: primary() };
    if (/^\d/.test(token)) return { type: 'num', value: Number(token) };
    if (/^[A-Za-z_]/.test(token)) {
      if (peek() !== '(') return { type: 'ref', id: token };
      pos++;
      const args: Node[] = [];
      if (peek() !== ')') {
        args.push(binary(0));
        while (peek() === ',') {
          pos++;
          args.push(binary(0));
        }
      }
      expect(')');
      return { type: 'call', name: token.toUpperCase(), args };
    }
    return fail(`unexpected "${token}"`);
  };
  const binary = (min: number): Node => {
    let left = primary();
    for (;;) {
      const raw = peek();
      const op = raw === undefined ? undefined : /^(and|or)$/i.test(raw) ? raw.toUpperCase() : raw;
      const prec = op === undefined ? undefined : PRECEDENCE[op];
      if (op === undefined || prec === undefined || prec <= min) return left;
      pos++;
      left = { type: 'binary', op, left, right: binary(op === '^' ? prec - 1 : prec) };
    }
  };
  const tree = binary(0);
  if (pos !== tokens.length) fail(`unexpected "${tokens[pos] ?? ''}"`);
  return tree;
}

function applyOp(op: string, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '^':
      return a ** b;
    case '>':
      return a > b ? 1 : 0;
    case '<':
      return a < b ? 1 : 0;
    case '>=':
      return a >= b ? 1 : 0;
    case '<=':
      return a <= b ? 1 : 0;
    case '==':
      return a === b ? 1 : 0;
    case '!=':
      return a !== b ? 1 : 0;
    case 'AND':
      return a !== 0 && b !== 0 ? 1 : 0;
    case 'OR':
      return a !== 0 || b !== 0 ? 1 : 0;
  }
  return Number.NaN;
}

function combine(values: readonly Value[], fn: (args: number[]) => number): Value {
  const series = values.filter((v): v is SeriesValue => v.kind === 'series');
  const first = series[0];
  if (first === undefined)
    return { kind: 'scalar', value: fn(values.map((v) => (v.kind === 'scalar' ? v.value : 0))) };
  const out: Series = new Map();
  for (const t of first.series.keys()) {
    const args: number[] = [];
    for (const v of values) {
      const x = v.kind === 'scalar' ? v.value : v.series.get(t);
      if (x === undefined) break;
      args.push(x);
    }
    if (args.length !== values.length) continue;
    const result = fn(args);
    if (Number.isFinite(result)) out.set(t, result);
  }
  return { kind: 'series', series: out, period: first.period };
}

/** The CloudWatch stand-in. Pass it wherever a client that sends GetMetricDataCommand is expected. */
export class SimulatedCloudWatch {
  /** GetMetricData calls served (for the bench and the tests). */
  public calls = 0;
  /** Queries received over all calls. */
  public queries = 0;
  private readonly maxDatapoints: number;
  // The MetricStat query behind each id of the current call, for the anomaly model's history.
  private readonly lastQueries = new Map<string, MetricDataQuery>();

  public constructor(
    private readonly series: readonly SyntheticSeries[],
    private readonly options: SimulatedCloudWatchOptions = {},
  ) {
    this.maxDatapoints = options.maxDatapointsPerPage ?? DEFAULT_MAX_DATAPOINTS;
  }

  /** Builds the stand-in from a scenario's `metrics` section. */
  public static fromScenario(
    scenario: { readonly start: number; readonly metrics: readonly ScenarioMetricSeries[] },
    catalog: CatalogData = DOKKERR_CATALOG,
    options: SimulatedCloudWatchOptions = {},
  ): SimulatedCloudWatch {
    return new SimulatedCloudWatch(resolveScenarioSeries(scenario.metrics, scenario.start, catalog), options);
  }

  /** The SDK client's `send`, for a GetMetricDataCommand (anything with that `input`). */
  public send(command: { readonly input: GetMetricDataCommandInput }): Promise<GetMetricDataCommandOutput> {
    try {
      return Promise.resolve(this.getMetricData(command.input));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Answers one GetMetricData page. */
  public getMetricData(input: GetMetricDataCommandInput): GetMetricDataCommandOutput {
    this.calls++;
    const failure = this.options.failWith?.(input);
    if (failure !== undefined) throw failure;
    const queries = input.MetricDataQueries ?? [];
    this.queries += queries.length;
    if (queries.length === 0 || queries.length > MAX_QUERIES_PER_CALL) {
      throw new SimulatedCloudWatchError(
        'ValidationError',
        `MetricDataQueries must hold 1 to ${MAX_QUERIES_PER_CALL} queries, got ${queries.length}`,
      );
    }
    if (input.StartTime === undefined || input.EndTime === undefined) {
      throw new SimulatedCloudWatchError('ValidationError', 'StartTime and EndTime are required');
    }
    const ids = new Set<string>();
    for (const q of queries) {
      if (q.Id === undefined || !/^[a-z][a-zA-Z0-9_]*$/.test(q.Id)) {
        throw new SimulatedCloudWatchError('ValidationError', `query id "${q.Id ?? ''}" is not valid`);
      }
      if (ids.has(q.Id)) throw new SimulatedCloudWatchError('ValidationError', `query id "${q.Id}" repeats`);
      ids.add(q.Id);
    }
    const start = new Date(input.StartTime).getTime();
    const end = new Date(input.EndTime).getTime();
    const results = this.evaluateAll(queries, start, end, input.ScanBy === 'TimestampAscending');
    return this.page(results, input.NextToken);
  }

  private page(all: MetricDataResult[], token: string | undefined): GetMetricDataCommandOutput {
    const [resultIndex, pointIndex] = (token ?? '0.0').split('.').map(Number);
    if (resultIndex === undefined || pointIndex === undefined || Number.isNaN(resultIndex + pointIndex)) {
      throw new SimulatedCloudWatchError('InvalidNextToken', `NextToken "${token ?? ''}" is not valid`);
    }
    const out: MetricDataResult[] = [];
    let budget = this.maxDatapoints;
    for (let r = resultIndex; r < all.length; r++) {
      const result = all[r];
      if (result === undefined) continue;
      const from = r === resultIndex ? pointIndex : 0;
      const timestamps = result.Timestamps ?? [];
      const take = Math.min(budget, timestamps.length - from);
      const complete = from + take >= timestamps.length;
      out.push({
        ...result,
        Timestamps: timestamps.slice(from, from + take),
        Values: (result.Values ?? []).slice(from, from + take),
        StatusCode: complete ? result.StatusCode : 'PartialData',
      });
      budget -= take;
      if (!complete || (budget <= 0 && r + 1 < all.length)) {
        const next = complete ? `${r + 1}.0` : `${r}.${from + take}`;
        return { $metadata: {}, MetricDataResults: out, NextToken: next, Messages: [] };
      }
    }
    return { $metadata: {}, MetricDataResults: out, Messages: [] };
  }

  private evaluateAll(
    queries: readonly MetricDataQuery[],
    start: number,
    end: number,
    ascending: boolean,
  ): MetricDataResult[] {
    const byId = new Map(queries.map((q) => [q.Id ?? '', q]));
    const memo = new Map<string, Value>();
    const resolving = new Set<string>();
    const valueOf = (id: string): Value => {
      const known = memo.get(id);
      if (known !== undefined) return known;
      const query = byId.get(id);
      if (query === undefined) {
        throw new SimulatedCloudWatchError('ValidationError', `expression refers to unknown id "${id}"`);
      }
      if (resolving.has(id))
        throw new SimulatedCloudWatchError('ValidationError', `query "${id}" refers to itself`);
      resolving.add(id);
      const value = this.queryValue(query, start, end, valueOf);
      resolving.delete(id);
      memo.set(id, value);
      return value;
    };
    const results: MetricDataResult[] = [];
    for (const query of queries) {
      if (query.ReturnData === false) continue;
      const id = query.Id ?? '';
      const value = valueOf(id);
      const label = query.Label ?? id;
      const edges: [string, Series][] =
        value.kind === 'scalar'
          ? [[label, new Map([[start, value.value]])]]
          : value.lower === undefined
            ? [[label, value.series]]
            : [
                [`${label} Upper`, value.series],
                [`${label} Lower`, value.lower],
              ];
      for (const [edgeLabel, series] of edges) {
        const times = [...series.keys()].sort((a, b) => (ascending ? a - b : b - a));
        results.push({
          Id: id,
          Label: edgeLabel,
          Timestamps: times.map((t) => new Date(t)),
          Values: times.map((t) => series.get(t) ?? Number.NaN),
          StatusCode: 'Complete',
          Messages: [],
        });
      }
    }
    return results;
  }

  private queryValue(
    query: MetricDataQuery,
    start: number,
    end: number,
    valueOf: (id: string) => Value,
  ): Value {
    const stat = query.MetricStat;
    if (stat !== undefined) {
      const period = stat.Period ?? 60;
      return { kind: 'series', series: this.statSeries(query, start, end), period };
    }
    if (query.Expression === undefined) {
      throw new SimulatedCloudWatchError(
        'ValidationError',
        `query "${query.Id ?? ''}" has neither MetricStat nor Expression`,
      );
    }
    const period = query.Period;
    const evaluate = (node: Node): Value => {
      switch (node.type) {
        case 'num':
          return { kind: 'scalar', value: node.value };
        case 'ref':
          return valueOf(node.id);
        case 'unary': {
          const arg = evaluate(node.arg);
          return combine([arg], ([x = 0]) => (node.op === '-' ? -x : x === 0 ? 1 : 0));
        }
        case 'binary':
          return combine([evaluate(node.left), evaluate(node.right)], ([a = 0, b = 0]) =>
            applyOp(node.op, a, b),
          );
        case 'call':
          return this.callFunction(node, evaluate, valueOf, start, end, period);
      }
    };
    return evaluate(parseExpression(query.Expression));
  }

  private callFunction(
    node: Extract<Node, { type: 'call' }>,
    evaluate: (node: Node) => Value,
    valueOf: (id: string) => Value,
    start: number,
    end: number,
    period: number | undefined,
  ): Value {
    const arg = (i: number): Node => {
      const a = node.args[i];
      if (a === undefined) {
        throw new SimulatedCloudWatchError('ValidationError', `${node.name} needs argument ${i + 1}`);
      }
      return a;
    };
    switch (node.name) {
      case 'IF': {
        const values = [evaluate(arg(0)), evaluate(arg(1)), evaluate(arg(2))];
        return combine(values, ([c = 0, a = 0, b = 0]) => (c !== 0 ? a : b));
      }
      case 'PERIOD': {
        const v = evaluate(arg(0));
        const seconds = v.kind === 'series' ? v.period : (period ?? 60);
        return v.kind === 'series' ? combine([v], () => seconds) : { kind: 'scalar', value: seconds };
      }
      case 'FILL': {
        const v = evaluate(arg(0));
        const fill = evaluate(arg(1));
        if (v.kind !== 'series' || fill.kind !== 'scalar') return v;
        const out: Series = new Map();
        for (let t = Math.floor(start / (v.period * 1000)) * v.period * 1000; t < end; t += v.period * 1000) {
          out.set(t, v.series.get(t) ?? fill.value);
        }
        return { kind: 'series', series: out, period: v.period };
      }
      case 'ABS':
        return combine([evaluate(arg(0))], ([x = 0]) => Math.abs(x));
      case 'ANOMALY_DETECTION_BAND': {
        const target = arg(0);
        if (target.type !== 'ref') {
          throw new SimulatedCloudWatchError('ValidationError', 'ANOMALY_DETECTION_BAND needs a metric id');
        }
        const width: Value =
          node.args[1] === undefined ? { kind: 'scalar', value: 2 } : evaluate(node.args[1]);
        if (width.kind !== 'scalar') {
          throw new SimulatedCloudWatchError(
            'ValidationError',
            'ANOMALY_DETECTION_BAND width must be a number',
          );
        }
        valueOf(target.id);
        return this.band(target.id, width.value, start, end, valueOf);
      }
    }
    throw new SimulatedCloudWatchError('ValidationError', `function ${node.name} is not supported here`);
  }

  // The model: mean +/- width standard deviations of the preceding buckets of the same metric stat.
  private band(id: string, width: number, start: number, end: number, valueOf: (id: string) => Value): Value {
    const value = valueOf(id);
    if (value.kind !== 'series') {
      throw new SimulatedCloudWatchError('ValidationError', 'ANOMALY_DETECTION_BAND needs a time series');
    }
    const periodMs = value.period * 1000;
    const history = this.historyOf(id, valueOf, start - ANOMALY_TRAINING_BUCKETS * periodMs, end);
    const upper: Series = new Map();
    const lower: Series = new Map();
    for (let t = Math.floor(start / periodMs) * periodMs; t < end; t += periodMs) {
      const training: number[] = [];
      for (let k = 1; k <= ANOMALY_TRAINING_BUCKETS; k++) {
        const v = history.get(t - k * periodMs);
        if (v !== undefined) training.push(v);
      }
      if (training.length < ANOMALY_MIN_TRAINING) continue;
      const mean = training.reduce((a, v) => a + v, 0) / training.length;
      const variance = training.reduce((a, v) => a + (v - mean) ** 2, 0) / training.length;
      const spread = Math.max(Math.sqrt(variance), Math.abs(mean) * 0.01, 1e-9);
      upper.set(t, mean + width * spread);
      lower.set(t, mean - width * spread);
    }
    return { kind: 'series', series: upper, period: value.period, lower };
  }

  private historyOf(id: string, valueOf: (id: string) => Value, from: number, end: number): Series {
    const query = this.lastQueries.get(id);
    if (query?.MetricStat === undefined) {
      const v = valueOf(id);
      return v.kind === 'series' ? v.series : new Map<number, number>();
    }
    return this.statSeries(query, from, end);
  }

  private statSeries(query: MetricDataQuery, start: number, end: number): Series {
    const stat = query.MetricStat;
    const metric = stat?.Metric;
    if (stat === undefined || metric === undefined || stat.Stat === undefined || stat.Period === undefined) {
      throw new SimulatedCloudWatchError(
        'ValidationError',
        `query "${query.Id ?? ''}": MetricStat needs Metric, Period and Stat`,
      );
    }
    this.lastQueries.set(query.Id ?? '', query);
    const periodMs = stat.Period * 1000;
    const buckets = new Map<number, number[]>();
    for (const s of this.series) {
      if (s.namespace !== metric.Namespace || s.metricName !== metric.MetricName) continue;
      if (!sameDimensions(s.dimensions, metric.Dimensions ?? [])) continue;
      for (const [t, v] of s.points) {
        if (t < start || t >= end) continue;
        const bucket = Math.floor(t / periodMs) * periodMs;
        const list = buckets.get(bucket) ?? [];
        list.push(v);
        buckets.set(bucket, list);
      }
    }
    const out: Series = new Map();
    for (const [t, values] of buckets) out.set(t, aggregate(values, stat.Stat));
    return out;
  }
}
