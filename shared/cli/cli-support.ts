/** What every operator command shares: exit codes, the error that carries one, flag parsing. */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { ConfigError, VigilError } from '../domain/errors';
import { OperatorError } from '../domain/operator';
import { LocalStateBusyError, LocalStateError } from '../replay/local-state';

/** Exit codes scripts can rely on. */
export const EXIT = {
  /** The command did what it was asked. */
  ok: 0,
  /** A runtime failure: AWS, the local state, the network, a conflict that kept recurring. */
  failure: 1,
  /** Bad usage: unknown command or flag, missing or invalid value. */
  usage: 2,
  /** The alert, silence or incident does not exist. */
  notFound: 3,
  /** Refused: the action does not apply in the current state (e.g. acking a resolved alert). */
  refused: 4,
} as const;

/** An exit code of the CLI. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A command failed in a way the CLI reports as one line with a given exit code. */
export class CliError extends Error {
  public readonly code: 'USAGE' | 'NOT_FOUND' | 'REFUSED' | 'FAILED';

  public constructor(
    public readonly exitCode: ExitCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
    this.code =
      exitCode === EXIT.usage
        ? 'USAGE'
        : exitCode === EXIT.notFound
          ? 'NOT_FOUND'
          : exitCode === EXIT.refused
            ? 'REFUSED'
            : 'FAILED';
  }
}

/** A bad-usage error (exit 2). */
export function usageError(message: string): CliError {
  return new CliError(EXIT.usage, message);
}

/** Where a command writes, what it reads from the environment, and an optional clock for AWS mode. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** Wall clock of AWS mode. @default Date.now */
  readonly now?: () => number;
  /** Waits between retries of throttled AWS calls (tests pass one that returns at once). @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Writes one JSON document on stdout. */
export function printJson(io: CliIo, document: unknown): void {
  io.stdout(`${JSON.stringify(document, null, 2)}\n`);
}

/** Maps any error of a command to its exit code. */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof OperatorError) {
    if (error.code === 'NOT_FOUND') return EXIT.notFound;
    if (error.code === 'NOT_FIRING') return EXIT.refused;
    if (error.code === 'INVALID_SILENCE') return EXIT.usage;
    return EXIT.failure;
  }
  if (error instanceof ConfigError) return EXIT.usage;
  if (error instanceof VigilError && error.code === 'INVALID_RESOLVE') return EXIT.usage;
  if (error instanceof LocalStateError) return EXIT.usage;
  if (error instanceof LocalStateBusyError) return EXIT.failure;
  return EXIT.failure;
}

/** The first line of an error's message, for stderr. */
export function oneLine(error: unknown): string {
  // Errors from Node itself may come from another realm (e.g. under jest): read `message` by shape.
  const message =
    typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string'
      ? error.message
      : String(error);
  return (message.split('\n')[0] ?? message).trim() || 'unknown error';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Flags every data command accepts: where the state is, and the output format. */
export const TARGET_OPTIONS = {
  local: { type: 'string' },
  table: { type: 'string' },
  stage: { type: 'string' },
  region: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies Options;

/** Parses flags strictly; an unknown flag or a missing value is a usage error naming it. */
export function parseFlags<T extends Options>(args: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
  } catch (error) {
    // parseArgs appends advice about `--` that does not apply to these commands.
    throw usageError(oneLine(error).replace(/\. To specify a positional argument.*$/, ''));
  }
}

/** Exactly the named positionals; a missing or extra one is a usage error naming it. */
export function positionals(values: readonly string[], names: readonly string[]): string[] {
  if (values.length < names.length) throw usageError(`<${names[values.length] ?? 'argument'}> is required`);
  if (values.length > names.length) throw usageError(`unexpected argument "${values[names.length] ?? ''}"`);
  return [...values];
}

/** A required, non-blank string flag. */
export function requireFlag(value: string | undefined, flag: string): string {
  if (value === undefined || value.trim() === '') throw usageError(`--${flag} is required`);
  return value;
}

const DURATION = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Parses `2h`, `90m`, `1h30m`, `1d`, `1w`, `45s` into milliseconds (> 0). */
export function parseDurationFlag(text: string, flag: string): number {
  const m = DURATION.exec(text.trim());
  const parts = m?.slice(1) ?? [];
  if (!m || parts.every((p) => p === undefined)) {
    throw usageError(`--${flag} "${text}" is not a duration (e.g. 30m, 2h, 1h30m, 1d)`);
  }
  const [w, d, h, min, s] = parts.map((p) => (p === undefined ? 0 : Number(p)));
  const ms = ((((w ?? 0) * 7 + (d ?? 0)) * 24 + (h ?? 0)) * 3600 + (min ?? 0) * 60 + (s ?? 0)) * 1000;
  if (ms <= 0) throw usageError(`--${flag} must be longer than zero`);
  return ms;
}

/** `--since`: a duration back from now (`24h`) or an ISO 8601 time. */
export function parseSinceFlag(text: string, now: number): number {
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const at = Date.parse(text);
    if (Number.isNaN(at)) throw usageError(`--since "${text}" is not a valid ISO 8601 time`);
    return at;
  }
  if (!DURATION.test(text)) {
    throw usageError(`--since "${text}" is neither a duration (24h, 7d) nor an ISO 8601 time`);
  }
  return now - parseDurationFlag(text, 'since');
}

/** `--limit` (or another count flag): an integer from 1 to `max`. */
export function parseLimitFlag(text: string, max: number, flag = 'limit'): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > max)
    throw usageError(`--${flag} must be an integer from 1 to ${max}`);
  return n;
}

/** One of the allowed values, or a usage error listing them. */
export function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  const found = allowed.find((a) => a === value);
  if (found === undefined) throw usageError(`--${flag} must be one of ${allowed.join(', ')}`);
  return found;
}
