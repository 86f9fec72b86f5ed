/** `alerts list|show|ack|resolve`: what is firing, and acting on it by hand. */
import type { Channel } from '../../domain/alert';
import { SEVERITIES } from '../../domain/alert';
import type { AlertRecord } from '../../domain/alert-record';
import { finishPendingOutbox } from '../../domain/alert-service';
import { acknowledgeAlert, fingerprintOfAlarm } from '../../domain/operator';
import { resolveAlertByHand } from '../../domain/operator-resolve';
import { groupKeyOf, routeAlert } from '../../domain/routing';
import { silencesFor } from '../../domain/silence';
import { listAlerts } from '../alert-query';
import type { CliIo } from '../cli-support';
import {
  CliError,
  EXIT,
  oneOf,
  parseFlags,
  printJson,
  parseLimitFlag,
  parseSinceFlag,
  positionals,
  requireFlag,
  TARGET_OPTIONS,
  usageError,
} from '../cli-support';
import { clip, formatFields, formatLabels, formatTable, isoTime, shortDuration } from '../format';
import type { CliTarget } from '../target';
import { stderrLog, withTarget } from '../target';

/** Usage of `alerts`. */
export const ALERTS_USAGE = `usage: vigil alerts <command> [--json] [--local DIR | --table T --stage S --region R]
  list [--status firing|resolved|all] [--service S] [--severity info|warning|critical] [--since 24h|ISO] [--limit N]
        firing alerts by default, most severe first. Reads the table's sparse "due" index (recent
        changes and pending notifications) and the tick's active groups, newest first, at most
        --limit (default 200, max 1000) items per read; never a table scan
  show <fingerprint|alarm-name>        state, labels, text, channels told, ack, silences in force
  ack <fingerprint|alarm-name> --by WHO
        stops repeats and escalation of a firing alert until it resolves (exit 4 if not firing)
  resolve <fingerprint|alarm-name> --by WHO [--reason TEXT]
        resolves a firing alert through the state machine; the resolve goes to every channel
        that was told. Published at once locally or to the TOPIC_ARN_<CHANNEL> topics set in
        the environment; otherwise the tick's outbox sweep publishes it within a minute. The
        alert fires anew on the alarm's next ALARM transition`;

const STATUSES = ['firing', 'resolved', 'all'] as const;

/** An alert as the CLI prints it in JSON: ISO times, the fields people and scripts use. */
export interface AlertView {
  readonly fingerprint: string;
  readonly alarmName: string;
  readonly status: AlertRecord['status'];
  readonly severity: AlertRecord['severity'];
  readonly service: string;
  readonly team: string;
  readonly summary: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly startsAt?: string;
  readonly endsAt?: string;
  readonly durationSeconds?: number;
  readonly lastChangeAt: string;
  readonly alarmState: AlertRecord['alarmState'];
  readonly notified: readonly string[];
  readonly pending?: { readonly status: string; readonly channels: readonly string[] };
  readonly ack?: { readonly by: string; readonly at: string };
}

const iso = (ms: number | undefined): string | undefined =>
  ms === undefined ? undefined : new Date(ms).toISOString();

/** The JSON view of an alert at `now`. */
export function alertView(a: AlertRecord, now: number): AlertView {
  const started = a.startsAt;
  const until = a.status === 'firing' ? now : (a.endsAt ?? now);
  return {
    fingerprint: a.fingerprint,
    alarmName: a.alarmName,
    status: a.status,
    severity: a.severity,
    service: a.labels['service'] ?? 'unknown',
    team: a.labels['team'] ?? 'unassigned',
    summary: a.annotations.summary,
    labels: a.labels,
    startsAt: iso(started),
    endsAt: a.status === 'firing' ? undefined : iso(a.endsAt),
    durationSeconds: started === undefined ? undefined : Math.max(0, Math.round((until - started) / 1000)),
    lastChangeAt: new Date(a.lastChangeAt).toISOString(),
    alarmState: a.alarmState,
    notified: a.notified,
    pending: a.outbox ? { status: a.outbox.status, channels: a.outbox.channels } : undefined,
    ack: a.ack ? { by: a.ack.by, at: new Date(a.ack.at).toISOString() } : undefined,
  };
}

/** Finds an alert by fingerprint, else by the alarm name the config maps to a fingerprint. */
export async function findAlert(target: CliTarget, id: string): Promise<AlertRecord> {
  const direct = await target.alerts.get(id);
  if (direct) return direct;
  const byName = await target.alerts.get(fingerprintOfAlarm(target.config, id));
  if (byName) return byName;
  throw new CliError(
    EXIT.notFound,
    `no alert "${id}" (neither a fingerprint nor an alarm name with an alert)`,
  );
}

