// What every benchmark section returns: figures with their spread, and the target each must reach.

/** One measured figure over repeated runs. */
export interface Figure {
  readonly min: number;
  readonly median: number;
  readonly max: number;
  readonly unit: string;
  /** The target the median is judged against; absent for figures reported for context only. */
  readonly target?: Target;
}

/** A bound on a figure's median. */
export interface Target {
  readonly op: '<=' | '>=';
  readonly value: number;
}

/** A section's figures by name. Sections without targets fit too (`target` is optional). */
export type Figures = Record<string, Figure>;

/** min / median / max of a non-empty list of samples. */
export function spreadOf(samples: readonly number[]): { min: number; median: number; max: number } {
  if (samples.length === 0) throw new RangeError('no samples to summarise');
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  return { min: sorted[0] ?? 0, median, max: sorted[sorted.length - 1] ?? 0 };
}

/** A figure from samples, optionally with a target. */
export function figureOf(samples: readonly number[], unit: string, target?: Target): Figure {
  return { ...spreadOf(samples), unit, ...(target ? { target } : {}) };
}

/** A figure whose samples are paired ratios a[i]/b[i] of runs made side by side. */
export function ratioFigure(
  numerators: readonly number[],
  denominators: readonly number[],
  target?: Target,
): Figure {
  if (numerators.length !== denominators.length) throw new RangeError('ratio needs paired samples');
  return figureOf(
    numerators.map((n, i) => n / (denominators[i] ?? Number.NaN)),
    'ratio',
    target,
  );
}

/** Whether the figure's median meets its target; undefined when it has none. */
export function targetMet(figure: Figure): boolean | undefined {
  if (figure.target === undefined) return undefined;
  return figure.target.op === '<='
    ? figure.median <= figure.target.value
    : figure.median >= figure.target.value;
}
