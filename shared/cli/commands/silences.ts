/** `silences add|list|expire`: mute matching alerts for a while. */
import { parseMatcher } from '../../domain/matchers';
import type { Matcher } from '../../domain/matchers';
import { addSilence, expireSilence, OperatorError } from '../../domain/operator';
import type { Silence } from '../../domain/silence';
import { isSilenceActive } from '../../domain/silence';
import type { CliIo } from '../cli-support';
import {
  CliError,
  EXIT,
  oneLine,
  parseDurationFlag,
  parseFlags,
  printJson,
  positionals,
  requireFlag,
  TARGET_OPTIONS,
  usageError,
} from '../cli-support';
import { clip, formatTable, isoTime, shortDuration } from '../format';
import { withTarget } from '../target';

/** Usage of `silences`. */
export const SILENCES_USAGE = `usage: vigil silences <command> [--json] [--local DIR | --table T --stage S --region R]
  add --matcher 'service="checkout"' [--matcher ...] --duration 2h --by WHO --comment TEXT [--end-on-resolve]
        mutes matching alerts on every route from now for the duration (matchers: = != =~ !~)
  list [--all]        silences in force or still to start; --all adds those ended in the last 30 days
  expire <id> --by WHO
        ends a silence now; its alerts come back at the next tick (exit 4 if already ended)`;

const RECENT_MS = 30 * 86_400_000;

/** State of a silence at a time. */
export type SilenceState = 'active' | 'pending' | 'expired';

/** The state of a silence at `now`. */
export function silenceState(s: Silence, now: number): SilenceState {
  if (isSilenceActive(s, now)) return 'active';
  return s.startsAt > now && (s.expiredAt === undefined || s.expiredAt > now) ? 'pending' : 'expired';
}

function matcherText(m: Matcher): string {
  return `${m.label}${m.op}${JSON.stringify(m.value)}`;
}

/** The JSON view of a silence at `now`. */
export function silenceView(s: Silence, now: number) {
  return {
    id: s.id,
    state: silenceState(s, now),
    matchers: s.matchers.map(matcherText),
    startsAt: new Date(s.startsAt).toISOString(),
    endsAt: new Date(Math.min(s.endsAt, s.expiredAt ?? Number.POSITIVE_INFINITY)).toISOString(),
    expiredAt: s.expiredAt === undefined ? undefined : new Date(s.expiredAt).toISOString(),
    expiredBy: s.expiredBy,
    author: s.author,
    comment: s.comment,
    endOnResolve: s.endOnResolve,
    createdAt: new Date(s.createdAt).toISOString(),
  };
}

function table(silences: readonly Silence[], now: number): string {
  return formatTable(
    ['ID', 'STATE', 'MATCHERS', 'STARTS', 'ENDS', 'LEFT', 'BY', 'COMMENT'],
    silences.map((s) => {
      const v = silenceView(s, now);
      const end = Date.parse(v.endsAt);
      return [
        s.id,
        v.state + (s.endOnResolve ? '*' : ''),
        v.matchers.join(','),
        isoTime(s.startsAt),
        isoTime(end),
        v.state === 'expired' ? '-' : shortDuration(end - now),
        s.author,
        clip(s.comment, 50),
      ];
    }),
  );
}

async function add(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals: rest } = parseFlags(args, {
    ...TARGET_OPTIONS,
    matcher: { type: 'string', multiple: true },
    duration: { type: 'string' },
    by: { type: 'string' },
    comment: { type: 'string' },
    'end-on-resolve': { type: 'boolean', default: false },
  });
  positionals(rest, []);
  const texts = values.matcher ?? [];
  if (texts.length === 0) throw usageError(`--matcher is required (e.g. --matcher 'service="checkout"')`);
  const matchers = texts.map((text) => {
    try {
      return parseMatcher(text, '--matcher');
    } catch (error) {
      throw usageError(oneLine(error));
    }
  });
  const duration = parseDurationFlag(requireFlag(values.duration, 'duration'), 'duration');
  const by = requireFlag(values.by, 'by');
  const comment = requireFlag(values.comment, 'comment');
  return withTarget(values, io, async (target) => {
    const now = target.clock();
    const silence = await addSilence(
      { groups: target.groups, clock: target.clock },
      { matchers, endsAt: now + duration, author: by, comment, endOnResolve: values['end-on-resolve'] },
    );
    if (values.json) printJson(io, { action: 'added', silence: silenceView(silence, now) });
    else
      io.stdout(
        `silence ${silence.id} added by ${by}: ${silence.matchers.map(matcherText).join(', ')} until ${isoTime(silence.endsAt)}${silence.endOnResolve ? ' (or when its alerts resolve)' : ''}\n`,
      );
    return EXIT.ok;
  });
}

async function list(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals: rest } = parseFlags(args, {
    ...TARGET_OPTIONS,
    all: { type: 'boolean', default: false },
  });
  positionals(rest, []);
  return withTarget(values, io, async (target) => {
    const now = target.clock();
    const silences = (await target.groups.listSilences(now, values.all ? RECENT_MS : 0))
      .filter((s) => values.all || silenceState(s, now) !== 'expired')
      .sort((a, b) => a.startsAt - b.startsAt || a.id.localeCompare(b.id));
    if (values.json)
      printJson(io, { at: new Date(now).toISOString(), silences: silences.map((s) => silenceView(s, now)) });
    else if (silences.length === 0) io.stdout(values.all ? 'no silences\n' : 'no silences in force\n');
    else {
      io.stdout(table(silences, now));
      if (silences.some((s) => s.endOnResolve))
        io.stdout('* ends when every alert it matched has resolved\n');
    }
    return EXIT.ok;
  });
}

async function expire(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals: rest } = parseFlags(args, { ...TARGET_OPTIONS, by: { type: 'string' } });
  const [id = ''] = positionals(rest, ['id']);
  const by = requireFlag(values.by, 'by');
  return withTarget(values, io, async (target) => {
    const now = target.clock();
    const deps = { groups: target.groups, clock: target.clock };
    const current = await target.groups.getSilence(id);
    if (!current) throw new OperatorError('NOT_FOUND', `silence ${id} does not exist`);
    if (silenceState(current, now) === 'expired') {
      const ended = Math.min(current.endsAt, current.expiredAt ?? Number.POSITIVE_INFINITY);
      throw new CliError(EXIT.refused, `silence ${id} already ended at ${isoTime(ended)}`);
    }
    const expired = await expireSilence(deps, id, by);
    if (values.json) printJson(io, { action: 'expired', by, silence: silenceView(expired, now) });
    else io.stdout(`silence ${id} expired by ${by} at ${isoTime(expired.expiredAt)}\n`);
    return EXIT.ok;
  });
}

/** Runs `silences <command> ...`; throws CliError (or a domain error) for the caller to map. */
export async function runSilencesCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) throw usageError('a command is required: add, list or expire (see --help)');
  if (command === '--help' || command === '-h' || rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${SILENCES_USAGE}\n`);
    return EXIT.ok;
  }
  switch (command) {
    case 'add':
      return add(rest, io);
    case 'list':
      return list(rest, io);
    case 'expire':
      return expire(rest, io);
    default:
      throw usageError(`unknown command "${command}"; expected add, list or expire`);
  }
}