function durationOf(view: AlertView): string {
  return view.durationSeconds === undefined ? '-' : shortDuration(view.durationSeconds * 1000);
}

async function list(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals: extra } = parseFlags(args, {
    ...TARGET_OPTIONS,
    status: { type: 'string', default: 'firing' },
    service: { type: 'string' },
    severity: { type: 'string' },
    since: { type: 'string' },
    limit: { type: 'string', default: '200' },
  });
  positionals(extra, []);
  const status = oneOf(values.status, STATUSES, 'status');
  const severity = values.severity === undefined ? undefined : oneOf(values.severity, SEVERITIES, 'severity');
  const limit = parseLimitFlag(values.limit, 1000);
  return withTarget(values, io, async (target) => {
    const now = target.clock();
    const since = values.since === undefined ? 0 : parseSinceFlag(values.since, now);
    const listing = await listAlerts(target, { status, service: values.service, severity, since, limit });
    const views = listing.alerts.map((a) => alertView(a, now));
    if (values.json) {
      printJson(io, {
        target: target.description,
        at: new Date(now).toISOString(),
        alerts: views,
        truncated: listing.truncated,
      });
      return EXIT.ok;
    }
    if (views.length === 0) io.stdout(`no ${status === 'all' ? '' : `${status} `}alerts\n`);
    else
      io.stdout(
        formatTable(
          ['STATUS', 'SEVERITY', 'SERVICE', 'ALARM', 'STARTED', 'FOR', 'ACK', 'FINGERPRINT', 'SUMMARY'],
          views.map((v) => [
            v.status,
            v.severity,
            v.service,
            v.alarmName,
            isoTime(v.startsAt === undefined ? undefined : Date.parse(v.startsAt)),
            durationOf(v),
            v.ack?.by ?? '-',
            v.fingerprint,
            clip(v.summary, 60),
          ]),
        ),
      );
    if (listing.truncated) io.stdout(`(a read hit --limit ${limit}; older alerts may not be shown)\n`);
    return EXIT.ok;
  });
}

/** The groups holding the alert: its routes' group keys (for every severity of its episode), read by key. */
async function groupsOf(
  target: CliTarget,
  alert: AlertRecord,
): Promise<{ key: string; receiver: string; told: readonly Channel[] }[]> {
  const { config } = target;
  const keys = new Set<string>();
  for (const severity of new Set([alert.severity, ...(alert.episodeSeverities ?? [])])) {
    const labels = { ...alert.labels, severity };
    for (const route of routeAlert(config.route, config.receivers, labels).routes)
      keys.add(groupKeyOf(route, labels));
  }
  const found = await Promise.all(
    [...keys].map(async (key) => {
      const head = await target.groups.getGroup(key);
      if (!head) return undefined;
      const members = await target.groups.getMembers(head, [alert.fingerprint]);
      return members.has(alert.fingerprint)
        ? { key, receiver: head.route.receiver, told: head.notifiedChannels }
        : undefined;
    }),
  );
  return found.filter(
    (g): g is { key: string; receiver: string; told: readonly Channel[] } => g !== undefined,
  );
}

async function show(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals: rest } = parseFlags(args, TARGET_OPTIONS);
  const [id = ''] = positionals(rest, ['fingerprint|alarm-name']);
  return withTarget(values, io, async (target) => {
    const now = target.clock();
    const alert = await findAlert(target, id);
    const silences = silencesFor(alert.labels, await target.groups.listSilences(now, 0), now);
    // The tick's groups say who heard of the alert beyond the handler's immediate channels.
    const groups = await groupsOf(target, alert);
    const view = alertView(alert, now);
    if (values.json) {
      printJson(io, {
        alert: { ...view, annotations: alert.annotations, silencedBy: silences.map((s) => s.id), groups },
      });
      return EXIT.ok;
    }
    const a = alert.annotations;
    io.stdout(
      formatFields([
        ['alert', `${alert.alarmName} (${alert.fingerprint})`],
        ['status', `${alert.status} (CloudWatch ${alert.alarmState})`],
        ['severity', alert.severity],
        ['summary', a.summary],
        [
          'started',
          view.startsAt === undefined ? undefined : `${isoTime(alert.startsAt)} (${durationOf(view)})`,
        ],
        ['ended', view.endsAt === undefined ? undefined : isoTime(alert.endsAt)],
        ['last change', isoTime(alert.lastChangeAt)],
        [
          'value',
          alert.value === undefined
            ? undefined
            : `${alert.value} (threshold ${alert.comparison ?? ''} ${alert.threshold ?? '-'})`,
        ],
        ['labels', formatLabels(alert.labels)],
        ['told at once', alert.notified.length === 0 ? '-' : alert.notified.join(', ')],
        [
          'groups',
          groups.length === 0
            ? undefined
            : groups
                .map(
                  (g) =>
                    `${g.key} (${g.receiver}; told ${g.told.length === 0 ? 'nobody yet' : g.told.join(', ')})`,
                )
                .join('; '),
        ],
        [
          'pending',
          view.pending ? `${view.pending.status} to ${view.pending.channels.join(', ')}` : undefined,
        ],
        ['acknowledged', alert.ack ? `by ${alert.ack.by} at ${isoTime(alert.ack.at)}` : undefined],
        [
          'silenced by',
          silences.length === 0 ? undefined : silences.map((s) => `${s.id} (${s.author})`).join(', '),
        ],
        ['severity why', a.severityReason === undefined ? undefined : clip(a.severityReason, 200)],
        ['reason', a.reason === undefined ? undefined : clip(a.reason, 200)],
        ['description', a.description === undefined ? undefined : clip(a.description, 200)],
        ['runbook', a.runbookUrl],
        ['alarm', a.alarmUrl],
        ['dashboard', a.dashboardUrl],
      ]),
    );
    return EXIT.ok;
  });
}

