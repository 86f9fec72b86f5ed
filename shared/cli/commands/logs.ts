/** `logs search`: find log lines in OpenSearch from a terminal. */
import { parseArgs } from 'node:util';
import { createHttpLogSearch } from '../../logs/http-log-search';
import { LOG_CATEGORIES, LOG_LEVELS } from '../../logs/log-document';
import type { LogCategory } from '../../logs/log-document';
import { levelFromWord } from '../../logs/log-levels';
import { MAX_SEARCH_SIZE } from '../../logs/log-search-query';
import type { LogHit, LogSearchQuery } from '../../logs/log-search-query';
import { parseTimeExpression } from '../../logs/relative-time';

/** Where the command writes and reads its environment. */
export interface LogsCommandIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

const USAGE =
  'usage: logs search [--level L] [--only-level] [--service S] [--category C] [--from -30m] [--to now] [--query TEXT] [--size N] [--cursor X] [--json] [--endpoint URL]';

/** A flag is wrong; the message is one line for stderr. */
export class LogsUsageError extends Error {
  public readonly code = 'LOGS_USAGE';
  public constructor(message: string) {
    super(message);
    this.name = 'LogsUsageError';
  }
}

/** Parsed `logs search` invocation. */
export interface LogsSearchArgs {
  readonly query: LogSearchQuery;
  readonly json: boolean;
  readonly endpoint: string;
}

const isCategory = (value: string): value is LogCategory =>
  (LOG_CATEGORIES as readonly string[]).includes(value);

const STRING_FLAGS = new Set(
  ['level', 'service', 'category', 'from', 'to', 'query', 'size', 'cursor', 'endpoint'].map(
    (name) => `--${name}`,
  ),
);

// `--from -30m` would read as two flags to parseArgs; bind such values to their flag first.
function attachValues(args: readonly string[]): string[] {
  const bound: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    const next = args[i + 1];
    if (STRING_FLAGS.has(arg) && next !== undefined) {
      bound.push(`${arg}=${next}`);
      i += 1;
    } else {
      bound.push(arg);
    }
  }
  return bound;
}

/** Parses the arguments after `logs`; throws {@link LogsUsageError}. */
export function parseLogsSearchArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  now: Date,
): LogsSearchArgs {
  const [subcommand, ...rest] = argv[0] === 'logs' ? argv.slice(1) : argv;
  if (subcommand !== 'search')
    throw new LogsUsageError(`unknown subcommand ${subcommand ?? '(none)'}; ${USAGE}`);
  let values;
  try {
    ({ values } = parseArgs({
      args: attachValues(rest),
      strict: true,
      allowPositionals: false,
      options: {
        level: { type: 'string' },
        service: { type: 'string' },
        category: { type: 'string' },
        from: { type: 'string', default: '-15m' },
        to: { type: 'string', default: 'now' },
        query: { type: 'string' },
        size: { type: 'string', default: '50' },
        cursor: { type: 'string' },
        json: { type: 'boolean', default: false },
        'only-level': { type: 'boolean', default: false },
        endpoint: { type: 'string' },
      },
    }));
  } catch (error) {
    throw new LogsUsageError((error as Error).message.split('\n')[0] ?? 'invalid flags');
  }
  // Any spelling a logger writes (ERROR, Warning, crit) names one of the five levels.
  const level = values.level === undefined ? undefined : levelFromWord(values.level);
  if (values.level !== undefined && level === undefined) {
    throw new LogsUsageError(`--level must be one of ${LOG_LEVELS.join(', ')}`);
  }
  if (values['only-level'] && level === undefined) throw new LogsUsageError('--only-level needs --level');
  if (values.category !== undefined && !isCategory(values.category)) {
    throw new LogsUsageError(`--category must be one of ${LOG_CATEGORIES.join(', ')}`);
  }
  const from = parseTimeExpression(values.from, now);
  if (from === undefined)
    throw new LogsUsageError(`--from ${values.from} is not a time (use -30m, -2h, now or ISO 8601)`);
  const to = parseTimeExpression(values.to, now);
  if (to === undefined)
    throw new LogsUsageError(`--to ${values.to} is not a time (use -30m, -2h, now or ISO 8601)`);
  if (from.getTime() > to.getTime()) throw new LogsUsageError('--from is after --to');
  const size = Number(values.size);
  if (!/^\d+$/.test(values.size) || size < 1 || size > MAX_SEARCH_SIZE) {
    throw new LogsUsageError(`--size must be an integer from 1 to ${MAX_SEARCH_SIZE}`);
  }
  const endpoint = values.endpoint ?? env.VIGIL_LOGS_ENDPOINT;
  if (endpoint === undefined || endpoint === '') {
    throw new LogsUsageError('--endpoint is required (or set VIGIL_LOGS_ENDPOINT)');
  }
  const query: LogSearchQuery = {
    from,
    to,
    size,
    // `--level error` means error or worse, as on-call expects; --only-level means exactly that level.
    ...(level !== undefined ? (values['only-level'] ? { level } : { minLevel: level }) : {}),
    ...(values.service !== undefined ? { service: values.service } : {}),
    ...(values.category !== undefined && isCategory(values.category) ? { category: values.category } : {}),
    ...(values.query !== undefined ? { query: values.query } : {}),
    ...(values.cursor !== undefined ? { cursor: values.cursor } : {}),
  };
  return { query, json: values.json, endpoint };
}

function formatTable(hits: readonly LogHit[]): string {
  const rows = hits.map((hit) => [
    hit.timestamp,
    hit.level.toUpperCase(),
    hit.service ?? '-',
    (hit.message.split('\n')[0] ?? '').slice(0, 140),
  ]);
  const header = ['TIME', 'LEVEL', 'SERVICE', 'MESSAGE'];
  const widths = [0, 1, 2].map((column) =>
    Math.max(...[header, ...rows].map((row) => (row[column] ?? '').length)),
  );
  const line = (row: readonly string[]): string =>
    row.map((cell, column) => (column < 3 ? cell.padEnd(widths[column] ?? 0) : cell)).join('  ');
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** Runs `logs ...`; returns 0 on success, 2 for bad flags, 1 for a failed search. */
export async function runLogsCommand(
  argv: string[],
  io: { stdout: (s: string) => void; stderr: (s: string) => void; env: NodeJS.ProcessEnv },
): Promise<number> {
  let args: LogsSearchArgs;
  try {
    args = parseLogsSearchArgs(argv, io.env, new Date());
  } catch (error) {
    if (error instanceof LogsUsageError) {
      io.stderr(`logs: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  // Plain HTTP means a local node; anything else is an AWS domain and is signed.
  const sign = !args.endpoint.startsWith('http://');
  const region = io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
  try {
    const search = createHttpLogSearch({
      endpoint: args.endpoint,
      sign,
      ...(region !== undefined ? { region } : {}),
    });
    const page = await search(args.query);
    if (args.json) {
      for (const hit of page.hits) io.stdout(`${JSON.stringify(hit)}\n`);
      if (page.nextCursor !== undefined) io.stderr(`next page: --cursor ${page.nextCursor}\n`);
    } else {
      io.stdout(page.hits.length === 0 ? 'no matching log lines\n' : formatTable(page.hits));
      if (page.nextCursor !== undefined) io.stdout(`next page: --cursor ${page.nextCursor}\n`);
    }
    return 0;
  } catch (error) {
    io.stderr(`logs: search failed: ${(error as Error).message.split('\n')[0] ?? 'unknown error'}\n`);
    return 1;
  }
}
