/**
 * A stand-in for the responder's SQS FIFO queue in the replay: signals are kept in the order they
 * were sent, deduplicated by id within five minutes as SQS deduplicates them, and handed to the
 * responder one service at a time. A signal the responder fails on is delivered again, up to the
 * queue's receive limit, then counted as dead-lettered; the later signals of its service wait
 * behind it, as they do in a FIFO message group.
 */
import type { IncidentSignal, IncidentSignalSink } from '../domain/incident-signal';
import type { ResponderDeps } from '../domain/incident-response';
import { respondToSignal } from '../domain/incident-response';

/** Deliveries of one message before SQS moves it to the dead-letter queue (the stack's maxReceiveCount). */
export const MAX_RECEIVES = 5;
const DEDUPLICATION_MS = 5 * 60_000;

/** What one drain did. */
export interface QueueRun {
  readonly handled: number;
  /** Deliveries that failed (each is retried). */
  readonly failed: number;
  /** Signals given up after {@link MAX_RECEIVES} deliveries. */
  readonly deadLettered: number;
}

interface Queued {
  readonly signal: IncidentSignal;
  receives: number;
}

/** The queue: `send` from the handlers, `drain` into the responder. */
export class LocalSignalQueue implements IncidentSignalSink {
  private readonly queued: Queued[] = [];
  private readonly seen = new Map<string, number>();
  /** Signals given up, for the run's report. */
  public readonly deadLetters: IncidentSignal[] = [];

  public constructor(private readonly clock: () => number = Date.now) {}

  /** @inheritdoc */
  public send(signal: IncidentSignal): Promise<void> {
    const now = this.clock();
    const sentAt = this.seen.get(signal.id);
    if (sentAt === undefined || now - sentAt >= DEDUPLICATION_MS) {
      this.seen.set(signal.id, now);
      this.queued.push({ signal, receives: 0 });
    }
    return Promise.resolve();
  }

  /** Signals waiting. */
  public get depth(): number {
    return this.queued.length;
  }

  /** Delivers everything queued (and what handling it queues), group by group, in order. */
  public async drain(deps: ResponderDeps): Promise<QueueRun> {
    let handled = 0;
    let failed = 0;
    let deadLettered = 0;
    while (this.queued.length > 0) {
      const next = this.queued[0];
      if (next === undefined) break;
      next.receives++;
      try {
        await respondToSignal(deps, next.signal);
        this.queued.shift();
        handled++;
      } catch {
        failed++;
        if (next.receives >= MAX_RECEIVES) {
          this.queued.shift();
          this.deadLetters.push(next.signal);
          deadLettered++;
        }
      }
    }
    return { handled, failed, deadLettered };
  }
}
