/**
 * Bounded alert listing without a table scan. Every alert write puts the item in the sparse `due`
 * index (shard CHANGED by its last change, or OUTBOX while a notification is pending), and the
 * tick keeps every alert it still tracks as a member of an active group (shard GROUP). A listing
 * reads those three shards newest first, at most `limit` items each, and fetches group members
 * it has not seen yet by key.
 */
import { parseAlertItem } from '../adapters/dynamo-alert-store';
import { queryDueIndex } from '../adapters/dynamo-index';
import { severityRank } from '../domain/alert';
import type { AlertRecord, AlertStatus } from '../domain/alert-record';
import type { CliTarget } from './target';

/** Which alerts to list. */
export interface AlertQuery {
  readonly status: AlertStatus | 'all';
  readonly service?: string;
  readonly severity?: string;
  /** Only alerts changed at or after this time (epoch ms). */
  readonly since: number;
  /** Items read per index shard. */
  readonly limit: number;
}

/** What a listing found. */
export interface AlertListing {
  readonly alerts: AlertRecord[];
  /** True when a read hit its limit: older alerts may exist beyond it. */
  readonly truncated: boolean;
}

const FAR_FUTURE = Number.MAX_SAFE_INTEGER;

/** Lists alerts through the `due` index and the active groups, filtered and sorted for people. */
export async function listAlerts(target: CliTarget, query: AlertQuery): Promise<AlertListing> {
  const { doc, tableName } = target;
  const [changed, outboxes, groups] = await Promise.all([
    queryDueIndex(doc, tableName, 'CHANGED', query.since, FAR_FUTURE, query.limit, 'newest-first'),
    queryDueIndex(doc, tableName, 'OUTBOX', 0, FAR_FUTURE, query.limit, 'newest-first'),
    query.status === 'resolved' ? Promise.resolve([]) : target.groups.listActiveGroups(query.limit),
  ]);
  const byFingerprint = new Map<string, AlertRecord>();
  const keep = (record: AlertRecord): void => {
    const seen = byFingerprint.get(record.fingerprint);
    if (!seen || seen.version < record.version) byFingerprint.set(record.fingerprint, record);
  };
  [...changed, ...outboxes].map(parseAlertItem).forEach(keep);
  // Firing alerts that changed long ago are still members of their group.
  const missing = [
    ...new Set(
      groups.flatMap((g) =>
        Object.entries(g.members)
          .filter(([fingerprint, m]) => m.alert.status === 'firing' && !byFingerprint.has(fingerprint))
          .map(([fingerprint]) => fingerprint),
      ),
    ),
  ].slice(0, query.limit);
  for (const record of await Promise.all(missing.map((f) => target.alerts.get(f)))) {
    if (record) keep(record);
  }
  const alerts = [...byFingerprint.values()]
    .filter((a) => query.status === 'all' || a.status === query.status)
    .filter((a) => query.service === undefined || a.labels['service'] === query.service)
    .filter((a) => query.severity === undefined || a.severity === query.severity)
    .filter((a) => (a.dirtyAt ?? a.lastChangeAt) >= query.since)
    .sort(
      (a, b) =>
        Number(b.status === 'firing') - Number(a.status === 'firing') ||
        severityRank(b.severity) - severityRank(a.severity) ||
        (b.startsAt ?? b.lastChangeAt) - (a.startsAt ?? a.lastChangeAt) ||
        a.alarmName.localeCompare(b.alarmName),
    );
  const truncated = [changed, outboxes, groups].some((read) => read.length >= query.limit);
  return { alerts, truncated };
}
