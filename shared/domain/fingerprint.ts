import { createHash } from 'node:crypto';
import type { Labels } from './alert';

// Severity may rise and fall while the alert stays the same alert.
const VOLATILE_LABELS = new Set(['severity']);

/** Stable identity of an alert: a hash of its sorted identifying labels (severity excluded). */
export function fingerprintOf(labels: Labels): string {
  const canonical = Object.keys(labels)
    .filter((k) => !VOLATILE_LABELS.has(k))
    .sort()
    .map((k) => `${k}\u0000${labels[k] ?? ''}`)
    .join('\u0001');
  return createHash('sha256').update(canonical).digest('hex').slice(0, 20);
}
