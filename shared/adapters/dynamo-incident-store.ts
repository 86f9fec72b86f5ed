import type { DocTable } from './doc-table';
import * as z from 'zod/mini';
import '../domain/zod-locale';
import { CHANNELS, SEVERITIES } from '../domain/alert';
import type { Incident, IncidentStore } from '../domain/incident';
import type { IncidentPointer, IncidentPointers } from '../domain/incidents';
import type { MitigationBudget } from '../domain/mitigation';
import { isConditionFailure, putIfVersion, queryDueIndex, TABLE_KEYS } from './dynamo-index';

const SHARD = 'INCIDENT';
const SK = 'INCIDENT';

const sourceSchema = z.object({
  status: z.enum(['ok', 'empty', 'timeout', 'error']),
  summary: z.string(),
  links: z.array(z.object({ label: z.string(), url: z.string() })),
  tookMs: z.number(),
});

const incidentSchema = z.object({
  id: z.string(),
  title: z.string(),
  service: z.string(),
  severity: z.enum(SEVERITIES),
  status: z.enum(['open', 'resolved']),
  labels: z.record(z.string(), z.string()),
  ruleId: z.optional(z.string()),
  alerts: z.array(z.string()),
  openedAt: z.number(),
  acknowledgedAt: z.optional(z.number()),
  acknowledgedBy: z.optional(z.string()),
  resolvedAt: z.optional(z.number()),
  diagnostics: z.optional(
    z.object({
      collectedAt: z.number(),
      from: z.number(),
      until: z.number(),
      metrics: sourceSchema,
      logs: sourceSchema,
      traces: sourceSchema,
    }),
  ),
  timeline: z.array(
    z.object({
      at: z.number(),
      kind: z.enum([
        'opened',
        'alert-linked',
        'diagnostics',
        'notified',
        'evidence-sent',
        'acknowledged',
        'mitigation-started',
        'mitigation-finished',
        'resolved',
        'reopened',
      ]),
      by: z.optional(z.string()),
      channel: z.optional(z.enum(CHANNELS)),
      page: z.optional(z.string()),
      alert: z.optional(z.string()),
      outcome: z.optional(z.enum(['succeeded', 'failed', 'dry-run', 'skipped'])),
      detail: z.optional(z.string()),
    }),
  ),
  version: z.number(),
});

/** Options of {@link DynamoIncidentStore}. */
export interface DynamoIncidentStoreOptions {
  readonly tableName: string;
  /** Days a resolved incident is kept before DynamoDB TTL removes it. */
  readonly retentionDays: number;
}

/** Key of an incident's item. */
export function incidentKey(id: string): { pk: string; sk: string } {
  return { pk: `INCIDENT#${id}`, sk: SK };
}

/** Parses a stored incident item, naming the bad field when the item is damaged. */
export function parseIncidentItem(item: Record<string, unknown>): Incident {
  const parsed = incidentSchema.safeParse(item);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `stored incident ${String(item['id'])}: ${issue ? issue.path.join('.') : '(root)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

/**
 * Incidents in the alert-state table: one item per incident, listed by opening time through the
 * sparse `due` index (shard INCIDENT), kept `retentionDays` after they resolve.
 */
export class DynamoIncidentStore implements IncidentStore, IncidentPointers {
  public constructor(
    private readonly doc: DocTable,
    private readonly options: DynamoIncidentStoreOptions,
  ) {}

  /** @inheritdoc */
  public async get(id: string): Promise<Incident | undefined> {
    const out = await this.doc.get({
      TableName: this.options.tableName,
      Key: incidentKey(id),
      ConsistentRead: true,
    });
    return out.Item ? parseIncidentItem(out.Item) : undefined;
  }

  /** @inheritdoc */
  public async put(incident: Incident, expectedVersion: number | undefined): Promise<Incident | undefined> {
    const stored: Incident = { ...incident, version: (expectedVersion ?? 0) + 1 };
    const item: Record<string, unknown> = {
      ...incidentKey(incident.id),
      ...stored,
      [TABLE_KEYS.dueShard]: SHARD,
      [TABLE_KEYS.dueAt]: incident.openedAt,
    };
    if (incident.status === 'resolved' && incident.resolvedAt !== undefined) {
      item[TABLE_KEYS.ttl] = Math.floor(incident.resolvedAt / 1000) + this.options.retentionDays * 86_400;
    }
    return (await putIfVersion(this.doc, this.options.tableName, item, expectedVersion)) ? stored : undefined;
  }

  /** @inheritdoc */
  public async list(since: number, until: number, limit: number): Promise<Incident[]> {
    const items = await queryDueIndex(
      this.doc,
      this.options.tableName,
      SHARD,
      { from: since, until, order: 'newest-first' },
      limit,
    );
    return items.map(parseIncidentItem);
  }

  /** @inheritdoc */
  public async getPointer(service: string): Promise<IncidentPointer | undefined> {
    const out = await this.doc.get({
      TableName: this.options.tableName,
      Key: pointerKey(service),
      ConsistentRead: true,
    });
    const parsed = pointerSchema.safeParse(out.Item);
    if (out.Item && !parsed.success) throw new Error(`stored incident pointer of ${service} is damaged`);
    return parsed.success ? parsed.data : undefined;
  }

  /** @inheritdoc */
  public putPointer(
    service: string,
    incidentId: string,
    expectedVersion: number | undefined,
  ): Promise<boolean> {
    return putIfVersion(
      this.doc,
      this.options.tableName,
      { ...pointerKey(service), service, incidentId, version: (expectedVersion ?? 0) + 1 },
      expectedVersion,
    );
  }
}

const pointerSchema = z.object({ incidentId: z.string(), version: z.number() });

/** Key of the item pointing at a service's current incident. */
export function pointerKey(service: string): { pk: string; sk: string } {
  return { pk: `INCIDENT-SERVICE#${service}`, sk: 'POINTER' };
}

/** Mitigations per hour as one counter item per hour, incremented only while under the limit. */
export class DynamoMitigationBudget implements MitigationBudget {
  public constructor(
    private readonly doc: DocTable,
    private readonly tableName: string,
  ) {}

  /** @inheritdoc */
  public async tryTake(hourStart: number, max: number): Promise<boolean> {
    try {
      await this.doc.update({
        TableName: this.tableName,
        Key: { pk: `MITIGATION#${hourStart}`, sk: 'COUNTER' },
        UpdateExpression: 'ADD #count :one SET #ttl = :ttl',
        ConditionExpression: 'attribute_not_exists(#count) OR #count < :max',
        ExpressionAttributeNames: { '#count': 'count', '#ttl': TABLE_KEYS.ttl },
        ExpressionAttributeValues: {
          ':one': 1,
          ':max': max,
          ':ttl': Math.floor(hourStart / 1000) + 2 * 86_400,
        },
      });
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
