// Storms of growing size through `simulate --storm`, each in its own process (its wall time and
// peak RSS are its own): messages per channel, alarms named, resolves told, DynamoDB operations per
// alarm event and per tick, and the busiest partition key's peak writes per second.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { CHANNELS } from '../../shared/domain/alert';
import type { StormReportView } from '../../shared/replay/render-output';
import type { Figures } from './figures';
import { figureOf } from './figures';

/** One storm to replay. */
export interface StormSize {
  readonly alarms: number;
  readonly services: number;
  /** Every n-th alarm critical (0: none). @default 10 */
  readonly criticalEvery?: number;
  /** Warning rules (1: CPU only, so each service is one group). @default 2 */
  readonly warningRules?: 1 | 2;
}

/** The sizes the issue of storms at any size names: 480 to 20,000 alarms, and groups of 500. */
export const STORM_SIZES: readonly StormSize[] = [
  { alarms: 480, services: 12 },
  { alarms: 2_000, services: 24 },
  { alarms: 8_000, services: 48 },
  { alarms: 20_000, services: 100 },
  { alarms: 2_000, services: 4, criticalEvery: 0, warningRules: 1 },
];

/** Heap the replay may use; with it the process stays well under 1.5 GB RSS. */
const HEAP_MB = 1_024;

interface StormLine {
  readonly storm: StormReportView;
}

interface SummaryLine {
  readonly summary: { readonly undelivered: number };
}

function labelOf(size: StormSize): string {
  const groups =
    size.warningRules === 1 && size.criticalEvery === 0 ? ` (groups of ${size.alarms / size.services})` : '';
  return `${size.alarms.toLocaleString('en-US')} alarms / ${size.services} services${groups}`;
}

/** Runs `simulate --storm` for one size in a child process and returns its last two JSON lines. */
async function replay(size: StormSize): Promise<{ storm: StormLine['storm']; undelivered: number }> {
  const cli = path.join(__dirname, '..', '..', 'shared', 'replay', 'cli.ts');
  const args = [
    ...process.execArgv,
    `--max-old-space-size=${HEAP_MB}`,
    cli,
    '--storm',
    String(size.alarms),
    '--services',
    String(size.services),
    '--critical-every',
    String(size.criticalEvery ?? 10),
    '--warning-rules',
    String(size.warningRules ?? 2),
    '--json',
  ];
  const out: Buffer[] = [];
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.on('exit', resolve);
  });
  const lines = Buffer.concat(out).toString('utf8').trimEnd().split('\n');
  if (code !== 0) throw new Error(`simulate --storm ${size.alarms} exited ${code}`);
  const storm = (JSON.parse(lines[lines.length - 1] ?? '{}') as StormLine).storm;
  const summary = (JSON.parse(lines[lines.length - 2] ?? '{}') as SummaryLine).summary;
  return { storm, undelivered: summary.undelivered };
}

/** Replays each size once (the storms are seeded: their counts repeat) and reports its figures. */
export async function runStormSizesBench(options: {
  readonly sizes: readonly StormSize[];
}): Promise<Figures> {
  const figures: Figures = {};
  for (const size of options.sizes) {
    process.stderr.write(`bench: storm of ${labelOf(size)} ...\n`);
    const at = (name: string): string => `${labelOf(size)}: ${name}`;
    let outcome: Awaited<ReturnType<typeof replay>>;
    try {
      outcome = await replay(size);
    } catch (error) {
      // One size failing must not hide the others' figures: it shows as a missed target.
      process.stderr.write(`bench: storm of ${labelOf(size)} failed: ${String(error)}\n`);
      figures[at('replay failed')] = figureOf([1], 'runs', { op: '<=', value: 0 });
      continue;
    }
    const { storm, undelivered } = outcome;
    const d = storm.dynamo;
    figures[at('wall time')] = figureOf([storm.wallSeconds], 's');
    figures[at('peak RSS')] = figureOf([storm.peakRssMb], 'MB', { op: '<=', value: 1_536 });
    if (storm.localDynamoPeakRssMb !== undefined) {
      figures[at('local DynamoDB process peak RSS')] = figureOf([storm.localDynamoPeakRssMb], 'MB');
    }
    for (const channel of CHANNELS) {
      figures[at(`messages on ${channel}`)] = figureOf([storm.messagesPerChannel[channel] ?? 0], 'msgs', {
        op: '<=',
        value: 6,
      });
    }
    figures[at('alarms never named firing')] = figureOf([storm.alarms - storm.namedFiring], 'alarms', {
      op: '<=',
      value: 0,
    });
    figures[at('resolves never told')] = figureOf([storm.namedFiring - storm.resolvesTold], 'alarms', {
      op: '<=',
      value: 0,
    });
    figures[at('firing told after its resolve')] = figureOf([storm.firingAfterResolve.length], 'mentions', {
      op: '<=',
      value: 0,
    });
    figures[at('escalations of resolved alerts')] = figureOf([storm.escalationsOfResolved], 'msgs', {
      op: '<=',
      value: 0,
    });
    figures[at('undelivered')] = figureOf([undelivered], 'msgs', { op: '<=', value: 0 });
    // Flat from 480 to 20,000 alarms: the handler's ops per event, the ticks' ops per event they
    // fold, and an idle tick's; the busiest tick grows with the storm, as its work does.
    figures[at('DynamoDB ops per alarm event, handler')] = figureOf(
      [d.eventOps / Math.max(1, d.events)],
      'ops',
    );
    figures[at('DynamoDB ops per alarm event, ticks')] = figureOf([d.tickOps / Math.max(1, d.events)], 'ops');
    figures[at('DynamoDB ops of an idle tick')] = figureOf([d.minTickOps], 'ops');
    figures[at('DynamoDB ops of the busiest tick')] = figureOf([d.maxTickOps], 'ops');
    figures[at(`busiest key writes/s under alarm events (${d.handlerBusiest.key})`)] = figureOf(
      [d.handlerBusiest.writesPerSecond],
      'writes/s',
      { op: '<=', value: 300 },
    );
    figures[at(`busiest key writes/s under a tick, estimated (${d.tickBusiest.key})`)] = figureOf(
      [d.tickBusiest.writesPerSecond],
      'writes/s',
      { op: '<=', value: 300 },
    );
  }
  return figures;
}
