/** PagerDuty webhooks (v3): the events Vigil acts on and the dedup keys that are its own. */
import * as z from 'zod/mini';
import '../zod-locale';

/** Event types that change a Vigil alert; others are acknowledged and ignored. */
export const PAGERDUTY_ACTED_EVENTS = ['incident.acknowledged', 'incident.resolved'] as const;
/** An event type Vigil acts on. */
export type PagerDutyActedEvent = (typeof PAGERDUTY_ACTED_EVENTS)[number];

const eventSchema = z.looseObject({
  event: z.looseObject({
    id: z.string().check(z.minLength(1), z.maxLength(128)),
    event_type: z.string().check(z.minLength(1), z.maxLength(128)),
    resource_type: z.optional(z.string().check(z.maxLength(64))),
    occurred_at: z.iso.datetime({ offset: true }),
    agent: z.optional(
      z.nullable(
        z.looseObject({
          id: z.string().check(z.maxLength(64)),
          summary: z.optional(z.string()),
          type: z.optional(z.string()),
        }),
      ),
    ),
    data: z.looseObject({
      id: z.optional(z.string().check(z.maxLength(64))),
      type: z.optional(z.string()),
      incident_key: z.optional(z.nullable(z.string().check(z.maxLength(255)))),
    }),
  }),
});

/** One webhook event, the fields Vigil reads. */
export interface PagerDutyEvent {
  readonly id: string;
  readonly type: string;
  /** Epoch ms. */
  readonly occurredAt: number;
  /** The PagerDuty user (or service) that acted. */
  readonly agent?: { readonly id: string; readonly name?: string };
  /** The incident's key: the `dedup_key` of the events that opened it. */
  readonly incidentKey?: string;
  /** The PagerDuty incident id. */
  readonly incidentId?: string;
}

/** Why a webhook body was refused. */
export class PagerDutyPayloadError extends Error {
  public readonly code = 'MALFORMED_PAGERDUTY_PAYLOAD';

  public constructor(message: string) {
    super(message);
    this.name = 'PagerDutyPayloadError';
  }
}

/** Reads a webhook body; throws {@link PagerDutyPayloadError} naming the field. */
export function parsePagerDutyEvent(body: string): PagerDutyEvent {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new PagerDutyPayloadError('the body is not JSON');
  }
  const parsed = eventSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
    throw new PagerDutyPayloadError(`${where}: ${issue?.message ?? 'invalid'}`);
  }
  const e = parsed.data.event;
  return {
    id: e.id,
    type: e.event_type,
    occurredAt: Date.parse(e.occurred_at),
    ...(e.agent ? { agent: { id: e.agent.id, ...(e.agent.summary ? { name: e.agent.summary } : {}) } } : {}),
    ...(e.data.incident_key ? { incidentKey: e.data.incident_key } : {}),
    ...(e.data.id ? { incidentId: e.data.id } : {}),
  };
}

/** True when Vigil acts on this event type. */
export function isActedEvent(type: string): type is PagerDutyActedEvent {
  return (PAGERDUTY_ACTED_EVENTS as readonly string[]).includes(type);
}

/** What a dedup key stands for: one alert (a page sent as it fired), a group's page, or none of Vigil's. */
export type DedupKeyKind =
  | { readonly kind: 'alert'; readonly fingerprint: string }
  | { readonly kind: 'group'; readonly groupId: string }
  | { readonly kind: 'foreign' };

/** Classifies a PagerDuty incident key by the shapes of Vigil's dedup keys. */
export function classifyDedupKey(key: string | undefined): DedupKeyKind {
  if (key === undefined) return { kind: 'foreign' };
  if (/^[0-9a-f]{20}$/.test(key)) return { kind: 'alert', fingerprint: key };
  if (/^g-[0-9a-f]{16}$/.test(key)) return { kind: 'group', groupId: key };
  return { kind: 'foreign' };
}
