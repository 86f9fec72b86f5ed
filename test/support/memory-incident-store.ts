import type { Incident, IncidentStore } from '../../shared/domain/incident';
import type { IncidentPointer, IncidentPointers } from '../../shared/domain/incidents';
import type { MitigationBudget } from '../../shared/domain/mitigation';

/** In-memory incidents and per-service pointers with the DynamoDB store's version semantics. */
export class MemoryIncidentStore implements IncidentStore, IncidentPointers {
  public readonly items = new Map<string, Incident>();
  public readonly pointers = new Map<string, IncidentPointer>();

  public get(id: string): Promise<Incident | undefined> {
    return Promise.resolve(this.items.get(id));
  }

  public put(incident: Incident, expectedVersion: number | undefined): Promise<Incident | undefined> {
    if (this.items.get(incident.id)?.version !== expectedVersion) return Promise.resolve(undefined);
    const stored = { ...incident, version: (expectedVersion ?? 0) + 1 };
    this.items.set(incident.id, stored);
    return Promise.resolve(stored);
  }

  public list(since: number, until: number, limit: number): Promise<Incident[]> {
    const found = [...this.items.values()]
      .filter((i) => i.openedAt >= since && i.openedAt <= until)
      .sort((a, b) => b.openedAt - a.openedAt)
      .slice(0, limit);
    return Promise.resolve(found);
  }

  public getPointer(service: string): Promise<IncidentPointer | undefined> {
    return Promise.resolve(this.pointers.get(service));
  }

  public putPointer(
    service: string,
    incidentId: string,
    expectedVersion: number | undefined,
  ): Promise<boolean> {
    if (this.pointers.get(service)?.version !== expectedVersion) return Promise.resolve(false);
    this.pointers.set(service, { incidentId, version: (expectedVersion ?? 0) + 1 });
    return Promise.resolve(true);
  }
}

/** In-memory per-hour mitigation counter. */
export class MemoryMitigationBudget implements MitigationBudget {
  public readonly taken = new Map<number, number>();

  public tryTake(hourStart: number, max: number): Promise<boolean> {
    const n = this.taken.get(hourStart) ?? 0;
    if (n >= max) return Promise.resolve(false);
    this.taken.set(hourStart, n + 1);
    return Promise.resolve(true);
  }
}
