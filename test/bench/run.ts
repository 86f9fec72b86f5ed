// `npm run bench`: every benchmark section, one table, and bench-report.json.
// Options: --only <section>[,<section>] (see SECTIONS), --quick (fewer repetitions),
// --report <file> (default bench-report.json).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { runAlarmHandlerBench } from './alarm-handler.bench';
import { runBundleBench } from './bundles.bench';
import { runColdInitBench } from './cold-init.bench';
import type { Figure, Figures } from './figures';
import { targetMet } from './figures';
import type { BenchLambda } from './lambdas';
import { BENCH_LAMBDAS } from './lambdas';
import { runLogIndexerBench } from './log-indexer.bench';
import { runRoutingBench } from './routing.bench';
import { runStormBench } from './storm.bench';

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

const alarmHandler = (): BenchLambda => {
  const found = BENCH_LAMBDAS.find((l) => l.functionDir === 'alarm-handler');
  if (found === undefined) throw new Error('alarm-handler is missing from BENCH_LAMBDAS');
  return found;
};

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
    name: 'logs',
    run: (c) => runLogIndexerBench({ runs: c.quick ? 2 : 5, lines: c.quick ? 5_000 : 20_000 }),
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
      rows.push(
        `| ${section} | ${name} | ${formatNumber(f.min)} | ${formatNumber(f.median)} | ${formatNumber(f.max)} | ${f.unit} | ${verdict(f)} |`,
      );
    }
  }
  return rows.join('\n');
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
  const results: { section: string; figures: Figures; seconds: number }[] = [];
  const failures: { section: string; error: string }[] = [];
  const startedAt = new Date();
  try {
    for (const section of SECTIONS.filter((s) => wanted.includes(s.name))) {
      process.stderr.write(`bench: ${section.name} ...\n`);
      const started = performance.now();
      try {
        const figures = await section.run(context);
        const seconds = (performance.now() - started) / 1000;
        results.push({ section: section.name, figures, seconds });
        process.stderr.write(`bench: ${section.name} done in ${seconds.toFixed(0)} s\n`);
      } catch (error) {
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        failures.push({ section: section.name, error: message });
        process.stderr.write(`bench: ${section.name} FAILED: ${message}\n`);
      }
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
