/** Sending what the tick planned: per-channel budgets, notification ids, incident steps around a publish. */
import type { Channel } from '../alert';
import { CHANNELS } from '../alert';
import type { AlertServiceDeps } from '../alert-service';
import { describeError } from '../errors';
import type { GroupHead, PlannedNotification } from '../group';
import type { Notification, NotifiedAlert } from '../notification';
import { shortHash } from './storm';

/** Alerts one group notification lists; the rest are counted. */
export const MAX_ALERTS_PER_NOTIFICATION = 50;
/** Seconds of each channel's per-second budget one run may spend. */
const TICK_SECONDS_OF_BUDGET = 50;

/** Public id of a group (PagerDuty dedup_key, SNS alert_id). */
export function groupIdOf(groupKey: string): string {
  return `g-${shortHash(groupKey)}`;
}

/** A notification ready to publish on some channels. */
export interface Outgoing {
  readonly notification: Omit<Notification, 'channel' | 'id'>;
  readonly channels: readonly Channel[];
  readonly idBase: string;
}

/** One run's send budget per channel (SNS and the channels' own rates). */
export class ChannelBudget {
  private readonly left: Map<Channel, number>;

  public constructor(perSecond: Readonly<Partial<Record<Channel, number>>>) {
    this.left = new Map(
      CHANNELS.map((c) => [
        c,
        Math.floor((perSecond[c] ?? Number.POSITIVE_INFINITY) * TICK_SECONDS_OF_BUDGET),
      ]),
    );
  }

  /** Takes one message on each channel, or nothing when any of them is spent. */
  public trySpend(channels: readonly Channel[]): boolean {
    if (channels.some((c) => (this.left.get(c) ?? 0) < 1)) return false;
    for (const c of channels) this.left.set(c, (this.left.get(c) ?? 0) - 1);
    return true;
  }
}

function titleOf(alerts: readonly NotifiedAlert[], total: number, group: GroupHead): string {
  const first = alerts[0];
  if (total === 1 && first) return `${first.labels['service'] ?? 'unknown'}: ${first.annotations.summary}`;
  const labels = Object.entries(group.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return `${total} alerts: ${labels || group.route.receiver}`;
}

/** The notification a group's planned message becomes. */
export function groupOutgoing(
  deps: Pick<AlertServiceDeps, 'config'>,
  group: GroupHead,
  planned: PlannedNotification,
  now: number,
): Outgoing {
  const alerts = planned.alerts.slice(0, MAX_ALERTS_PER_NOTIFICATION);
  const first = alerts[0];
  const content = shortHash(planned.alerts.map((a) => `${a.fingerprint}${a.status}`).join());
  return {
    channels: planned.channels,
    idBase: `${groupIdOf(group.key)}:${planned.reason}:${content}:${now}`,
    notification: {
      status: planned.status,
      severity: planned.severity,
      groupKey: groupIdOf(group.key),
      title: titleOf(alerts, planned.alerts.length, group),
      alerts,
      totalAlerts: planned.alerts.length,
      links: {
        alarm: planned.alerts.length === 1 ? first?.annotations.alarmUrl : undefined,
        runbook: first?.annotations.runbookUrl,
        dashboard: first?.annotations.dashboardUrl ?? deps.config.dashboardUrl,
      },
      reason: planned.reason,
      createdAt: new Date(now).toISOString(),
      stage: deps.config.stage,
    },
  };
}

/**
 * Publishes to every channel; firing group notifications open or join incidents first and record
 * themselves on the incident timeline after. Returns what went out and the channels that failed.
 */
export async function publishAll(
  deps: AlertServiceDeps,
  out: Outgoing,
): Promise<{ published: number; failed: Channel[] }> {
  const firing = out.notification.digest ? [] : out.notification.alerts.filter((a) => a.status === 'firing');
  const extras =
    deps.incidents && firing.length > 0
      ? await deps.incidents.prepareGroup(firing, out.notification.reason)
      : undefined;
  const notification =
    extras?.diagnostics !== undefined && out.notification.diagnostics === undefined
      ? { ...out.notification, diagnostics: extras.diagnostics }
      : out.notification;
  const results = await Promise.allSettled(
    out.channels.map((channel) =>
      deps.publisher.publish(channel, { ...notification, channel, id: `${out.idBase}:${channel}` }),
    ),
  );
  const failed = out.channels.filter((_, i) => results[i]?.status === 'rejected');
  if (deps.incidents) {
    const sent = out.channels.filter((c) => !failed.includes(c));
    deps.incidents.countSent(sent);
    if (firing.length > 0) await deps.incidents.afterGroupPublish(firing, sent, out.notification.reason);
  }
  for (const [i, r] of results.entries()) {
    if (r.status === 'rejected') {
      deps.log.error('group publish failed', { channel: out.channels[i], error: describeError(r.reason) });
    }
  }
  return { published: out.channels.length - failed.length, failed };
}