async function ack(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals: rest } = parseFlags(args, { ...TARGET_OPTIONS, by: { type: 'string' } });
  const [id = ''] = positionals(rest, ['fingerprint|alarm-name']);
  const by = requireFlag(values.by, 'by');
  return withTarget(values, io, async (target) => {
    const alert = await findAlert(target, id);
    const stored = await acknowledgeAlert(
      { store: target.alerts, clock: target.clock },
      alert.fingerprint,
      by,
    );
    const view = alertView(stored, target.clock());
    if (values.json) printJson(io, { action: 'acknowledged', alert: view });
    else
      io.stdout(
        `acknowledged ${stored.alarmName} (${stored.fingerprint}) by ${by} at ${isoTime(stored.ack?.at)}\n`,
      );
    return EXIT.ok;
  });
}

async function resolve(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals: rest } = parseFlags(args, {
    ...TARGET_OPTIONS,
    by: { type: 'string' },
    reason: { type: 'string' },
  });
  const [id = ''] = positionals(rest, ['fingerprint|alarm-name']);
  const by = requireFlag(values.by, 'by');
  return withTarget(values, io, async (target) => {
    const alert = await findAlert(target, id);
    const resolved = await resolveAlertByHand(
      { store: target.alerts, clock: target.clock },
      { fingerprint: alert.fingerprint, by, reason: values.reason },
    );
    const channels = resolved.outbox?.channels ?? [];
    let published: string[] = [];
    let failure: string | undefined;
    if (channels.length > 0 && channels.every((c) => target.canPublish(c))) {
      try {
        const result = await finishPendingOutbox(
          {
            config: target.config,
            store: target.alerts,
            publisher: target.publisher,
            clock: target.clock,
            log: stderrLog(io),
            claimant: `vigil-cli:${by}`,
          },
          resolved,
        );
        if (result !== 'conflict') published = result;
      } catch (error) {
        // The outbox keeps what failed; the tick's sweep retries it.
        failure = error instanceof Error ? error.message : String(error);
      }
    }
    const queued = channels.filter((c) => !published.includes(c));
    const view = alertView((await target.alerts.get(alert.fingerprint)) ?? resolved, target.clock());
    if (values.json) printJson(io, { action: 'resolved', alert: view, published, queued });
    else {
      io.stdout(
        `resolved ${resolved.alarmName} (${resolved.fingerprint}) by ${by} at ${isoTime(resolved.endsAt)}\n`,
      );
      if (published.length > 0)
        io.stdout(`resolve published to ${published.join(', ')} via ${target.publishesTo}\n`);
      if (queued.length > 0) io.stdout(`resolve to ${queued.join(', ')} left to the tick's outbox sweep\n`);
      io.stdout("its groups' channels hear the resolve at the tick's next run\n");
    }
    if (failure !== undefined)
      io.stderr(`vigil: alerts resolve: publish failed, the tick retries: ${failure}\n`);
    return EXIT.ok;
  });
}

/** Runs `alerts <command> ...`; throws CliError (or a domain error) for the caller to map. */
export async function runAlertsCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined)
    throw usageError('a command is required: list, show, ack or resolve (see --help)');
  if (command === '--help' || command === '-h' || rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${ALERTS_USAGE}\n`);
    return EXIT.ok;
  }
  switch (command) {
    case 'list':
      return list(rest, io);
    case 'show':
      return show(rest, io);
    case 'ack':
      return ack(rest, io);
    case 'resolve':
      return resolve(rest, io);
    default:
      throw usageError(`unknown command "${command}"; expected list, show, ack or resolve`);
  }
}
