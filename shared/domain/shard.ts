/** Spreading keys over shards, so that no single partition key carries a storm's writes. */

/**
 * Shards of each kind of work in the `due` index, and of each group's member list. A DynamoDB
 * partition key takes about 1,000 writes/s; a storm of 20,000 alarms in a minute peaks near 700
 * alert changes/s, and each change writes its shard twice (queued, then folded), so 16 shards keep
 * every key under 100 writes/s with room for bursts three times as steep.
 */
export const SHARDS = 16;

/** Stable shard in [0, count) of a key (FNV-1a over its UTF-16 code units). */
export function shardOf(key: string, count: number = SHARDS): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % count;
}

/** Every shard number, 0 to SHARDS - 1. */
export const ALL_SHARDS: readonly number[] = Array.from({ length: SHARDS }, (_, i) => i);
