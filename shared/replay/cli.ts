/** `npm run simulate -- <scenario.json> [--json]`: replays a scenario through the local pipeline. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { deriveRuntimeConfig } from '../../infra/config/derive';
import { loadStageConfig } from '../../infra/config/stages';
import { ConfigError } from '../domain/errors';
import type { RuntimeConfig } from '../domain/runtime-config';
import { parseRuntimeConfig } from '../domain/runtime-config';
import { formatJsonLines, formatStormReport, formatTimeline } from './render-output';
import { REPLAY_TABLE_NAME } from './local-pipeline';
import { startHttpReceiver } from './local-receiver';
import { appendStateMessages, LocalStateError, prepareStateDir, writeStateMeta } from './local-state';
import type { ReplayLogEntry } from './run-scenario';
import { ReplayActionError, runScenario } from './run-scenario';
import { parseScenarioText, ScenarioError } from './scenario';
import { DynamoMeter } from './dynamo-meter';
import { formatRecap } from './recap';
import type { Storm } from './storm';
import { buildStorm } from './storm';
import { checkStorm } from './storm-check';

/** Builds the storm the flags ask for; errors name the flag. */
function stormOf(values: {
  storm?: string;
  services?: string;
  'critical-every'?: string;
  'warning-rules'?: string;
}): Storm {
  const int = (
    name: string,
    text: string | undefined,
    fallback: number,
    min: number,
    max: number,
  ): number => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new ReplayUsageError(`--${name}: "${text}" is not an integer from ${min} to ${max}`);
    }
    return n;
  };
  const alarms = int('storm', values.storm, 0, 1, 100_000);
  const services = int('services', values.services, Math.max(1, Math.round(alarms / 40)), 1, alarms);
  const criticalEvery = int('critical-every', values['critical-every'], 10, 0, alarms);
  const warningKinds = int('warning-rules', values['warning-rules'], 2, 1, 2) as 1 | 2;
  return buildStorm(
    { alarms, services, criticalEvery, warningKinds },
    deriveRuntimeConfig(loadStageConfig('dev')),
  );
}

const USAGE =
  'usage: simulate <scenario.json> [--json] [--capture-only] [--verbose] [--state DIR]; or simulate --storm ALARMS [--services N] [--critical-every N] [--warning-rules 1|2] [the same options]';

/** The command line is wrong; the message is one line for stderr. */
export class ReplayUsageError extends Error {
  public readonly code = 'REPLAY_USAGE';

  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReplayUsageError';
  }
}

/** Where the command writes. */
export interface ReplayCliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    // Node's fs errors may come from another realm (e.g. under jest), so no instanceof here.
    const missing = typeof cause === 'object' && cause !== null && 'code' in cause && cause.code === 'ENOENT';
    const reason = missing ? 'not found' : 'unreadable';
    throw new ReplayUsageError(`${what} ${file}: ${reason}`, { cause });
  }
}

/** The runtime config of the run: the file the scenario names (relative to it), else the dev stage's. */
export function loadReplayConfig(configPath: string | undefined, scenarioFile: string): RuntimeConfig {
  if (configPath === undefined) return deriveRuntimeConfig(loadStageConfig('dev'));
  const file = path.resolve(path.dirname(scenarioFile), configPath);
  let json: unknown;
  try {
    json = JSON.parse(readText(file, 'config'));
  } catch (cause) {
    if (cause instanceof ReplayUsageError) throw cause;
    throw new ConfigError(`config ${file}: not valid JSON`, { cause });
  }
  return parseRuntimeConfig(json);
}

function formatLog(entry: ReplayLogEntry): string {
  const extra = entry.extra === undefined ? '' : ` ${JSON.stringify(entry.extra)}`;
  return `${entry.at} ${entry.level.toUpperCase()} ${entry.message}${extra}\n`;
}

