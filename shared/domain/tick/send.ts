/** Sending what the tick planned: per-channel budgets, notification ids, incident signals after a publish. */
import type { Channel } from '../alert';
import { CHANNELS } from '../alert';
import type { AlertServiceDeps } from '../alert-service';
import { describeError } from '../errors';
import type { GroupHead, PlannedNotification } from '../group';
import type { Notification, NotifiedAlert } from '../notification';
import { sendDurably, signalsFor, tellsIncidents } from '../incident-signal';
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
 * Publishes to every channel, then signals the incident responder about the firing alerts the
 * notification paged (a digest names too many alarms to be anyone's incident evidence). Returns
 * what went out and the channels that failed.
 */
export async function publishAll(
  deps: AlertServiceDeps,
  out: Outgoing,
): Promise<{ published: number; failed: Channel[] }> {
  const results = await Promise.allSettled(
    out.channels.map((channel) =>
      deps.publisher.publish(channel, { ...out.notification, channel, id: `${out.idBase}:${channel}` }),
    ),
  );
  const failed = out.channels.filter((_, i) => results[i]?.status === 'rejected');
  for (const [i, r] of results.entries()) {
    if (r.status === 'rejected') {
      deps.log.error('group publish failed', { channel: out.channels[i], error: describeError(r.reason) });
    }
  }
  await signalGroupPage(
    deps,
    out,
    out.channels.filter((c) => !failed.includes(c)),
  );
  return { published: out.channels.length - failed.length, failed };
}

async function signalGroupPage(
  deps: AlertServiceDeps,
  out: Outgoing,
  sent: readonly Channel[],
): Promise<void> {
  const sink = deps.signals;
  const reason = out.notification.reason;
  if (!sink || out.notification.digest || sent.length === 0) return;
  if (!tellsIncidents(reason)) return;
  const firing = out.notification.alerts.filter((a) => a.status === 'firing');
  const now = deps.clock();
  const signals = signalsFor({
    settings: deps.config.incidents,
    stage: deps.config.stage,
    kind: 'fired',
    cause: reason === 'escalation' ? 'escalated' : 'fired',
    at: now,
    alerts: firing,
    key: out.idBase,
    page: {
      id: out.idBase,
      title: out.notification.title,
      severity: out.notification.severity,
      reason: reason ?? 'group',
      groupKey: out.notification.groupKey,
      channels: sent,
      sentAt: now,
    },
  });
  for (const signal of signals) {
    await sendDurably({ sink, backlog: deps.signalBacklog, clock: deps.clock, log: deps.log }, signal);
  }
}
