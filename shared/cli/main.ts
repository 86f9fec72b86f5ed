/**
 * `vigil`: the operator command line, against the alert-state table in AWS (the operator's own
 * credentials and region) or a local replay state. Exit codes: 0 ok, 1 runtime failure,
 * 2 bad usage, 3 not found, 4 refused; errors are one line on stderr.
 */
import { runReplayCli } from '../replay/cli';
import type { CliIo } from './cli-support';
import { EXIT, exitCodeOf, oneLine, usageError } from './cli-support';
import { runAlertsCommand } from './commands/alerts';
import { runDigestsCommand } from './commands/digests';
import { runIncidentsCommand } from './commands/incidents';
import { runLogsCommand } from './commands/logs';
import { runPreflightCommand } from './commands/preflight';
import { runSilencesCommand } from './commands/silences';
import { runTickCommand } from './commands/tick';
import { LOCAL_ENV, STAGE_ENV, TABLE_ENV } from './target';

/** `vigil --help`. */
export const VIGIL_USAGE = `usage: vigil [--local DIR | --stage S [--table T] --region R] <command> [options] [--json]

commands:
  preflight [--stage S] [--region R]   read-only checks of the account before (and after) a deploy
  alerts list [--status firing|resolved|all] [--service S] [--severity S] [--since 24h] [--limit N]
  alerts show <fingerprint|alarm-name>
  alerts ack <fingerprint|alarm-name> --by WHO
  alerts resolve <fingerprint|alarm-name> --by WHO [--reason TEXT]
  silences add --matcher 'service="checkout"' [--matcher ...] --duration 2h --by WHO --comment TEXT [--end-on-resolve]
  silences list [--all]
  silences expire <id> --by WHO
  incidents list [--since 24h] [--status open|resolved|all] [--limit N]
  incidents show <id>
  digests show <id> [--channel C] [--status firing|resolved|all]   every alarm a storm digest covered
  tick [--minutes N]        (--local only) run the every-minute tick, moving the state's clock on
  logs search [--level L] [--service S] [--from -30m] [--to now] [--query TEXT] [--endpoint URL] ...
  simulate <scenario.json> [--state DIR] [--json] [--capture-only] [--verbose]
  (vigil <command> --help for details)

where:
  --local DIR     a replay state written by \`simulate <scenario.json> --state DIR\` (or ${LOCAL_ENV});
                  its clock is the replay's virtual end; publishes go to DIR/messages.jsonl
  --stage S       the stage (or ${STAGE_ENV}; default dev): its config maps alarm names to alerts, and
                  its stack's outputs name the table and topics; default credential chain and region
  --table T       the alert-state table, instead of the stack's (or ${TABLE_ENV})
  --region R      AWS region (default: the SDK's, e.g. AWS_REGION or the profile's)
  --json          one JSON document on stdout (logs search and simulate print one JSON line per item)

exit codes:
  0 ok   1 runtime failure (AWS, local state, network)   2 bad usage (unknown command or flag,
  missing or invalid value)   3 not found (alert, silence, incident)   4 refused (e.g. acking or
  resolving an alert that is not firing, expiring an ended silence)`;

const TARGET_FLAGS = new Set(['--local', '--table', '--stage', '--region']);
const GROUPS: Readonly<Record<string, (argv: readonly string[], io: CliIo) => Promise<number>>> = {
  alerts: runAlertsCommand,
  silences: runSilencesCommand,
  incidents: runIncidentsCommand,
  digests: runDigestsCommand,
};

// Target flags may come before the command (`vigil --local DIR alerts list`); they are moved after it.
function splitLeadingFlags(argv: readonly string[]): { leading: string[]; rest: string[] } {
  const leading: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const name = arg.split('=')[0] ?? arg;
    if (arg === '--json') leading.push(arg);
    else if (TARGET_FLAGS.has(name)) {
      leading.push(arg);
      if (!arg.includes('=')) {
        const value = argv[i + 1];
        if (value === undefined) throw usageError(`option '${arg}' needs a value`);
        leading.push(value);
        i++;
      }
    } else break;
  }
  return { leading, rest: argv.slice(i) };
}

function prefixed(io: CliIo): CliIo {
  return { ...io, stderr: (text) => io.stderr(`vigil: ${text}`) };
}

/** Runs the command line; returns the exit code. */
export async function runVigil(argv: readonly string[], io: CliIo): Promise<number> {
  let where = '';
  try {
    const { leading, rest } = splitLeadingFlags(argv);
    const [command, sub, ...tail] = rest;
    const group = command !== undefined && Object.hasOwn(GROUPS, command) ? GROUPS[command] : undefined;
    where =
      command !== undefined && (group !== undefined || command === 'tick' || command === 'preflight')
        ? command
        : '';
    if (where && where !== 'tick' && where !== 'preflight' && sub !== undefined && /^[a-z]+$/.test(sub))
      where = `${command} ${sub}`;
    switch (command) {
      case undefined:
        if (leading.length === 0) io.stdout(`${VIGIL_USAGE}\n`);
        throw usageError('a command is required (vigil --help)');
      case '--help':
      case '-h':
      case 'help':
        io.stdout(`${VIGIL_USAGE}\n`);
        return EXIT.ok;
      case 'tick':
        return await runTickCommand([...rest.slice(1), ...leading], io);
      case 'preflight': {
        const own = leading.filter(
          (a) => a === '--local' || a === '--table' || a.startsWith('--local=') || a.startsWith('--table='),
        );
        if (own.length > 0) throw usageError('preflight takes no --local or --table');
        return await runPreflightCommand([...rest.slice(1), ...leading], io);
      }
      case 'logs':
      case 'simulate': {
        const own = leading.filter((a) => a !== '--json');
        if (own.length > 0) throw usageError(`${command} takes no --local, --table, --stage or --region`);
        const args = [...(sub === undefined ? [] : [sub]), ...tail, ...leading];
        return command === 'logs'
          ? await runLogsCommand(args, prefixed(io))
          : await runReplayCli(args, prefixed(io));
      }
      default: {
        if (group === undefined) throw usageError(`unknown command "${command}" (vigil --help)`);
        return await group(sub === undefined ? [] : [sub, ...tail, ...leading], io);
      }
    }
  } catch (error) {
    io.stderr(`vigil: ${where ? `${where}: ` : ''}${oneLine(error)}\n`);
    return exitCodeOf(error);
  }
}

/** Runs the CLI as a process: real stdout, stderr and environment; sets the exit code. */
export async function main(argv: readonly string[]): Promise<void> {
  // The SDK's Node-version notice is about Lambda runtimes, not an operator's terminal.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  process.exitCode = await runVigil(argv, {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    env: process.env,
  });
}

if (require.main === module) void main(process.argv.slice(2));
