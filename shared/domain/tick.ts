import type { AlertServiceDeps } from './alert-service';
import { finishPendingOutbox } from './alert-service';
import { describeError } from './errors';

/** What one tick did. */
export interface TickReport {
  /** Alerts whose pending outbox was looked at. */
  readonly outboxesDue: number;
  /** Channels published by this tick. */
  readonly published: number;
  /** Outboxes whose publish failed again (left for the next tick). */
  readonly failed: number;
}

/** Options of {@link runTick}. */
export interface TickOptions {
  /** Most items handled per tick, so a tick ends well inside its timeout. @default 200 */
  readonly limit?: number;
}

/**
 * The periodic sweep: finishes outboxes whose publishing invocation failed or died (their claim
 * ran out). Reads only what is due through the sparse index; overlapping ticks are safe because
 * each outbox is claimed with a conditional write before it is published.
 */
export async function runTick(deps: AlertServiceDeps, options: TickOptions = {}): Promise<TickReport> {
  const due = await deps.store.listDueOutboxes(deps.clock(), options.limit ?? 200);
  let published = 0;
  let failed = 0;
  for (const fingerprint of due) {
    try {
      const current = await deps.store.get(fingerprint);
      if (!current) continue;
      const result = await finishPendingOutbox(deps, current);
      if (result !== 'conflict') published += result.length;
    } catch (error) {
      failed++;
      deps.log.error('tick could not finish an outbox; the next tick retries', {
        fingerprint,
        error: describeError(error),
      });
    }
  }
  const report = { outboxesDue: due.length, published, failed };
  if (due.length > 0) deps.log.info('tick done', { ...report });
  return report;
}
