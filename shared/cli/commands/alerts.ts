/** `alerts list|show|ack|resolve`: what is firing, and acting on it by hand. */
import type { Channel } from '../../domain/alert';
import { SEVERITIES } from '../../domain/alert';
import type { AlertRecord } from '../../domain/alert-record';
import type { GroupHead, GroupMember } from '../../domain/group';
import { createIncidentHooks } from '../../domain/incidents';
import type { PublishNow } from '../../domain/operator';
import { acknowledgeAlertFor, fingerprintOfAlarm } from '../../domain/operator';
import { resolveAlertFor } from '../../domain/operator-resolve';
import { groupKeyOf, routeAlert } from '../../domain/routing';
import type { Silence } from '../../domain/silence';
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
        stops repeats and escalation of a firing alert until it resolves (exit 4 if not firing);
        its open incident is acknowledged too, PagerDuty (when it was paged for the alert) gets
        an acknowledge, and the action is audited
  resolve <fingerprint|alarm-name> --by WHO [--reason TEXT]
        resolves a firing alert through the state machine; the resolve goes to every channel
        that was told. Published at once locally or to the TOPIC_ARN_<CHANNEL> topics set in
        the environment; otherwise the tick's outbox sweep publishes it within a minute. Its
        groups tell their channels at their next group_interval. The alert's incident resolves
        when it was its last firing alert. The alert fires anew on the alarm's next ALARM transition`;

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
  /** Silences in force that mute the alert. */
  readonly silencedBy?: readonly {
    readonly id: string;
    readonly until: string;
    readonly endOnResolve: boolean;
  }[];
}

const iso = (ms: number | undefined): string | undefined =>
  ms === undefined ? undefined : new Date(ms).toISOString();

/** The JSON view of an alert at `now`, with the silences in force that mute it. */
export function alertView(a: AlertRecord, now: number, silences: readonly Silence[] = []): AlertView {
  const muting = a.status === 'firing' ? silencesFor(a.labels, silences, now) : [];
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
    silencedBy:
      muting.length === 0
        ? undefined
        : muting.map((s) => ({
            id: s.id,
            until: new Date(Math.min(s.endsAt, s.expiredAt ?? s.endsAt)).toISOString(),
            endOnResolve: s.endOnResolve,
          })),
  };
}

/** The acknowledged and silenced state of an alert, as the list's own column shows it. */
export function handledText(view: AlertView): string {
  const parts: string[] = [];
  if (view.ack) parts.push(`acked by ${view.ack.by}`);
  for (const s of view.silencedBy ?? []) {
    parts.push(s.endOnResolve ? 'silenced until resolved' : `silenced until ${isoTime(Date.parse(s.until))}`);
  }
  return parts.length === 0 ? '-' : parts.join('; ');
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
    const silences = await target.groups.listSilences(now, 0);
    const views = listing.alerts.map((a) => alertView(a, now, silences));
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
          [
            'STATUS',
            'SEVERITY',
            'SERVICE',
            'ALARM',
            'STARTED',
            'FOR',
            'ACK/SILENCE',
            'FINGERPRINT',
            'SUMMARY',
          ],
          views.map((v) => [
            v.status,
            v.severity,
            v.service,
            v.alarmName,
            isoTime(v.startsAt === undefined ? undefined : Date.parse(v.startsAt)),
            durationOf(v),
            clip(handledText(v), 60),
            v.fingerprint,
            clip(v.summary, 60),
          ]),
        ),
      );
    if (listing.truncated) io.stdout(`(a read hit --limit ${limit}; older alerts may not be shown)\n`);
    return EXIT.ok;
  });
}

/** A group holding the alert, with the alert's member in it. */
interface AlertGroup {
  readonly key: string;
  readonly receiver: string;
  readonly told: readonly Channel[];
  readonly head: GroupHead;
  readonly member: GroupMember;
}

