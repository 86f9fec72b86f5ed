/**
 * A replay's state kept on disk (`npm run simulate -- <scenario> --state <dir>`), so the operator
 * CLI (`vigil --local <dir> ...`) can inspect it and act on it afterwards. Layout of the directory:
 * `dynamo/` the LevelDB of the local DynamoDB, `vigil-state.json` what the run was (stage,
 * virtual times, runtime config), `messages.jsonl` every message that left the local pipeline.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import type { RuntimeConfig } from '../domain/runtime-config';
import { parseRuntimeConfig } from '../domain/runtime-config';
import type { ReplayMessage } from './run-scenario';

/** A state directory is missing, damaged or already used; the message names the directory. */
export class LocalStateError extends Error {
  public readonly code = 'LOCAL_STATE';

  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LocalStateError';
  }
}

/** Files of a state directory. */
export interface LocalStatePaths {
  readonly dynamo: string;
  readonly meta: string;
  readonly messages: string;
  readonly lock: string;
}

/** Where the parts of a state directory live. */
export function localStatePaths(dir: string): LocalStatePaths {
  return {
    dynamo: path.join(dir, 'dynamo'),
    meta: path.join(dir, 'vigil-state.json'),
    messages: path.join(dir, 'messages.jsonl'),
    lock: path.join(dir, 'vigil.lock'),
  };
}

const metaSchema = z.object({
  format: z.literal(1),
  table: z.string().min(3),
  stage: z.string(),
  scenario: z.string(),
  /** Virtual start and end of the run (ISO); the CLI's clock in local mode is the end. */
  start: z.string(),
  end: z.string(),
  config: z.unknown(),
});

/** What a state directory says about the run that wrote it. */
export interface LocalStateMeta {
  readonly table: string;
  readonly stage: string;
  readonly scenario: string;
  readonly start: string;
  readonly end: string;
  readonly config: RuntimeConfig;
}

/** Creates the directory for a new state; refuses one that already holds a state. */
export function prepareStateDir(dir: string): LocalStatePaths {
  const paths = localStatePaths(dir);
  if (existsSync(paths.meta) || existsSync(paths.dynamo)) {
    throw new LocalStateError(
      `--state ${dir} already holds a replay state; remove it or choose another directory`,
    );
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (cause) {
    throw new LocalStateError(`--state ${dir}: cannot create the directory`, { cause });
  }
  return paths;
}

/** Records what the run was, once its table is complete. */
export function writeStateMeta(dir: string, meta: LocalStateMeta): void {
  const body = { format: 1, ...meta };
  writeFileSync(localStatePaths(dir).meta, `${JSON.stringify(body, null, 2)}\n`);
}

/** Reads and validates a state directory's description and runtime config. */
export function readStateMeta(dir: string): LocalStateMeta {
  const paths = localStatePaths(dir);
  let text: string;
  try {
    text = readFileSync(paths.meta, 'utf8');
  } catch (cause) {
    throw new LocalStateError(
      `--local ${dir}: not a replay state (no vigil-state.json); create one with npm run simulate -- <scenario.json> --state ${dir}`,
      { cause },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new LocalStateError(`--local ${dir}: vigil-state.json is not valid JSON`, { cause });
  }
  const parsed = metaSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LocalStateError(
      `--local ${dir}: vigil-state.json ${issue ? issue.path.join('.') : '(root)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  if (!existsSync(paths.dynamo))
    throw new LocalStateError(`--local ${dir}: the dynamo/ directory is missing`);
  const { table, stage, scenario, start, end } = parsed.data;
  return { table, stage, scenario, start, end, config: parseRuntimeConfig(parsed.data.config) };
}

/** Moves the state's virtual clock on (after the operator ran the local tick). */
export function setStateEnd(dir: string, end: string): void {
  const file = localStatePaths(dir).meta;
  const body = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  writeFileSync(file, `${JSON.stringify({ ...body, end }, null, 2)}\n`);
}

/** Appends messages that left the local pipeline, one JSON line each. */
export function appendStateMessages(dir: string, messages: readonly ReplayMessage[]): void {
  if (messages.length === 0) return;
  appendFileSync(localStatePaths(dir).messages, messages.map((m) => `${JSON.stringify(m)}\n`).join(''));
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return typeof error === 'object' && error !== null && 'code' in error && error.code === 'EPERM';
  }
}

/**
 * Takes the state directory for this process (its LevelDB admits one process at a time, and a
 * second opener would fail deep inside the local DynamoDB). A lock left by a process that no
 * longer runs is taken over. Returns the release function.
 */
export function lockStateDir(dir: string): () => void {
  const file = localStatePaths(dir).lock;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (error) {
      const exists =
        typeof error === 'object' && error !== null && 'code' in error && error.code === 'EEXIST';
      if (!exists) throw new LocalStateError(`--local ${dir}: cannot write ${file}`, { cause: error });
      const holder = Number.parseInt(readFileSync(file, 'utf8'), 10);
      if (Number.isInteger(holder) && holder !== process.pid && isRunning(holder)) {
        throw new LocalStateBusyError(
          `--local ${dir} is in use by another vigil process (pid ${holder}); try again when it ends`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new LocalStateBusyError(`--local ${dir}: could not take ${file}`);
}

/** Another process holds the state directory; trying again later can succeed. */
export class LocalStateBusyError extends Error {
  public readonly code = 'LOCAL_STATE_BUSY';

  public constructor(message: string) {
    super(message);
    this.name = 'LocalStateBusyError';
  }
}
