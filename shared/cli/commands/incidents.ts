/** `incidents list|show`: what happened, who was told and who acted. */
import type { Diagnostics, DiagnosticsSource, Incident } from '../../domain/incident';
import { OperatorError } from '../../domain/operator';
import type { CliIo } from '../cli-support';
import {
  EXIT,
  oneOf,
  parseFlags,
  printJson,
  parseLimitFlag,
  parseSinceFlag,
  positionals,
  TARGET_OPTIONS,
  usageError,
} from '../cli-support';
import { clip, formatFields, formatLabels, formatTable, isoTime, shortDuration } from '../format';
import { withTarget } from '../target';

/** Usage of `incidents`. */
export const INCIDENTS_USAGE = `usage: vigil incidents <command> [--json] [--local DIR | --table T --stage S --region R]
  list [--since 24h|ISO] [--status open|resolved|all] [--limit N]
        incidents opened since then (default 24h), newest first, read from the "due" index
        (at most --limit, default 100, max 1000)
  show <id>           the incident, its alerts, the diagnostics summary and the timeline
                      (time, what, who, channel, outcome)`;

const STATUSES = ['open', 'resolved', 'all'] as const;

const iso = (ms: number | undefined): string | undefined =>
  ms === undefined ? undefined : new Date(ms).toISOString();

function sourceView(s: DiagnosticsSource) {
  return { status: s.status, summary: s.summary, links: s.links, tookMs: s.tookMs };
}

function diagnosticsView(d: Diagnostics) {
  return {
    collectedAt: new Date(d.collectedAt).toISOString(),
    from: new Date(d.from).toISOString(),
    until: new Date(d.until).toISOString(),
    metrics: sourceView(d.metrics),
    logs: sourceView(d.logs),
    traces: sourceView(d.traces),
  };
}

/** The JSON summary of an incident at `now`. */
export function incidentSummary(i: Incident, now: number) {
  return {
    id: i.id,
    title: i.title,
    status: i.status,
    severity: i.severity,
    service: i.service,
    openedAt: new Date(i.openedAt).toISOString(),
    acknowledgedAt: iso(i.acknowledgedAt),
    acknowledgedBy: i.acknowledgedBy,
    resolvedAt: iso(i.resolvedAt),
    durationSeconds: Math.max(0, Math.round(((i.resolvedAt ?? now) - i.openedAt) / 1000)),
    alerts: i.alerts,
  };
}

/** The full JSON view of an incident at `now`, times in ISO. */
export function incidentView(i: Incident, now: number) {
  return {
    ...incidentSummary(i, now),
    labels: i.labels,
    ruleId: i.ruleId,
    diagnostics: i.diagnostics ? diagnosticsView(i.diagnostics) : undefined,
    timeline: [...i.timeline]
      .sort((a, b) => a.at - b.at)
      .map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
    version: i.version,
  };
}

async function list(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals: rest } = parseFlags(args, {
    ...TARGET_OPTIONS,
    since: { type: 'string', default: '24h' },
    status: { type: 'string', default: 'all' },
    limit: { type: 'string', default: '100' },
  });
  positionals(rest, []);
  const status = oneOf(values.status, STATUSES, 'status');
  const limit = parseLimitFlag(values.limit, 1000);
  return withTarget(values, io, async (target) => {
    const now = target.clock();
    const since = parseSinceFlag(values.since, now);
    const found = await target.incidents.list(since, Number.MAX_SAFE_INTEGER, limit);
    const incidents = found.filter((i) => status === 'all' || i.status === status);
    if (values.json) {
      printJson(io, {
        at: new Date(now).toISOString(),
        since: new Date(since).toISOString(),
        incidents: incidents.map((i) => incidentSummary(i, now)),
        truncated: found.length >= limit,
      });
      return EXIT.ok;
    }
    if (incidents.length === 0) io.stdout(`no incidents since ${isoTime(since)}\n`);
    else
      io.stdout(
        formatTable(
          ['ID', 'STATUS', 'SEVERITY', 'SERVICE', 'OPENED', 'FOR', 'ACK', 'ALERTS', 'TITLE'],
          incidents.map((i) => [
            i.id,
            i.status,
            i.severity,
            i.service,
            isoTime(i.openedAt),
            shortDuration((i.resolvedAt ?? now) - i.openedAt),
            i.acknowledgedBy ?? '-',
            String(i.alerts.length),
            clip(i.title, 60),
          ]),
        ),
      );
    if (found.length >= limit)
      io.stdout(`(the read hit --limit ${limit}; older incidents may not be shown)\n`);
    return EXIT.ok;
  });
}