/** Runs the command; returns the exit code (0 ok, 1 the replay failed, 2 bad input). */
export async function runReplayCli(argv: readonly string[], io: ReplayCliIo): Promise<number> {
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...argv],
        allowPositionals: true,
        options: {
          json: { type: 'boolean', default: false },
          'capture-only': { type: 'boolean', default: false },
          verbose: { type: 'boolean', default: false },
          state: { type: 'string' },
          storm: { type: 'string' },
          services: { type: 'string' },
          'critical-every': { type: 'string' },
          'warning-rules': { type: 'string' },
        },
      });
    } catch (cause) {
      throw new ReplayUsageError(`${cause instanceof Error ? cause.message : String(cause)}; ${USAGE}`, {
        cause,
      });
    }
    const [file, ...rest] = parsed.positionals;
    const storm = parsed.values.storm === undefined ? undefined : stormOf(parsed.values);
    if ((file === undefined) === (storm === undefined) || rest.length > 0) throw new ReplayUsageError(USAGE);
    const scenario = storm?.scenario ?? parseScenarioText(readText(file ?? '', 'scenario'));
    const config = storm?.config ?? loadReplayConfig(scenario.config, file ?? '');
    const source = file ?? `--storm ${storm?.scenario.description ?? ''}`;
    const meter = storm ? new DynamoMeter() : undefined;
    const startedAt = performance.now();
    const verbose = parsed.values.verbose === true;
    const stateDir = parsed.values.state;
    // The table of the run is kept on disk for `vigil --local <dir>`.
    const statePaths = stateDir === undefined ? undefined : prepareStateDir(stateDir);
    // Slack and PagerDuty messages also go through their forwarders unless asked not to.
    const receiver = parsed.values['capture-only'] === true ? undefined : await startHttpReceiver();
    let result;
    try {
      result = await runScenario(scenario, {
        config,
        forwardTo: receiver?.url,
        onLog: verbose ? (entry) => io.stderr(formatLog(entry)) : undefined,
        statePath: statePaths?.dynamo,
        meter,
      });
    } finally {
      await receiver?.stop();
    }
    if (stateDir !== undefined) {
      const times = result.timeline.map((entry) =>
        Date.parse(entry.type === 'message' ? entry.message.at : entry.at),
      );
      writeStateMeta(stateDir, {
        table: REPLAY_TABLE_NAME,
        stage: config.stage,
        scenario: file === undefined ? source : path.resolve(file),
        start: result.start,
        end: new Date(Math.max(scenario.start + scenario.duration, ...times)).toISOString(),
        config,
      });
      appendStateMessages(stateDir, result.messages);
    }
    const stormReport =
      storm && meter
        ? {
            ...checkStorm(result.messages, storm.truth, scenario.start),
            wallSeconds: Math.round((performance.now() - startedAt) / 100) / 10,
            peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
            localDynamoPeakRssMb: result.localDynamoPeakRssMb,
            dynamo: meter.report(),
          }
        : undefined;
    if (parsed.values.json === true) {
      const lines = formatJsonLines(result);
      if (stormReport) lines.push(JSON.stringify({ storm: stormReport }));
      io.stdout(`${lines.join('\n')}\n`);
    } else {
      const title = `vigil replay: ${source}${scenario.description && file ? ` - ${scenario.description}` : ''}`;
      // A generated storm's thousands of deliveries would bury its few messages: they are counted instead.
      const shown =
        storm && !verbose
          ? { ...result, timeline: result.timeline.filter((e) => e.type === 'message') }
          : result;
      io.stdout(formatTimeline(shown, title));
      if (!storm) io.stdout(formatRecap(scenario, result, config));
      if (stormReport)
        io.stdout(formatStormReport(stormReport, result.timeline.length - shown.timeline.length));
    }
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const badInput =
      error instanceof ScenarioError ||
      error instanceof ReplayUsageError ||
      error instanceof ConfigError ||
      error instanceof LocalStateError;
    io.stderr(`simulate: ${message.split('\n')[0] ?? message}\n`);
    if (!badInput && !(error instanceof ReplayActionError) && error instanceof Error && error.stack) {
      io.stderr(`${error.stack}\n`);
    }
    return badInput ? 2 : 1;
  }
}

if (require.main === module) {
  // The SDK's Node-version notice is about Lambda runtimes, not this local run; keep stderr for real errors.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  void runReplayCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  }).then((code) => {
    process.exitCode = code;
  });
}
