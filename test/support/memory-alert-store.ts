import type { AlertRecord } from '../../shared/domain/alert-record';
import type { DigestRecord } from '../../shared/domain/digest-record';
import type { GroupHead, GroupMember } from '../../shared/domain/group';
import type { AlertStore, GroupStore, InhibitionSource, TickState } from '../../shared/domain/ports';
import type { Silence } from '../../shared/domain/silence';

const PAGE = 100;
const NOT_DUE = Number.MAX_SAFE_INTEGER;

type Place = { readonly kind: 'OUTBOX' | 'CHANGED' | 'FIRING' | 'SETTLED'; readonly at: number };

function* pagesOf<T>(items: readonly T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += PAGE) yield items.slice(i, i + PAGE);
}

/** In-memory AlertStore with the same version and queue semantics as the DynamoDB one. */
export class MemoryAlertStore implements AlertStore {
  public readonly items = new Map<string, AlertRecord>();
  private readonly places = new Map<string, Place>();
  public writes = 0;

  public get(fingerprint: string): Promise<AlertRecord | undefined> {
    return Promise.resolve(this.items.get(fingerprint));
  }

  private inPlace(kind: Place['kind'], from: number, until: number): AlertRecord[] {
    return [...this.places.entries()]
      .filter(([, p]) => p.kind === kind && p.at >= from && p.at <= until)
      .sort((a, b) => a[1].at - b[1].at)
      .flatMap(([fp]) => this.items.get(fp) ?? []);
  }

  public async *dueOutboxes(until: number): AsyncIterable<readonly string[]> {
    for (const page of pagesOf(this.inPlace('OUTBOX', 0, until))) {
      await Promise.resolve();
      yield page.map((r) => r.fingerprint);
    }
  }

  public async *unfolded(): AsyncIterable<readonly AlertRecord[]> {
    const snapshot = this.inPlace('CHANGED', 0, NOT_DUE).map((r) => r.fingerprint);
    for (const page of pagesOf(snapshot)) {
      await Promise.resolve();
      const still = page.filter((fp) => this.places.get(fp)?.kind === 'CHANGED');
      yield still.flatMap((fp) => this.items.get(fp) ?? []);
    }
  }

  public markFolded(record: AlertRecord, checkAt: number | undefined): Promise<boolean> {
    const current = this.items.get(record.fingerprint);
    if (current?.version !== record.version) return Promise.resolve(false);
    const firing = current.status === 'firing';
    this.places.set(record.fingerprint, {
      kind: firing ? 'FIRING' : 'SETTLED',
      at: firing ? (checkAt ?? NOT_DUE) : (current.endsAt ?? current.lastChangeAt),
    });
    return Promise.resolve(true);
  }

  public countUnfoldedSince(since: number, limit: number): Promise<number> {
    return Promise.resolve(Math.min(this.inPlace('CHANGED', since, NOT_DUE).length, limit));
  }

  public async *dueForCheck(until: number): AsyncIterable<readonly AlertRecord[]> {
    for (const page of pagesOf(this.inPlace('FIRING', 0, until))) {
      await Promise.resolve();
      yield page;
    }
  }

  public async *firing(): AsyncIterable<readonly AlertRecord[]> {
    await Promise.resolve();
    yield [...this.items.values()].filter((r) => r.status === 'firing');
  }

  /** Alerts not folded yet (queued for the tick). */
  public unfoldedCount(): number {
    return [...this.places.values()].filter((p) => p.kind === 'CHANGED').length;
  }

  public put(record: AlertRecord, expectedVersion: number | undefined): Promise<AlertRecord | undefined> {
    const current = this.items.get(record.fingerprint);
    if ((current?.version ?? undefined) !== expectedVersion) return Promise.resolve(undefined);
    const stored = { ...record, version: (expectedVersion ?? 0) + 1 };
    this.items.set(record.fingerprint, stored);
    this.places.set(
      record.fingerprint,
      stored.outbox
        ? { kind: 'OUTBOX', at: stored.outbox.claimUntil ?? stored.outbox.createdAt }
        : { kind: 'CHANGED', at: stored.dirtyAt ?? stored.lastChangeAt },
    );
    this.writes++;
    return Promise.resolve(stored);
  }
}

