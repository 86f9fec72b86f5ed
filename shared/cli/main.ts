/**
 * `vigil`: the operator command line. `vigil logs search ...` searches the log pipeline;
 * `vigil simulate <scenario.json>` replays a scenario locally. Exit codes: 0 ok, 1 failure,
 * 2 bad usage (one line on stderr).
 */
import { runReplayCli } from '../replay/cli';
import { runLogsCommand } from './commands/logs';

const USAGE = 'usage: vigil <logs search|simulate> [options]  (vigil logs search --help for flags)';

/** Runs the command line; returns the exit code. */
export async function runVigil(
  argv: readonly string[],
  io: { stdout: (s: string) => void; stderr: (s: string) => void; env: NodeJS.ProcessEnv },
): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'logs':
      return runLogsCommand(rest, io);
    case 'simulate':
      return runReplayCli(rest, io);
    case undefined:
    case '--help':
    case '-h':
      io.stdout(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      io.stderr(`vigil: unknown command "${command}"; ${USAGE}\n`);
      return 2;
  }
}

if (require.main === module) {
  runVigil(process.argv.slice(2), {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    env: process.env,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`vigil: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
