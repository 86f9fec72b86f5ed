import type { AlertRecord } from '../../shared/domain/alert-record';
import type { AlertStore } from '../../shared/domain/ports';

/** In-memory AlertStore with the same version semantics as the DynamoDB one. */
export class MemoryAlertStore implements AlertStore {
  public readonly items = new Map<string, AlertRecord>();
  public writes = 0;

  public get(fingerprint: string): Promise<AlertRecord | undefined> {
    return Promise.resolve(this.items.get(fingerprint));
  }

  public listDueOutboxes(until: number, limit: number): Promise<string[]> {
    const due = [...this.items.values()]
      .filter((r) => r.outbox && (r.outbox.claimUntil ?? r.outbox.createdAt) <= until)
      .slice(0, limit)
      .map((r) => r.fingerprint);
    return Promise.resolve(due);
  }

  public put(record: AlertRecord, expectedVersion: number | undefined): Promise<AlertRecord | undefined> {
    const current = this.items.get(record.fingerprint);
    if ((current?.version ?? undefined) !== expectedVersion) return Promise.resolve(undefined);
    const stored = { ...record, version: (expectedVersion ?? 0) + 1 };
    this.items.set(record.fingerprint, stored);
    this.writes++;
    return Promise.resolve(stored);
  }
}
