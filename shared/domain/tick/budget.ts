/** How much one tick run may do, so it ends well inside its Lambda timeout and its memory. */

/** Limits of one run. Work beyond them stays queued for the next run; nothing is dropped. */
export interface TickLimits {
  /** Most alert changes folded per run. @default 25000 */
  readonly maxChanges?: number;
  /** Most groups planned per run. @default 5000 */
  readonly maxGroups?: number;
  /** Most stuck outboxes finished per run. @default 2000 */
  readonly maxOutboxes?: number;
  /** Real milliseconds the fold may take before it leaves the rest for the next run. @default 25000 */
  readonly foldMs?: number;
  /** Real milliseconds after which planning takes no more groups. @default 40000 */
  readonly runMs?: number;
}

const DEFAULTS: Required<TickLimits> = {
  maxChanges: 25_000,
  maxGroups: 5_000,
  maxOutboxes: 2_000,
  foldMs: 25_000,
  runMs: 40_000,
};

/** A run's budget: item counts and real (not virtual) elapsed time. */
export class TickBudget {
  private readonly limits: Required<TickLimits>;
  private readonly startedAt: number;

  public constructor(
    limits: TickLimits,
    private readonly elapsed: () => number,
  ) {
    this.limits = { ...DEFAULTS, ...limits };
    this.startedAt = elapsed();
  }

  /** Real milliseconds since the run started. */
  public get spentMs(): number {
    return this.elapsed() - this.startedAt;
  }

  /** True while the fold may take another page, having folded `folded` changes. */
  public mayFold(folded: number): boolean {
    return folded < this.limits.maxChanges && this.spentMs < this.limits.foldMs;
  }

  /** True while planning may take more groups, having taken `planned`. */
  public mayPlan(planned: number): boolean {
    return planned < this.limits.maxGroups && this.spentMs < this.limits.runMs;
  }

  /** Most stuck outboxes to finish. */
  public get maxOutboxes(): number {
    return this.limits.maxOutboxes;
  }
}
