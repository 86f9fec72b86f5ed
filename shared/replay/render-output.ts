/** The replay's two outputs: JSON lines for machines, a timeline for people. */
import { CHANNELS } from '../domain/alert';
import type { MeterReport } from './dynamo-meter';
import type { ForwardOutcome } from './local-forwarders';
import type { StormCheck } from './storm-check';
import type { ReplayIncident, ReplayResult, TimelineEntry } from './run-scenario';

/** One JSON line per message that left the pipeline, then the summary line. */
export function formatJsonLines(result: ReplayResult): string[] {
  const lines = result.messages.map((m) =>
    JSON.stringify({
      at: m.at,
      channel: m.channel,
      status: m.status,
      severity: m.severity,
      groupKey: m.groupKey,
      alerts: m.alerts,
      resolved: m.resolved,
      reason: m.reason ?? null,
      text: m.text,
    }),
  );
  const { notifications, alertsFiring, alertsResolved, undelivered } = result.summary;
  lines.push(JSON.stringify({ summary: { notifications, alertsFiring, alertsResolved, undelivered } }));
  return lines;
}

const DELIVERY_MARKS: Readonly<Record<ForwardOutcome, string>> = {
  delivered: 'delivered',
  skipped: 'not sent: below the channel threshold',
  undelivered: 'UNDELIVERED',
};

function clock(iso: string): string {
  return iso.slice(11, 19);
}

function cut(text: string, width: number): string {
  return text.length <= width ? text.padEnd(width) : `${text.slice(0, width - 1)}…`;
}

// A digest may cover thousands of alarms: the timeline names a few and counts the rest.
function alertList(names: readonly string[]): string {
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 2).join(', ')} +${names.length - 2} more`;
}

function entryLine(entry: TimelineEntry): string {
  if (entry.type === 'action') return `${clock(entry.at)}  <- ${entry.text}`;
  if (entry.type === 'event') {
    const attempt = entry.attempts > 1 ? ` (delivery ${entry.attempt}/${entry.attempts})` : '';
    const outcome = entry.outcomes.length > 0 ? ` -> ${entry.outcomes.join(', ')}` : '';
    return `${clock(entry.at)}  <- ${entry.kind}${attempt}: ${entry.changes.join('; ')}${outcome}`;
  }
  const m = entry.message;
  const delivery = entry.delivery === undefined ? '' : `  [${DELIVERY_MARKS[entry.delivery]}]`;
  return [
    clock(m.at),
    '  -> ',
    cut(m.channel, 10),
    cut(m.status, 9),
    cut(m.severity, 9),
    cut(alertList(m.alerts), 36),
    ' ',
    m.text,
    delivery,
  ].join('');
}

type EventEntry = Extract<TimelineEntry, { type: 'event' }>;

const MIN_RUN = 4;

// Events that differ only in alarm and time (a storm's arrivals) are one line: "x32 ... -> fired".
function sameShape(a: EventEntry, b: EventEntry): boolean {
  const state = (e: EventEntry): string => e.changes[0]?.split(' ')[1] ?? '';
  return (
    a.kind === b.kind &&
    a.attempts === 1 &&
    b.attempts === 1 &&
    a.changes.length === 1 &&
    b.changes.length === 1 &&
    state(a) === state(b) &&
    a.outcomes.join() === b.outcomes.join()
  );
}

function timelineLines(timeline: readonly TimelineEntry[]): string[] {
  const lines: string[] = [];
  for (let i = 0; i < timeline.length;) {
    const first = timeline[i];
    if (first === undefined) break;
    let j = i + 1;
    while (first.type === 'event') {
      const next = timeline[j];
      if (next?.type !== 'event' || !sameShape(first, next)) break;
      j++;
    }
    const last = timeline[j - 1];
    if (first.type !== 'event' || last?.type !== 'event' || j - i < MIN_RUN) {
      lines.push(entryLine(first));
      i++;
      continue;
    }
    const [name0, state] = first.changes[0]?.split(' ') ?? [];
    const nameN = last.changes[0]?.split(' ')[0] ?? '';
    const outcome = first.outcomes.length > 0 ? ` -> ${first.outcomes.join(', ')} (each)` : '';
    lines.push(
      `${clock(first.at)}  <- ${first.kind} x${j - i} until ${clock(last.at)}: ${name0 ?? ''} .. ${nameN} ${state ?? ''}${outcome}`,
    );
    i = j;
  }
  return lines;
}

/** The readable timeline: inputs (`<-`) and messages (`->`) at virtual time, then the summary. */
export function formatTimeline(result: ReplayResult, title: string): string {
  const { summary } = result;
  const total = CHANNELS.reduce((n, c) => n + summary.notifications[c], 0);
  const perChannel = CHANNELS.map((c) => `${c} ${summary.notifications[c]}`).join(', ');
  const captureOnly = CHANNELS.filter((c) => !result.forwardedChannels.includes(c));
  const lines = [
    `${title}`,
    `stage ${result.stage}, start ${result.start}, duration ${result.duration} (virtual time; tick every minute)`,
    '',
    `TIME      DIR CHANNEL   STATUS   SEVERITY ALERTS                               TEXT`,
    ...timelineLines(result.timeline),
    '',
    `Summary: ${total} notification(s) (${perChannel})`,
    `  alerts at the end: ${summary.alertsFiring} firing, ${summary.alertsResolved} resolved`,
    `  undelivered: ${summary.undelivered}; dead-lettered events: ${result.deadLettered}; failed invocations: ${result.failedInvocations}`,
    captureOnly.length === CHANNELS.length
      ? '  delivery: captured at the SNS publish (no forwarder run)'
      : `  delivery: ${result.forwardedChannels.join(', ')} through the forwarder Lambdas to a local receiver; captured at the publish: ${captureOnly.join(', ')}`,
    ...(result.incidents ?? []).flatMap(incidentLines),
  ];
  return `${lines.join('\n')}\n`;
}

/** An incident's headline, its MTTA/MTTR and its timeline, for the readable output. */
export function incidentLines(incident: ReplayIncident): string[] {
  const times = [
    incident.mttaSeconds === undefined ? undefined : `MTTA ${incident.mttaSeconds} s`,
    incident.mttrSeconds === undefined ? undefined : `MTTR ${incident.mttrSeconds} s`,
  ].filter((t) => t !== undefined);
  return [
    '',
    `Incident ${incident.id} (${incident.status}): ${incident.title}${times.length > 0 ? `; ${times.join(', ')}` : ''}`,
    ...incident.timeline.map((e) => {
      const parts = [
        e.channel,
        e.outcome,
        e.by && e.by !== 'vigil' ? `by ${e.by}` : undefined,
        e.detail,
      ].filter((p) => p !== undefined && p !== '');
      return `  ${clock(e.at)}  ${e.kind}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
    }),
    ...(incident.diagnostics
      ? (['metrics', 'logs', 'traces'] as const).map(
          (k) => `  ${k}: ${incident.diagnostics?.[k].summary.split('\n').join(' | ') ?? ''}`,
        )
      : []),
  ];
}

