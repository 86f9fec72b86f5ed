/** Outboxes an alarm-handler invocation left behind (it crashed or its retries ran out) are finished here. */
import type { AlertServiceDeps } from '../alert-service';
import { finishPendingOutbox } from '../alert-service';
import { describeError } from '../errors';

/** What the outbox sweep did. */
export interface OutboxSweep {
  readonly due: number;
  readonly published: number;
  readonly failed: number;
  /** More were due than one run finishes. */
  readonly backlog: boolean;
}

/** Claims and publishes every outbox due at `now`, at most `limit` per run. */
export async function finishDueOutboxes(
  deps: AlertServiceDeps,
  now: number,
  limit: number,
): Promise<OutboxSweep> {
  let due = 0;
  let published = 0;
  let failed = 0;
  let backlog = false;
  for await (const page of deps.store.dueOutboxes(now)) {
    for (const fingerprint of page) {
      if (due >= limit) {
        backlog = true;
        break;
      }
      due++;
      try {
        const current = await deps.store.get(fingerprint);
        const result = current ? await finishPendingOutbox(deps, current) : [];
        if (result !== 'conflict') published += result.length;
      } catch (error) {
        failed++;
        deps.log.error('tick could not finish an outbox; the next tick retries', {
          fingerprint,
          error: describeError(error),
        });
      }
    }
    if (backlog) break;
  }
  return { due, published, failed, backlog };
}
