/**
 * The closing recap of a scenario replay: what each part of the run showed (severity picked from
 * related metrics, a storm told in digests, incident evidence, acknowledgements, silences, recovery),
 * read from what the run did rather than from what the scenario meant to show. A part the run did
 * not exercise is left out.
 */
import { CHANNELS } from '../domain/alert';
import type { Channel } from '../domain/alert';
import { matchesAll } from '../domain/matchers';
import { routeAlert } from '../domain/routing';
import type { RuntimeConfig } from '../domain/runtime-config';
import { formatIsoDuration } from './duration';
import type { ReplayIncident, ReplayMessage, ReplayResult } from './run-scenario';
import type { Scenario } from './scenario';

const clock = (ms: number | string): string => new Date(ms).toISOString().slice(11, 16);

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

function perChannel(messages: readonly ReplayMessage[]): string {
  const counts = CHANNELS.map((c) => [c, messages.filter((m) => m.channel === c).length] as const);
  return counts
    .filter(([, n]) => n > 0)
    .map(([c, n]) => `${c} ${n}`)
    .join(', ');
}

function channelsOf(messages: readonly ReplayMessage[]): Channel[] {
  return CHANNELS.filter((c) => messages.some((m) => m.channel === c));
}

/** Each event whose outcome says why the alert got its severity: `<alarm>: fired (critical: ...)`. */
function severityLines(result: ReplayResult): string[] {
  const picks = result.timeline.flatMap((e) =>
    e.type === 'event' && e.changes.length === 1
      ? e.outcomes.filter((o) => o.includes(' (')).map((o) => `${e.changes[0]?.split(' ')[0] ?? ''}: ${o}`)
      : [],
  );
  return picks.length === 0
    ? []
    : [
        'Severity from related metrics (the alarm handler read them before routing):',
        ...picks.map((p) => `  ${p}`),
      ];
}

function stormLines(result: ReplayResult): string[] {
  const digests = result.messages.filter((m) => m.reason === 'digest');
  if (digests.length === 0) return [];
  const alarms = new Set(digests.flatMap((m) => m.alerts));
  const resolved = new Set(digests.flatMap((m) => m.resolved));
  const outside = result.messages.filter((m) => m.reason !== 'digest' && m.alerts.some((a) => alarms.has(a)));
  const times = [...new Set(digests.map((m) => clock(m.at)))];
  return [
    `Storm: ${alarms.size} alarms told in ${digests.length} digest message(s) (${perChannel(digests)}) at ${times.join(', ')},`,
    `  instead of a message per alert group; ${resolved.size} of them told resolved in the digests;`,
    `  ${outside.length} message(s) about them outside the digests`,
  ];
}

function incidentLines(incident: ReplayIncident): string[] {
  const d = incident.diagnostics;
  const head = `Incident "${incident.title}" opened ${clock(incident.openedAt)}${
    incident.resolvedAt === undefined ? '' : `, resolved ${clock(incident.resolvedAt)}`
  }${incident.mttrSeconds === undefined ? '' : ` (MTTR ${incident.mttrSeconds} s)`}`;
  if (d === undefined) return [head, '  no diagnostics'];
  // Page first: the channels it reached, then the evidence update the responder sent after it.
  const told = (kind: string) =>
    incident.timeline
      .filter((e) => e.kind === kind && e.channel !== undefined)
      .map((e) => `${e.channel} ${clock(e.at)}`);
  const paged = told('notified');
  const evidence = told('evidence-sent');
  return [
    head,
    ...(paged.length === 0
      ? []
      : [`  paged first: ${paged.join(', ')}; evidence after it: ${evidence.join(', ') || 'none'}`]),
    ...(['metrics', 'logs', 'traces'] as const).map(
      (k) => `  ${k} ${d[k].status}: ${clip(d[k].summary.split('\n').join(' | '), 80)}`,
    ),
  ];
}

