/** Port of the delivery ledger: at most one successful post per channel and notification id. */
import type { Channel } from '../domain/alert';

/** Identity of one delivery. */
export interface DeliveryKey {
  readonly channel: Channel;
  readonly notificationId: string;
}

/** Terminal states of a delivery. */
export type DeliveryFinalState = 'delivered' | 'rejected';

/** Outcome of trying to claim a delivery. */
export type ClaimResult =
  | { readonly outcome: 'claimed' }
  | { readonly outcome: 'done'; readonly state: DeliveryFinalState }
  | { readonly outcome: 'in-progress' };

/** Records deliveries so a redelivered SNS message does not post twice. */
export interface DeliveryLedger {
  /** Claims the delivery for `leaseMs`; a claim whose lease ran out (crashed invocation) can be taken over. */
  claim(key: DeliveryKey, now: number, leaseMs: number): Promise<ClaimResult>;
  /** Marks the claimed delivery as finished, with the reason for a rejection. */
  finish(
    key: DeliveryKey,
    state: DeliveryFinalState,
    now: number,
    detail?: { code: string; reason: string },
  ): Promise<void>;
  /** Gives the claim back after a retryable failure so the next attempt can post. */
  release(key: DeliveryKey): Promise<void>;
}
