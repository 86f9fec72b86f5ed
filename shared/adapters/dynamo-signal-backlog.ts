/**
 * Incident signals the responder's queue did not take, kept in the alert-state table until the
 * tick sends them: one item per signal (`SIGNAL#<id>`), listed oldest first through the `due`
 * index (shard `SIGNAL#0`: failed sends are rare, one partition is plenty).
 */
import type { IncidentSignal, SignalBacklog } from '../domain/incident-signal';
import { parseSignal } from '../domain/incident-signal-schema';
import type { DocTable } from './doc-table';
import { dueShardKey, NOT_DUE, queryDueIndex, TABLE_KEYS } from './dynamo-index';

const SK = 'SIGNAL';

/** Key of a kept signal. */
export function signalKey(id: string): { pk: string; sk: string } {
  return { pk: `SIGNAL#${id}`, sk: SK };
}

/** {@link SignalBacklog} in the alert-state table. */
export class DynamoSignalBacklog implements SignalBacklog {
  public constructor(
    private readonly doc: DocTable,
    private readonly tableName: string,
  ) {}

  /** @inheritdoc */
  public async keep(signal: IncidentSignal, now: number): Promise<void> {
    await this.doc.put({
      TableName: this.tableName,
      Item: {
        ...signalKey(signal.id),
        signal: JSON.stringify(signal),
        keptAt: now,
        [TABLE_KEYS.dueShard]: dueShardKey('SIGNAL', 0),
        [TABLE_KEYS.dueAt]: now,
      },
    });
  }

  /** @inheritdoc */
  public async list(limit: number): Promise<IncidentSignal[]> {
    const items = await queryDueIndex(
      this.doc,
      this.tableName,
      dueShardKey('SIGNAL', 0),
      { from: 0, until: NOT_DUE, order: 'oldest-first' },
      limit,
    );
    return items.map((item) => {
      const parsed = parseSignal(typeof item['signal'] === 'string' ? item['signal'] : '');
      if (!parsed.ok) throw new Error(`kept signal ${String(item['pk'])} is damaged: ${parsed.reason}`);
      return parsed.signal;
    });
  }

  /** @inheritdoc */
  public async forget(id: string): Promise<void> {
    await this.doc.delete({ TableName: this.tableName, Key: signalKey(id) });
  }
}
