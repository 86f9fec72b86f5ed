// `npm run bench`: every benchmark section, one table, and bench-report.json.
// Options: --only <section>[,<section>] (see SECTIONS), --quick (fewer repetitions),
// --report <file> (default bench-report.json). With more than one section, each runs in its own
// process so one section's heap and JIT state cannot skew another's figures.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { runAlarmHandlerBench } from './alarm-handler.bench';
import { runBundleBench } from './bundles.bench';
import { runColdInitBench } from './cold-init.bench';
import { runEvaluatorBench } from './evaluator.bench';
import type { Figure, Figures } from './figures';
import { targetMet } from './figures';
import type { BenchLambda } from './lambdas';
import { BENCH_LAMBDAS } from './lambdas';
import { runLogIndexerBench } from './log-indexer.bench';
import { runRoutingBench } from './routing.bench';
import { runStormBench } from './storm.bench';
import { runStormSizesBench, STORM_SIZES } from './storm-sizes.bench';
import { runTimeToPageBench } from './time-to-page.bench';

/** What every section gets. */
interface RunContext {
  readonly quick: boolean;
  /** Scratch directory for bundles and event files, removed at the end. */
  readonly outDir: string;
  /** Notes for the report (e.g. a bundle's biggest contributors). */
  readonly notes: Record<string, unknown>;
}

/** A section of the benchmark; a section that needs no context ignores it. */
interface Section {
  readonly name: string;
  readonly run: (context: RunContext) => Promise<Figures>;
}

const lambdaNamed = (functionDir: string): BenchLambda => {
  const found = BENCH_LAMBDAS.find((l) => l.functionDir === functionDir);
  if (found === undefined) throw new Error(`${functionDir} is missing from BENCH_LAMBDAS`);
  return found;
};
const alarmHandler = (): BenchLambda => lambdaNamed('alarm-handler');

const SECTIONS: readonly Section[] = [
  {
    name: 'bundles',
    run: (c) =>
      runBundleBench({
        lambdas: BENCH_LAMBDAS,
        outDir: c.outDir,
        onContributors: (fn, top) => {
          c.notes[`${fn} biggest contributors (KB)`] = Object.fromEntries(
            top.map(([name, bytes]) => [name, Math.round(bytes / 102.4) / 10]),
          );
        },
      }),
  },
  {
    name: 'cold-init',
    run: (c) => runColdInitBench({ lambdas: BENCH_LAMBDAS, outDir: c.outDir, processes: c.quick ? 5 : 20 }),
  },
  {
    name: 'time-to-page',
    run: (c) =>
      runTimeToPageBench({
        alarmHandler: alarmHandler(),
        responder: lambdaNamed('incident-responder'),
        outDir: c.outDir,
        warm: c.quick ? 50 : 200,
        cold: c.quick ? 5 : 20,
      }),
  },
  {
    name: 'alarm-handler',
    run: (c) =>
      runAlarmHandlerBench({
        runs: c.quick ? 2 : 5,
        transitions: 1_000,
        lambda: alarmHandler(),
        outDir: c.outDir,
      }),
  },
  { name: 'routing', run: (c) => runRoutingBench({ runs: c.quick ? 3 : 7, alerts: 200_000 }) },
  { name: 'storm', run: () => runStormBench({ runs: 1 }) },
  {
    name: 'storm-sizes',
    // A quick run replays the two smallest storms; a full one every size up to 20,000 alarms.
    run: (c) => runStormSizesBench({ sizes: c.quick ? STORM_SIZES.slice(0, 2) : STORM_SIZES }),
  },
  { name: 'evaluator', run: () => runEvaluatorBench() },
  {
    name: 'logs',
    run: (c) => runLogIndexerBench({ runs: c.quick ? 3 : 9, lines: c.quick ? 5_000 : 20_000 }),
  },
];

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function verdict(figure: Figure): string {
  const met = targetMet(figure);
  if (met === undefined || figure.target === undefined) return '';
  return `${figure.target.op} ${formatNumber(figure.target.value)}: ${met ? 'met' : 'NOT MET'}`;
}

/** The table, as Markdown so the README can carry it unchanged. */
function renderTable(results: readonly { section: string; figures: Figures }[]): string {
  const rows = [
    '| section | figure | min | median | max | unit | target |',
    '| --- | --- | ---: | ---: | ---: | --- | --- |',
  ];
  for (const { section, figures } of results) {
    for (const [name, f] of Object.entries(figures)) {
      // Ratios sit next to targets like 0.8; two decimals would print 0.799 as 0.80.
      const format = (value: number): string => (f.unit === 'ratio' ? value.toFixed(3) : formatNumber(value));
      rows.push(
        `| ${section} | ${name} | ${format(f.min)} | ${format(f.median)} | ${format(f.max)} | ${f.unit} | ${verdict(f)} |`,
      );
    }
  }
  return rows.join('\n');
}