/** What a storm replay's check, clock and meter found, for people. */
export interface StormReportView extends StormCheck {
  readonly wallSeconds: number;
  readonly peakRssMb: number;
  /** The local DynamoDB's own process (it stands in for DynamoDB, whose memory is not the pipeline's). */
  readonly localDynamoPeakRssMb?: number;
  readonly dynamo: MeterReport;
}

/** The storm section after a storm replay's timeline. */
export function formatStormReport(r: StormReportView, deliveriesNotShown: number): string {
  const per = (n: number, d: number): string => (d === 0 ? '-' : (n / d).toFixed(1));
  const lines = [
    '',
    `Storm: ${r.alarms} alarms (${deliveriesNotShown} deliveries not listed; --verbose lists them)`,
    `  messages per channel: ${CHANNELS.map((c) => `${c} ${r.messagesPerChannel[c]}`).join(', ')}`,
    `  alarms named firing: ${r.namedFiring} of ${r.alarms}; resolves told: ${r.resolvesTold} of ${r.namedFiring}`,
    `  firing mentioned after its resolve was told: ${r.firingAfterResolve.length}; escalations of resolved alerts: ${r.escalationsOfResolved}`,
    ...(r.unnamed.length > 0 ? [`  never named: ${r.unnamed.join(', ')}`] : []),
    ...(r.untold.length > 0 ? [`  resolve never told: ${r.untold.join(', ')}`] : []),
    `  DynamoDB: ${per(r.dynamo.eventOps, r.dynamo.events)} ops per alarm event in the handler and ${per(r.dynamo.tickOps, r.dynamo.events)} in the ticks; ${r.dynamo.minTickOps} ops for an idle tick, ${r.dynamo.maxTickOps} for the busiest`,
    `  busiest partition key: ${r.dynamo.handlerBusiest.writesPerSecond} writes/s under alarm events (${r.dynamo.handlerBusiest.key}), about ${r.dynamo.tickBusiest.writesPerSecond} writes/s under a tick (${r.dynamo.tickBusiest.key})`,
    `  ran in ${r.wallSeconds} s, peak RSS ${r.peakRssMb} MB${r.localDynamoPeakRssMb === undefined ? '' : ` (the local DynamoDB's own process: ${r.localDynamoPeakRssMb} MB)`}`,
  ];
  return `${lines.join('\n')}\n`;
}