function ackLines(scenario: Scenario, result: ReplayResult, config: RuntimeConfig): string[] {
  return scenario.actions.flatMap((action) => {
    const ack = action.ack;
    if (ack === undefined) return [];
    const at = Date.parse(result.start) + action.at;
    const alert = result.alerts.find((a) => a.alarmName === ack.alarmName);
    const steps = alert
      ? routeAlert(config.route, config.receivers, alert.labels).routes.flatMap((r) => r.escalation)
      : [];
    const plan =
      steps.length === 0
        ? 'its route has no escalation'
        : `its route escalates ${steps.map((s) => `to ${s.channels.join('+')} after ${s.afterSeconds / 60}m`).join(', ')}`;
    const escalations = (name: string, after: number) =>
      result.messages.filter(
        (m) => m.reason === 'escalation' && m.alerts.includes(name) && Date.parse(m.at) >= after,
      );
    const others = result.messages.filter(
      (m) => m.reason === 'escalation' && !m.alerts.includes(ack.alarmName),
    );
    return [
      `Acknowledgement: ${ack.alarmName} by ${ack.by} at ${clock(at)}; ${plan};`,
      `  escalation messages for it after the ack: ${escalations(ack.alarmName, at).length}` +
        (others.length === 0
          ? ''
          : `; unacknowledged alerts escalated meanwhile: ${others
              .map((m) => `${m.alerts.join(', ')} to ${m.channel} at ${clock(m.at)}`)
              .join('; ')}`),
    ];
  });
}

function silenceLines(scenario: Scenario, result: ReplayResult): string[] {
  return scenario.actions.flatMap((action) => {
    const silence = action.silence;
    if (silence === undefined) return [];
    const from = Date.parse(result.start) + action.at;
    const until = from + silence.duration;
    const matched = result.alerts
      .filter((a) => matchesAll(silence.matchers, a.labels))
      .map((a) => a.alarmName);
    const inWindow = (at: string) => Date.parse(at) >= from && Date.parse(at) < until;
    const events = result.timeline.filter(
      (e) =>
        e.type === 'event' &&
        inWindow(e.at) &&
        e.changes.some((c) => matched.includes(c.split(' ')[0] ?? '')),
    );
    const told = result.messages.filter((m) => inWindow(m.at) && m.alerts.some((a) => matched.includes(a)));
    return [
      `Silence ${silence.matchers.map((m) => `${m.label}${m.op}${JSON.stringify(m.value)}`).join(', ')} ` +
        `${clock(from)}-${clock(until)} (${formatIsoDuration(silence.duration)}): matched ${matched.length === 0 ? 'no alert' : matched.join(', ')};`,
      `  ${events.length} alarm event(s) for them while it held, ${told.length} message(s)`,
    ];
  });
}

function recoveryLines(result: ReplayResult): string[] {
  const resolves = result.messages.filter((m) => m.status === 'resolved' || m.resolved.length > 0);
  if (resolves.length === 0) return [];
  // Every alert told firing on its own (not in a digest) is told resolved on the same channels.
  const firingAlone = result.messages.filter((m) => m.status === 'firing' && m.reason !== 'digest');
  const names = [...new Set(firingAlone.flatMap((m) => m.alerts))].filter(
    (n) => result.alerts.find((a) => a.alarmName === n)?.status === 'resolved',
  );
  const short = names.filter((n) => {
    const fired = channelsOf(firingAlone.filter((m) => m.alerts.includes(n)));
    const resolved = channelsOf(resolves.filter((m) => m.resolved.includes(n) || m.alerts.includes(n)));
    return fired.some((c) => !resolved.includes(c));
  });
  const { alertsFiring, alertsResolved } = result.summary;
  return [
    `Recovery: ${resolves.length} message(s) told resolves (${perChannel(resolves)}); ` +
      `${names.length - short.length} of ${names.length} alerts told firing were told resolved on every channel that heard them` +
      (short.length > 0 ? ` (not: ${short.join(', ')})` : ''),
    `  at the end: ${alertsFiring} firing, ${alertsResolved} resolved`,
  ];
}

/** The recap after the timeline: one paragraph per part the run exercised. */
export function formatRecap(scenario: Scenario, result: ReplayResult, config: RuntimeConfig): string {
  const parts = [
    severityLines(result),
    stormLines(result),
    ...(result.incidents ?? []).map(incidentLines),
    ackLines(scenario, result, config),
    silenceLines(scenario, result),
    recoveryLines(result),
  ].filter((p) => p.length > 0);
  if (parts.length === 0) return '';
  return `\nWhat this run showed\n${parts.map((p) => p.join('\n')).join('\n')}\n`;
}