interface SectionResult {
  readonly section: string;
  readonly figures: Figures;
  readonly seconds: number;
}

interface SectionFailure {
  readonly section: string;
  readonly error: string;
}

/** The report file's shape (what this script writes and reads back from its children). */
interface Report {
  readonly sections: Record<string, { seconds: number; figures: Record<string, Figure & { met?: boolean }> }>;
  readonly notes: Record<string, unknown>;
  readonly failures: SectionFailure[];
}

async function runInProcess(
  section: Section,
  context: RunContext,
  results: SectionResult[],
  failures: SectionFailure[],
): Promise<void> {
  const started = performance.now();
  try {
    const figures = await section.run(context);
    results.push({ section: section.name, figures, seconds: (performance.now() - started) / 1000 });
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    failures.push({ section: section.name, error: message });
  }
}

/** Runs one section in a fresh process of this script and folds its report into ours. */
async function runInChild(
  section: Section,
  context: RunContext,
  results: SectionResult[],
  failures: SectionFailure[],
): Promise<void> {
  const reportFile = path.join(context.outDir, `${section.name}.report.json`);
  const args = [
    ...process.execArgv,
    process.argv[1] ?? __filename,
    '--only',
    section.name,
    '--report',
    reportFile,
  ];
  if (context.quick) args.push('--quick');
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', resolve);
  });
  let report: Report;
  try {
    report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
  } catch (error) {
    failures.push({
      section: section.name,
      error: `section process exited (${code}) without a report: ${String(error)}`,
    });
    return;
  }
  for (const [name, { seconds, figures }] of Object.entries(report.sections)) {
    const clean = Object.fromEntries(Object.entries(figures).map(([key, { met: _met, ...f }]) => [key, f]));
    results.push({ section: name, figures: clean, seconds });
  }
  failures.push(...report.failures);
  Object.assign(context.notes, report.notes);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      report: { type: 'string', default: 'bench-report.json' },
    },
  });
  const wanted = values.only?.split(',').map((s) => s.trim()) ?? SECTIONS.map((s) => s.name);
  const unknown = wanted.filter((name) => !SECTIONS.some((s) => s.name === name));
  if (unknown.length > 0) {
    throw new Error(
      `unknown section(s) ${unknown.join(', ')}; sections: ${SECTIONS.map((s) => s.name).join(', ')}`,
    );
  }
  const outDir = mkdtempSync(path.join(tmpdir(), 'vigil-bench-'));
  const context: RunContext = { quick: values.quick, outDir, notes: {} };
  const results: SectionResult[] = [];
  const failures: SectionFailure[] = [];
  const startedAt = new Date();
  const selected = SECTIONS.filter((s) => wanted.includes(s.name));
  const run = selected.length > 1 ? runInChild : runInProcess;
  try {
    for (const section of selected) {
      // A section's own process reports its progress; this one only speaks for sections run here.
      const speak = run === runInProcess;
      if (speak) process.stderr.write(`bench: ${section.name} ...\n`);
      const started = performance.now();
      const failed = failures.length;
      await run(section, context, results, failures);
      const seconds = ((performance.now() - started) / 1000).toFixed(0);
      const failure = failures.slice(failed).find((f) => f.section === section.name);
      if (failure !== undefined) process.stderr.write(`bench: ${section.name} FAILED: ${failure.error}\n`);
      else if (speak) process.stderr.write(`bench: ${section.name} done in ${seconds} s\n`);
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
  const table = renderTable(results);
  const missed = results.flatMap(({ section, figures }) =>
    Object.entries(figures)
      .filter(([, f]) => targetMet(f) === false)
      .map(([name]) => `${section}: ${name}`),
  );
  const machine = `${cpus().length} CPU (${cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.version}`;
  process.stdout.write(
    `${table}\n\n${machine}; ${values.quick ? 'quick run' : 'full run'} started ${startedAt.toISOString()}\n` +
      `targets missed: ${missed.length === 0 ? 'none' : missed.length}\n` +
      missed.map((m) => `  - ${m}\n`).join(''),
  );
  writeFileSync(
    values.report,
    `${JSON.stringify(
      {
        startedAt: startedAt.toISOString(),
        machine,
        quick: values.quick,
        sections: Object.fromEntries(
          results.map(({ section, figures, seconds }) => [
            section,
            {
              seconds,
              figures: Object.fromEntries(
                Object.entries(figures).map(([name, f]) => [name, { ...f, met: targetMet(f) }]),
              ),
            },
          ]),
        ),
        notes: context.notes,
        failures,
      },
      null,
      2,
    )}\n`,
  );
  process.stdout.write(`report written to ${values.report}\n`);
  if (failures.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
