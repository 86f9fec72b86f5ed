/**
 * Bounded alert listing without a table scan. Every alert is always in the sparse `due` index:
 * OUTBOX while a notification is pending, CHANGED until the tick folds its change, then FIRING or
 * SETTLED (by its last change). A listing reads the shards of the kinds the status asks for, at
 * most `limit` items each (SETTLED newest first, from `since`).
 */
import { parseAlertItem } from '../adapters/dynamo-alert-store';
import type { DueKind } from '../adapters/dynamo-index';
import { dueShardKey, NOT_DUE, queryDueIndex } from '../adapters/dynamo-index';
import { severityRank } from '../domain/alert';
import type { AlertRecord, AlertStatus } from '../domain/alert-record';
import { ALL_SHARDS } from '../domain/shard';
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

const KINDS: Readonly<Record<AlertQuery['status'], readonly DueKind[]>> = {
  firing: ['OUTBOX', 'CHANGED', 'FIRING'],
  resolved: ['OUTBOX', 'CHANGED', 'SETTLED'],
  inactive: ['OUTBOX', 'CHANGED', 'SETTLED'],
  all: ['OUTBOX', 'CHANGED', 'FIRING', 'SETTLED'],
};

/** Lists alerts through the `due` index, filtered and sorted for people. */
export async function listAlerts(target: CliTarget, query: AlertQuery): Promise<AlertListing> {
  const { doc, tableName } = target;
  const reads = await Promise.all(
    KINDS[query.status].flatMap((kind) =>
      ALL_SHARDS.map((shard) =>
        queryDueIndex(
          doc,
          tableName,
          dueShardKey(kind, shard),
          {
            from: kind === 'SETTLED' ? query.since : 0,
            until: NOT_DUE,
            order: 'newest-first',
          },
          query.limit,
        ),
      ),
    ),
  );
  const byFingerprint = new Map<string, AlertRecord>();
  for (const record of reads.flat().map(parseAlertItem)) {
    const seen = byFingerprint.get(record.fingerprint);
    if (!seen || seen.version < record.version) byFingerprint.set(record.fingerprint, record);
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
  const truncated = reads.some((read) => read.length >= query.limit);
  return { alerts, truncated };
}
