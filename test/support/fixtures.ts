import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { deriveRuntimeConfig } from '../../infra/config/derive';
import { loadStageConfig } from '../../infra/config/stages';
import type { Log } from '../../shared/domain/ports';
import type { RuntimeConfig } from '../../shared/domain/runtime-config';

/** Real alarm event shapes: one builder for the tests and the replay. */
export { alarmActionEvent } from '../../shared/replay/alarm-events';

/** Reads a JSON fixture under test/fixtures. */
export function fixture(relative: string): unknown {
  return JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', relative), 'utf8')) as unknown;
}

/** The dev stage's runtime config, as the Lambdas get it. */
export function devRuntimeConfig(): RuntimeConfig {
  return deriveRuntimeConfig(loadStageConfig('dev'));
}

/** A Log that records lines for assertions. */
export function recordingLog(): Log & {
  lines: { level: string; message: string; extra?: Record<string, unknown> }[];
} {
  const lines: { level: string; message: string; extra?: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, extra?: Record<string, unknown>) => {
    lines.push({ level, message, extra });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