/** The groups holding the alert: its routes' group keys (for every severity of its episode), read by key. */
async function groupsOf(target: CliTarget, alert: AlertRecord): Promise<AlertGroup[]> {
  const { config } = target;
  const keys = new Set<string>();
  for (const severity of new Set([alert.severity, ...(alert.episodeSeverities ?? [])])) {
    const labels = { ...alert.labels, severity };
    for (const route of routeAlert(config.route, config.receivers, labels).routes)
      keys.add(groupKeyOf(route, labels));
  }
  const found = await Promise.all(
    [...keys].map(async (key): Promise<AlertGroup | undefined> => {
      const head = await target.groups.getGroup(key);
      if (!head) return undefined;
      const member = (await target.groups.getMembers(head, [alert.fingerprint])).get(alert.fingerprint);
      return member
        ? { key, receiver: head.route.receiver, told: head.notifiedChannels, head, member }
        : undefined;
    }),
  );
  return found.filter((g): g is AlertGroup => g !== undefined);
}

async function show(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals: rest } = parseFlags(args, TARGET_OPTIONS);
  const [id = ''] = positionals(rest, ['fingerprint|alarm-name']);
  return withTarget(values, io, async (target) => {
    const now = target.clock();
    const alert = await findAlert(target, id);
    const silences = silencesFor(alert.labels, await target.groups.listSilences(now, 0), now);
    // The tick's groups say who heard of the alert beyond the handler's immediate channels.
    const groups = (await groupsOf(target, alert)).map((g) => ({
      key: g.key,
      receiver: g.receiver,
      told: g.told,
    }));
    const actions = await target.audit.list(alert.fingerprint, 20);
    const view = alertView(alert, now);
    if (values.json) {
      printJson(io, {
        alert: {
          ...view,
          annotations: alert.annotations,
          silencedBy: silences.map((s) => s.id),
          groups,
          actions: actions.map((a) => ({ ...a, at: new Date(a.at).toISOString() })),
        },
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
        [
          'actions',
          actions.length === 0
            ? undefined
            : actions.map((e) => `${isoTime(e.at)} ${e.outcome} by ${e.by}`).join('; '),
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

/** Publishes at once what the target reaches (a local state: everything; AWS: the TOPIC_ARN_* set). */
function publishNow(target: CliTarget, io: CliIo, by: string): PublishNow {
  return {
    service: {
      config: target.config,
      store: target.alerts,
      publisher: target.publisher,
      clock: target.clock,
      log: stderrLog(io),
      claimant: `vigil-cli:${by}`,
    },
    canPublish: (channel) => target.canPublish(channel),
  };
}

async function ack(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals: rest } = parseFlags(args, { ...TARGET_OPTIONS, by: { type: 'string' } });
  const [id = ''] = positionals(rest, ['fingerprint|alarm-name']);
  const by = requireFlag(values.by, 'by');
  return withTarget(values, io, async (target) => {
    const alert = await findAlert(target, id);
    const outcome = await acknowledgeAlertFor(
      {
        store: target.alerts,
        clock: target.clock,
        incidents: target.incidents,
        audit: target.audit,
        publish: publishNow(target, io, by),
        log: stderrLog(io),
      },
      alert.fingerprint,
      by,
      { via: 'cli' },
    );
    const stored = outcome.alert;
    const view = alertView(stored, target.clock());
    const pending = stored.outbox?.status === 'acknowledged' ? stored.outbox.channels : [];
    if (values.json) {
      printJson(io, {
        action: outcome.changed ? 'acknowledged' : 'already-acknowledged',
        alert: view,
        incident: outcome.incidentId,
        published: outcome.published,
        queued: pending,
      });
      return EXIT.ok;
    }
    if (!outcome.changed) {
      io.stdout(
        `${stored.alarmName} (${stored.fingerprint}) was already acknowledged by ${stored.ack?.by ?? '?'} at ${isoTime(stored.ack?.at)}; nothing changed\n`,
      );
      return EXIT.ok;
    }
    io.stdout(
      `acknowledged ${stored.alarmName} (${stored.fingerprint}) by ${by} at ${isoTime(stored.ack?.at)}\n`,
    );
    if (outcome.incidentId !== undefined) io.stdout(`incident ${outcome.incidentId} acknowledged\n`);
    if (outcome.published.length > 0)
      io.stdout(`acknowledge sent to ${outcome.published.join(', ')} via ${target.publishesTo}\n`);
    if (pending.length > 0)
      io.stdout(`acknowledge to ${pending.join(', ')} left to the tick's outbox sweep\n`);
    io.stdout("repeats and escalation stop at the tick's next run\n");
    return EXIT.ok;
  });
}

/** What a group still has to say about a resolved alert, and when. */
function groupResolveNote(group: AlertGroup, now: number): string | undefined {
  const m = group.member;
  const byGroup = m.notifiedStatus === 'firing' && m.sentImmediately !== true;
  if (!byGroup) return undefined;
  const channels = group.told.length > 0 ? group.told.join(', ') : group.head.route.channels.join(', ');
  const due =
    group.head.lastFlushAt === undefined
      ? now
      : Math.max(now, group.head.lastFlushAt + group.head.route.groupIntervalSeconds * 1000);
  return `group ${group.head.route.receiver} tells ${channels} at the tick's first run from ${isoTime(due)} (group_interval ${Math.round(group.head.route.groupIntervalSeconds / 60)}m)`;
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
    const groupsBefore = await groupsOf(target, alert);
    const started = target.clock();
    const settings = target.config.incidents;
    const outcome = await resolveAlertFor(
      {
        store: target.alerts,
        clock: target.clock,
        incidents: settings
          ? createIncidentHooks({
              settings,
              incidents: target.incidents,
              pointers: target.incidents,
              alerts: target.alerts,
              clock: target.clock,
              log: stderrLog(io),
            })
          : undefined,
        audit: target.audit,
        publish: publishNow(target, io, by),
        log: stderrLog(io),
      },
      { fingerprint: alert.fingerprint, by, reason: values.reason, via: 'cli' },
    );
    const resolved = outcome.alert;
    const now = target.clock();
    const groupNotes = groupsBefore.flatMap((g) => groupResolveNote(g, now) ?? []);
    const incident = await target.incidents.get(
      (await target.incidents.getPointer(resolved.labels['service'] ?? 'unknown'))?.incidentId ?? '',
    );
    const incidentResolved =
      incident?.status === 'resolved' &&
      incident.alerts.includes(resolved.fingerprint) &&
      (incident.resolvedAt ?? 0) >= started
        ? incident.id
        : undefined;
    const view = alertView(resolved, now);
    if (values.json) {
      printJson(io, {
        action: 'resolved',
        alert: view,
        published: outcome.published,
        queued: outcome.queued,
        groups: groupNotes,
        incidentResolved,
      });
    } else {
      io.stdout(
        `resolved ${resolved.alarmName} (${resolved.fingerprint}) by ${by} at ${isoTime(resolved.endsAt)}\n`,
      );
      if (outcome.published.length > 0)
        io.stdout(`resolve published to ${outcome.published.join(', ')} via ${target.publishesTo}\n`);
      if (outcome.queued.length > 0)
        io.stdout(
          `resolve to ${outcome.queued.join(', ')} left to the tick's outbox sweep (within a minute)\n`,
        );
      for (const note of groupNotes) io.stdout(`${note}\n`);
      if (outcome.published.length + outcome.queued.length + groupNotes.length === 0)
        io.stdout('nobody was told it fired, so nobody is told it resolved\n');
      if (incidentResolved !== undefined)
        io.stdout(`incident ${incidentResolved} resolved: this was its last firing alert\n`);
    }
    if (outcome.publishFailure !== undefined)
      io.stderr(`vigil: alerts resolve: publish failed, the tick retries: ${outcome.publishFailure}\n`);
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
