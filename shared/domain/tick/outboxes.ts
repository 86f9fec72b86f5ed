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

/** What the signal sweep did. */
export interface SignalSweep {
  readonly sent: number;
  readonly failed: number;
}

/**
 * Sends again the incident signals the responder's queue did not take when their page went out,
 * oldest first, at most `limit` per run; a signal that fails again stays for the next run.
 */
export async function resendKeptSignals(deps: AlertServiceDeps, limit: number): Promise<SignalSweep> {
  const { signals, signalBacklog } = deps;
  if (!signals || !signalBacklog) return { sent: 0, failed: 0 };
  let sent = 0;
  let failed = 0;
  for (const signal of await signalBacklog.list(limit)) {
    try {
      await signals.send(signal);
      await signalBacklog.forget(signal.id);
      sent++;
    } catch (error) {
      failed++;
      deps.log.error('tick could not send a kept incident signal; the next tick retries', {
        signal: signal.id,
        service: signal.service,
        error: describeError(error),
      });
    }
  }
  if (sent > 0) deps.log.info('kept incident signals sent', { sent });
  return { sent, failed };
}
