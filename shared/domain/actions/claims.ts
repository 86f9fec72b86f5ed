/** Claims that make a request, a webhook event or a link count once. */
export interface ActionClaims {
  /** Takes `key` until `until` (epoch ms); false when it was already taken: a replay. */
  claim(key: string, until: number, now: number): Promise<boolean>;
  /** True when `key` was taken (a used link). */
  isClaimed(key: string): Promise<boolean>;
  /** Gives a claim back when the action behind it failed for a reason a retry may fix. */
  release(key: string): Promise<void>;
}
