import type { AlertRecord } from '../../shared/domain/alert-record';
import type { GroupRecord } from '../../shared/domain/group';
import type { AlertStore, GroupStore, TickState } from '../../shared/domain/ports';
import type { Silence } from '../../shared/domain/silence';

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

  public listChanged(since: number, until: number, limit: number): Promise<AlertRecord[]> {
    const changed = [...this.items.values()]
      .filter((r) => !r.outbox && r.dirtyAt !== undefined && r.dirtyAt > since && r.dirtyAt <= until)
      .slice(0, limit);
    return Promise.resolve(changed);
  }

  public countChangedSince(since: number, limit: number): Promise<number> {
    const n = [...this.items.values()].filter(
      (r) => !r.outbox && r.dirtyAt !== undefined && r.dirtyAt >= since,
    ).length;
    return Promise.resolve(Math.min(n, limit));
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

/** In-memory GroupStore with version semantics. */
export class MemoryGroupStore implements GroupStore {
  public readonly groups = new Map<string, GroupRecord>();
  public readonly silences = new Map<string, Silence>();
  private tick: (TickState & { version: number }) | undefined;

  public getGroup(key: string): Promise<GroupRecord | undefined> {
    return Promise.resolve(this.groups.get(key));
  }

  public putGroup(group: GroupRecord, expectedVersion: number | undefined): Promise<GroupRecord | undefined> {
    if (this.groups.get(group.key)?.version !== expectedVersion) return Promise.resolve(undefined);
    const stored = { ...group, version: (expectedVersion ?? 0) + 1 };
    this.groups.set(group.key, stored);
    return Promise.resolve(stored);
  }

  public deleteGroup(key: string, expectedVersion: number): Promise<boolean> {
    if (this.groups.get(key)?.version !== expectedVersion) return Promise.resolve(false);
    this.groups.delete(key);
    return Promise.resolve(true);
  }

  public listDueGroups(until: number, limit: number): Promise<GroupRecord[]> {
    return Promise.resolve(
      [...this.groups.values()].filter((g) => g.dueAt !== undefined && g.dueAt <= until).slice(0, limit),
    );
  }

  public listActiveGroups(limit: number): Promise<GroupRecord[]> {
    return Promise.resolve([...this.groups.values()].slice(0, limit));
  }

  public putSilence(silence: Silence): Promise<void> {
    this.silences.set(silence.id, silence);
    return Promise.resolve();
  }

  public getSilence(id: string): Promise<Silence | undefined> {
    return Promise.resolve(this.silences.get(id));
  }

  public listSilences(now: number, recentMs: number): Promise<Silence[]> {
    return Promise.resolve(
      [...this.silences.values()].filter(
        (s) => Math.min(s.endsAt, s.expiredAt ?? Infinity) >= now - recentMs,
      ),
    );
  }

  public getTickState(): Promise<(TickState & { version: number }) | undefined> {
    return Promise.resolve(this.tick);
  }

  public putTickState(state: TickState, expectedVersion: number | undefined): Promise<boolean> {
    if (this.tick?.version !== expectedVersion) return Promise.resolve(false);
    this.tick = { ...state, version: (expectedVersion ?? 0) + 1 };
    return Promise.resolve(true);
  }
}
