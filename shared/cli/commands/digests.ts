/** `digests show`: every alarm a storm digest covered, which its message could only begin to name. */
import { CHANNELS } from '../../domain/alert';
import { entriesFor } from '../../domain/digest-record';
import { OperatorError } from '../../domain/operator';
import type { CliIo } from '../cli-support';
import { EXIT, oneOf, parseFlags, positionals, printJson, TARGET_OPTIONS, usageError } from '../cli-support';
import { formatTable, isoTime } from '../format';
import { withTarget } from '../target';

/** Usage of `digests`. */
export const DIGESTS_USAGE = `usage: vigil digests show <id> [--channel C] [--status firing|resolved|all] [--json]
  [--local DIR | --table T --stage S --region R]
  every alarm the storm digest <id> covered (the id is in the digest's message: "digest:<id>" in an
  SMS, the command line in Slack, email and PagerDuty), with its status and the channels told`;

const STATUSES = ['firing', 'resolved', 'all'] as const;

async function show(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals: rest } = parseFlags(args, {
    ...TARGET_OPTIONS,
    channel: { type: 'string' },
    status: { type: 'string', default: 'all' },
  });
  const [id = ''] = positionals(rest, ['id']);
  const channel = values.channel === undefined ? undefined : oneOf(values.channel, CHANNELS, 'channel');
  const status = oneOf(values.status, STATUSES, 'status');
  return withTarget(values, io, async (target) => {
    const digest = await target.groups.getDigest(id);
    if (!digest)
      throw new OperatorError('NOT_FOUND', `digest ${id} does not exist (digests are kept 30 days)`);
    const entries = (channel === undefined ? [...digest.entries] : entriesFor(digest, channel)).filter(
      (e) => status === 'all' || e.status === status,
    );
    if (values.json) {
      printJson(io, {
        digest: { id: digest.id, storm: digest.stormId, sentAt: new Date(digest.sentAt).toISOString() },
        alarms: entries,
      });
      return EXIT.ok;
    }
    const firing = entries.filter((e) => e.status === 'firing').length;
    io.stdout(
      `digest ${digest.id} of storm ${digest.stormId}, sent ${isoTime(digest.sentAt)}: ${entries.length} alarm(s), ${firing} firing, ${entries.length - firing} resolved\n`,
    );
    if (entries.length > 0) {
      io.stdout(
        formatTable(
          ['STATUS', 'SEVERITY', 'SERVICE', 'ALARM', 'TOLD ON'],
          entries.map((e) => [e.status, e.severity, e.service, e.alarmName, e.channels.join(',')]),
        ),
      );
    }
    return EXIT.ok;
  });
}

/** Runs `digests <command> ...`. */
export async function runDigestsCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) throw usageError('a command is required: show (see --help)');
  if (command === '--help' || command === '-h' || rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${DIGESTS_USAGE}\n`);
    return EXIT.ok;
  }
  if (command !== 'show') throw usageError(`unknown command "${command}"; expected show`);
  return show(rest, io);
}
