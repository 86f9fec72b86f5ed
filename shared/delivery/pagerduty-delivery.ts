/** Delivers notifications to the PagerDuty Events API v2. */
import * as z from 'zod/mini';
import type { Severity } from '../domain/alert';
import type { LinkOptions } from '../domain/format/links';
import { renderPagerDutyEvent, shouldPage } from '../domain/format/pagerduty';
import type { Notification } from '../domain/notification';
import type { Deliver } from './forwarder';
import type { JsonPost, JsonPostResult } from './http-client';
import '../domain/zod-locale';

/** The US service region endpoint; EU accounts use `https://events.eu.pagerduty.com/v2/enqueue`. */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

/** What the PagerDuty delivery needs. */
export interface PagerDutyDeliveryDeps {
  /** Returns the integration routing key (a secret). */
  readonly routingKey: () => Promise<string>;
  readonly post: (post: JsonPost) => Promise<JsonPostResult>;
  /** @default PAGERDUTY_EVENTS_URL */
  readonly eventsUrl?: string;
  readonly links?: LinkOptions;
}

const errorBody = z.object({ message: z.optional(z.string()), errors: z.optional(z.array(z.string())) });

/** PagerDuty answers 400 with `{status, message, errors[]}`. */
function pagerDutyReason(status: number, body: string): string {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return `HTTP ${status}`;
  }
  const parsed = errorBody.safeParse(json);
  if (!parsed.success) return `HTTP ${status}`;
  return [parsed.data.message, ...(parsed.data.errors ?? [])].filter(Boolean).join(': ') || `HTTP ${status}`;
}

/** Sends trigger/resolve events with `dedup_key` = group key. */
export function createPagerDutyDelivery(deps: PagerDutyDeliveryDeps): Deliver {
  return async (n: Notification, deadline: number) => {
    const routingKey = await deps.routingKey();
    const result = await deps.post({
      url: deps.eventsUrl ?? PAGERDUTY_EVENTS_URL,
      body: { routing_key: routingKey, ...renderPagerDutyEvent(n, deps.links) },
      target: 'PagerDuty Events API',
      deadline,
      secrets: [routingKey],
      reasonOf: pagerDutyReason,
    });
    return { attempts: result.attempts };
  };
}

/** The filter of the PagerDuty forwarder: page at `minSeverity` and above, always pass resolves. */
export function pagesAt(minSeverity: Severity): (n: Notification) => boolean {
  return (n) => shouldPage(n, minSeverity);
}