function sourceLine(name: string, s: DiagnosticsSource): string {
  const links = s.links.map((l) => `${l.label} ${l.url}`).join('; ');
  return `  ${name.padEnd(8)} ${s.status.padEnd(7)} ${clip(s.summary, 100)}${links ? `\n  ${''.padEnd(8)} ${links}` : ''}`;
}

async function show(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals: rest } = parseFlags(args, TARGET_OPTIONS);
  const [id = ''] = positionals(rest, ['id']);
  return withTarget(values, io, async (target) => {
    const now = target.clock();
    const incident = await target.incidents.get(id);
    if (!incident) throw new OperatorError('NOT_FOUND', `incident ${id} does not exist`);
    if (values.json) {
      printJson(io, { incident: incidentView(incident, now) });
      return EXIT.ok;
    }
    const i = incident;
    io.stdout(
      formatFields([
        ['incident', `${i.id}: ${i.title}`],
        ['status', i.status],
        ['severity', i.severity],
        ['service', i.service],
        ['opened', isoTime(i.openedAt)],
        [
          'acknowledged',
          i.acknowledgedAt === undefined
            ? undefined
            : `${isoTime(i.acknowledgedAt)} by ${i.acknowledgedBy ?? '?'}`,
        ],
        ['resolved', i.resolvedAt === undefined ? undefined : isoTime(i.resolvedAt)],
        [i.status === 'open' ? 'open for' : 'lasted', shortDuration((i.resolvedAt ?? now) - i.openedAt)],
        ['rule', i.ruleId],
        ['labels', formatLabels(i.labels)],
        ['alerts', i.alerts.join(', ') || '-'],
      ]),
    );
    const d = i.diagnostics;
    io.stdout(
      d === undefined
        ? '\ndiagnostics: none collected\n'
        : `\ndiagnostics (${isoTime(d.from)} .. ${isoTime(d.until)}, collected ${isoTime(d.collectedAt)}):\n${[
            sourceLine('metrics', d.metrics),
            sourceLine('logs', d.logs),
            sourceLine('traces', d.traces),
          ].join('\n')}\n`,
    );
    const timeline = [...i.timeline].sort((a, b) => a.at - b.at);
    io.stdout('\ntimeline:\n');
    io.stdout(
      timeline.length === 0
        ? '  (empty)\n'
        : formatTable(
            ['TIME', '+', 'WHAT', 'BY', 'CHANNEL', 'OUTCOME', 'DETAIL'],
            timeline.map((e) => [
              isoTime(e.at),
              shortDuration(e.at - i.openedAt),
              e.kind,
              e.by ?? '-',
              e.channel ?? '-',
              e.outcome ?? '-',
              clip([e.alert ? `alert ${e.alert}` : '', e.detail ?? ''].filter(Boolean).join(': '), 80),
            ]),
          ),
    );
    return EXIT.ok;
  });
}

/** Runs `incidents <command> ...`; throws CliError (or a domain error) for the caller to map. */
export async function runIncidentsCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) throw usageError('a command is required: list or show (see --help)');
  if (command === '--help' || command === '-h' || rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${INCIDENTS_USAGE}\n`);
    return EXIT.ok;
  }
  switch (command) {
    case 'list':
      return list(rest, io);
    case 'show':
      return show(rest, io);
    default:
      throw usageError(`unknown command "${command}"; expected list or show`);
  }
}