/** In-memory GroupStore with version semantics. */
export class MemoryGroupStore implements GroupStore {
  public readonly groups = new Map<string, GroupHead>();
  public readonly members = new Map<string, Map<string, GroupMember>>();
  public readonly silences = new Map<string, Silence>();
  public readonly muted = new Set<string>();
  public readonly sources = new Map<string, InhibitionSource>();
  public readonly digests = new Map<string, DigestRecord>();
  private tick: (TickState & { version: number }) | undefined;

  public getGroup(key: string): Promise<GroupHead | undefined> {
    return Promise.resolve(this.groups.get(key));
  }

  public putGroup(group: GroupHead, expectedVersion: number | undefined): Promise<GroupHead | undefined> {
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

  public async *dueGroups(until: number): AsyncIterable<readonly GroupHead[]> {
    const due = [...this.groups.values()]
      .filter((g) => g.dueAt !== undefined && g.dueAt <= until)
      .sort((a, b) => (a.dueAt ?? 0) - (b.dueAt ?? 0));
    for (const page of pagesOf(due)) {
      await Promise.resolve();
      yield page;
    }
  }

  public getMembers(group: GroupHead, fingerprints: readonly string[]): Promise<Map<string, GroupMember>> {
    const all = this.members.get(group.key);
    const out = new Map<string, GroupMember>();
    for (const fp of fingerprints) {
      const m = all?.get(fp);
      if (m) out.set(fp, m);
    }
    return Promise.resolve(out);
  }

  public listMembers(group: GroupHead): Promise<GroupMember[]> {
    return Promise.resolve([...(this.members.get(group.key)?.values() ?? [])]);
  }

  /** Every member of every group, with its group's key. */
  public allMembers(): { key: string; member: GroupMember }[] {
    return [...this.members.entries()].flatMap(([key, ms]) =>
      [...ms.values()].map((member) => ({ key, member })),
    );
  }

  public copyMembersTo(group: GroupHead): Promise<string[]> {
    // One map per group here: a spread moves nothing.
    return Promise.resolve([...(this.members.get(group.key)?.keys() ?? [])]);
  }

  public dropStrayMembers(): Promise<void> {
    return Promise.resolve();
  }

  public writeMembers(
    group: GroupHead,
    put: readonly GroupMember[],
    remove: readonly string[],
  ): Promise<void> {
    const key = group.key;
    const all = this.members.get(key) ?? new Map<string, GroupMember>();
    for (const m of put) all.set(m.alert.fingerprint, m);
    for (const fp of remove) all.delete(fp);
    if (all.size > 0) this.members.set(key, all);
    else this.members.delete(key);
    return Promise.resolve();
  }

  public setMuted(key: string, muted: boolean): Promise<void> {
    if (muted) this.muted.add(key);
    else this.muted.delete(key);
    return Promise.resolve();
  }

  public async *mutedGroups(): AsyncIterable<readonly string[]> {
    await Promise.resolve();
    yield [...this.muted];
  }

  public putSource(source: InhibitionSource): Promise<void> {
    this.sources.set(source.fingerprint, source);
    return Promise.resolve();
  }

  public removeSource(fingerprint: string): Promise<void> {
    this.sources.delete(fingerprint);
    return Promise.resolve();
  }

  public listSources(): Promise<InhibitionSource[]> {
    return Promise.resolve([...this.sources.values()]);
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

  public putDigest(digest: DigestRecord): Promise<void> {
    this.digests.set(digest.id, digest);
    return Promise.resolve();
  }

  public getDigest(id: string): Promise<DigestRecord | undefined> {
    return Promise.resolve(this.digests.get(id));
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
