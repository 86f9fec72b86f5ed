// Counts what a fault scenario should have delivered against what its receivers really got, and
// records the scenario's row for the fault summary the test command prints.
import { appendFileSync } from 'node:fs';
import * as path from 'node:path';

/** Environment variable naming the folder the summary reporter reads rows from. */
export const FAULT_REPORT_DIR_ENV = 'VIGIL_FAULT_REPORT_DIR';

/** One line of the fault summary. */
export interface FaultRow {
  readonly suite: string;
  readonly scenario: string;
  readonly faults: number;
  readonly events: number;
  readonly delivered: number;
  readonly lost: number;
  readonly duplicated: number;
  /** Duplicates the scenario accepts because the peer's semantics force at-least-once. */
  readonly duplicateBound: number;
  readonly note: string;
}

/** Counts of one tally. */
export interface TallyCounts {
  /** Distinct expected deliveries. */
  readonly expected: number;
  /** Distinct expected or allowed deliveries that arrived at least once. */
  readonly delivered: number;
  /** Expected deliveries that never arrived. */
  readonly lost: number;
  /** Arrivals beyond the first of an expected delivery. */
  readonly duplicated: number;
  /** Arrivals that were never expected at all. */
  readonly unexpected: number;
  /** Keys of the lost deliveries, for failure messages. */
  readonly lostKeys: readonly string[];
  /** Keys delivered more than once, for failure messages. */
  readonly duplicatedKeys: readonly string[];
}

/**
 * Expected deliveries as keys (e.g. `alarm|channel|status`) computed by the scenario from its own
 * inputs, and what the receivers saw, as the same keys.
 */
export class DeliveryTally {
  private readonly expected = new Set<string>();
  private readonly optional = new Set<string>();
  private readonly seen = new Map<string, number>();

  /** Adds deliveries that must arrive exactly once. */
  public expect(...keys: string[]): void {
    for (const key of keys) this.expected.add(key);
  }

  /** Adds deliveries that may arrive at most once (documented: e.g. a firing overtaken by its resolve). */
  public allow(...keys: string[]): void {
    for (const key of keys) this.optional.add(key);
  }

  /** Records one arrival at a receiver. */
  public saw(key: string): void {
    this.seen.set(key, (this.seen.get(key) ?? 0) + 1);
  }

  /** Lost, duplicated and unexpected deliveries so far. */
  public counts(): TallyCounts {
    const lostKeys = [...this.expected].filter((key) => !this.seen.has(key));
    const known = (key: string): boolean => this.expected.has(key) || this.optional.has(key);
    const duplicatedKeys = [...this.seen].filter(([key, n]) => known(key) && n > 1);
    return {
      expected: this.expected.size,
      delivered: [...this.seen.keys()].filter(known).length,
      lost: lostKeys.length,
      duplicated: duplicatedKeys.reduce((sum, [, n]) => sum + n - 1, 0),
      unexpected: [...this.seen.keys()].filter((key) => !known(key)).length,
      lostKeys,
      duplicatedKeys: duplicatedKeys.map(([key]) => key),
    };
  }
}

/**
 * Appends a scenario's row for the summary reporter. Outside a run with the reporter (no folder
 * configured) the row is only returned, so the scenario's own assertions still decide.
 */
export function recordFaultRow(row: FaultRow): FaultRow {
  const dir = process.env[FAULT_REPORT_DIR_ENV];
  if (dir !== undefined && dir !== '') {
    appendFileSync(path.join(dir, `rows-${process.pid}.jsonl`), `${JSON.stringify(row)}\n`);
  }
  return row;
}

/** Builds a row from a tally. */
export function rowFromTally(
  suite: string,
  scenario: string,
  tally: TallyCounts,
  extra: { faults: number; events: number; note: string; duplicateBound?: number },
): FaultRow {
  return recordFaultRow({
    suite,
    scenario,
    faults: extra.faults,
    events: extra.events,
    delivered: tally.delivered,
    lost: tally.lost,
    duplicated: tally.duplicated + tally.unexpected,
    duplicateBound: extra.duplicateBound ?? 0,
    note: extra.note,
  });
}
