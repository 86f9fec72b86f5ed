// Time to page: from the alarm event entering the deployed alarm handler to its first SNS publish
// reaching the local stand-in, over warm invocations (a few processes) and cold ones (a fresh
// process each). Measured with incidents off (no signal at all) and with incidents on (the signal
// is sent after the page), cases alternating, while the incident responder runs next to them
// with every diagnostics source stalling 4 s; and for the seed's high-CPU alarm, whose severity
// ladder reads memory (one GetMetricData) before it routes. Then the wall time from a page to its
// evidence update with sources answering at once.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { deriveRuntimeConfig } from '../../infra/config/derive';
import { loadStageConfig } from '../../infra/config/stages';
import { startLocalAws } from '../support/local-aws';
import type { LocalAws } from '../support/local-aws';
import { buildDeployed } from './build';
import type { Figures } from './figures';
import { figureOf, ratioFigure } from './figures';
import type { BenchLambda } from './lambdas';
import { signalRecord } from './lambdas';
import { lambdaProcessEnvironment, runnerPrelude } from './lambda-process';
import type { BenchPeers } from './peers';
import { startBenchPeers } from './peers';
import { createAlertTable } from '../../shared/replay/local-dynamo';

/** Options of {@link runTimeToPageBench}. */
export interface TimeToPageBenchOptions {
  readonly alarmHandler: BenchLambda;
  readonly responder: BenchLambda;
  readonly outDir: string;
  /** Warm invocations in one process (after one that warms it). */
  readonly warm: number;
  /** Fresh processes, one invocation each. */
  readonly cold: number;
}

const MARK = '@@vigil-ttp@@';
const STALL_MS = 4_000;

// Reports the wall-clock instant (sub-millisecond) each invocation starts; the stand-in records
// when each publish arrives on the same clock.
const RUNNER = `${runnerPrelude('ttp')}const now = () => performance.timeOrigin + performance.now();
(async () => {
  const { handler } = require(bundle);
  const starts = [];
  for (let n = 0; n < events.length; n++) {
    starts.push(now());
    await handler(events[n], context(n));
  }
  process.stdout.write('\\n${MARK}' + JSON.stringify({ ok: true, starts }) + '\\n');
})().catch((e) => process.stdout.write('\\n${MARK}' + JSON.stringify({ ok: false, error: String((e && e.stack) || e) }) + '\\n'));
`;

function spawnRunner(
  runner: string,
  bundle: string,
  eventsFile: string,
  env: Record<string, string>,
): { child: ChildProcess; done: Promise<number[]> } {
  const child = spawn(process.execPath, [runner, bundle, eventsFile], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const done = new Promise<number[]>((resolve, reject) => {
    child.stderr?.on('data', (c: Buffer) => void (stderr += c.toString('utf8')));
    child.stdout?.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
      const at = stdout.indexOf(MARK);
      const end = at < 0 ? -1 : stdout.indexOf('\n', at);
      if (end < 0) return;
      child.kill('SIGKILL');
      const body = JSON.parse(stdout.slice(at + MARK.length, end)) as
        { ok: true; starts: number[] } | { ok: false; error: string };
      if (body.ok) resolve(body.starts);
      else reject(new Error(`${bundle} failed: ${body.error}`));
    });
    child.on('exit', (code) => {
      if (!stdout.includes(MARK))
        reject(new Error(`${bundle} exited (${code}); stderr: ${stderr.slice(-500)}`));
    });
  });
  return { child, done };
}

/** Per start, ms until the first SNS publish the stand-in received at or after it. */
function pageTimes(starts: readonly number[], aws: LocalAws): number[] {
  const publishes = aws.requests.filter((r) => r.operation === 'sns:Publish').map((r) => r.at);
  return starts.flatMap((start, i) => {
    const next = starts[i + 1] ?? Infinity;
    const first = publishes.find((at) => at >= start && at < next);
    return first === undefined ? [] : [first - start];
  });
}

function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function alarmEvents(lambda: BenchLambda, from: number, count: number, peers: BenchPeers): unknown[] {
  return Array.from({ length: count }, (_, i) => lambda.event(from + i, peers));
}

/**
 * The same events for the seed's high-CPU alarm, whose severity ladder reads memory before the
 * page: with memory at 95 % it pages as critical, after one GetMetricData.
 */
function ladderEvents(lambda: BenchLambda, from: number, count: number, peers: BenchPeers): unknown[] {
  return alarmEvents(lambda, from, count, peers).map(
    (e) =>
      JSON.parse(
        JSON.stringify(e).replaceAll('vigil-dev-high-error-rate-checkout', 'vigil-dev-high-cpu-checkout'),
      ) as unknown,
  );
}

/** Runs both cases and the page-to-evidence figure. */
export async function runTimeToPageBench(options: TimeToPageBenchOptions): Promise<Figures> {
  const peers = await startBenchPeers('vigil-time-to-page');
  // The responder gets a stand-in of its own, so its traffic never counts as a page.
  const responderAws = await startLocalAws();
  const dir = path.join(options.outDir, 'time-to-page');
  mkdirSync(dir, { recursive: true });
  const runner = path.join(dir, 'ttp-runner.cjs');
  writeFileSync(runner, RUNNER);
  const config = deriveRuntimeConfig(loadStageConfig('dev'));
  const withoutIncidents: BenchLambda = {
    ...options.alarmHandler,
    runtimeConfig: { ...config, incidents: undefined },
  };
  const plain = await buildDeployed(withoutIncidents, path.join(dir, 'no-incident'));
  const paging = await buildDeployed(options.alarmHandler, path.join(dir, 'incidents'));
  const responder = await buildDeployed(options.responder, path.join(dir, 'responder'));
  const handlerEnv = lambdaProcessEnvironment(options.alarmHandler, peers);
  // The no-incident case keeps its alerts in a table of its own: sharing the alarm's state with the
  // incidents case would turn half of each case's events into repeats that page nothing, and the
  // two cases would time different mixes of fires and resolves.
  const plainTable = `${peers.tableName}-no-incident`;
  await createAlertTable(peers.dynalite.client, plainTable);
  const plainEnv = { ...lambdaProcessEnvironment(withoutIncidents, peers), ALERT_TABLE_NAME: plainTable };
  const responderEnv = {
    ...lambdaProcessEnvironment(options.responder, peers),
    AWS_ENDPOINT_URL: responderAws.url,
    LOG_SEARCH_ENDPOINT: responderAws.url,
  };
  let run = 0;
  let file = 0;
  const eventsFile = (events: unknown[]): string => {
    const f = path.join(dir, `events-${file++}.json`);
    writeFileSync(f, JSON.stringify(events));
    return f;
  };
  const figures: Figures = {};
  const samples: Record<
    'no incident' | 'sources stalled' | 'severity ladder read',
    { warm: number[]; cold: number[] }
  > = {
    'no incident': { warm: [], cold: [] },
    'sources stalled': { warm: [], cold: [] },
    'severity ladder read': { warm: [], cold: [] },
  };
  const responders: ChildProcess[] = [];
  try {
    peers.aws.record = true;
    // The responder works through signals whose every source stalls, next to every measured page
    // (both cases, so machine load falls on both alike); only the incidents build signals it.
    responderAws.stall = { ms: STALL_MS, when: (_op, body) => !body.includes('Action=Publish') };
    const signals = Array.from({ length: 60 }, (_, i) => signalRecord(10_000 + i));
    const stalled = spawnRunner(runner, responder.file, eventsFile(signals), responderEnv);
    stalled.done.catch(() => undefined);
    responders.push(stalled.child);
    // Memory at 95 % for the ladder case (the error-rate alarm of the other two reads no metric).
    peers.aws.metricValue = 95;
    const cases = [
      ['no incident', plain.file, alarmEvents, plainEnv],
      ['sources stalled', paging.file, alarmEvents, handlerEnv],
      ['severity ladder read', paging.file, ladderEvents, handlerEnv],
    ] as const;
    // Warm: per round and case one process; its first invocation warms it. Rounds alternate cases.
    const rounds = 4;
    const perRound = Math.ceil(options.warm / rounds);
    for (let round = 0; round < rounds; round++) {
      for (const [name, bundle, eventsOf, env] of cases) {
        const events = eventsOf(options.alarmHandler, run, perRound + 1, peers);
        run += perRound + 1;
        peers.aws.requests.length = 0;
        const starts = await spawnRunner(runner, bundle, eventsFile(events), env).done;
        samples[name].warm.push(...pageTimes(starts.slice(1), peers.aws));
      }
    }
    // Cold: a fresh process per page, cases alternating.
    for (let i = 0; i < options.cold; i++) {
      for (const [name, bundle, eventsOf, env] of cases) {
        peers.aws.requests.length = 0;
        const cold = await spawnRunner(
          runner,
          bundle,
          eventsFile(eventsOf(options.alarmHandler, run++, 1, peers)),
          env,
        ).done;
        samples[name].cold.push(...pageTimes(cold, peers.aws));
      }
    }
    for (const [name, s] of Object.entries(samples)) {
      for (const kind of ['warm', 'cold'] as const) {
        const values = s[kind];
        figures[`time to page, ${name}, ${kind} p50 (n=${values.length})`] = figureOf(
          [percentile(values, 50)],
          'ms',
        );
        figures[`time to page, ${name}, ${kind} p99 (n=${values.length})`] = figureOf(
          [percentile(values, 99)],
          'ms',
        );
      }
    }
    for (const kind of ['warm', 'cold'] as const) {
      for (const p of [50, 99]) {
        figures[`time to page ${kind} p${p}: stalled / no incident`] = ratioFigure(
          [percentile(samples['sources stalled'][kind], p)],
          [percentile(samples['no incident'][kind], p)],
          { op: '<=', value: 1.1 },
        );
        // What the severity ladder's read (one GetMetricData before routing) adds to the page.
        figures[`time to page ${kind} p${p}: severity ladder read / no incident`] = ratioFigure(
          [percentile(samples['severity ladder read'][kind], p)],
          [percentile(samples['no incident'][kind], p)],
        );
      }
    }
    // Page to evidence update, wall clock, sources answering at once (the responder's own stand-in).
    for (const child of responders) child.kill('SIGKILL');
    responderAws.stall = undefined;
    responderAws.record = true;
    const evidence: number[] = [];
    for (let i = 0; i < 5; i++) {
      responderAws.requests.length = 0;
      const sentAt = performance.timeOrigin + performance.now();
      const signal = signalRecord(20_000 + i) as { Records: { body: string }[] };
      const [record] = signal.Records;
      if (record) {
        // A service of its own: the evidence is sent once per incident, by the signal that opens it.
        const service = `evidence-bench-${i}`;
        const body = JSON.parse(record.body) as {
          page: { sentAt: number };
          alerts: { labels: Record<string, string> }[];
        };
        record.body = JSON.stringify({
          ...body,
          service,
          alerts: body.alerts.map((a) => ({ ...a, labels: { ...a.labels, service } })),
          page: { ...body.page, sentAt },
        });
      }
      await spawnRunner(runner, responder.file, eventsFile([signal]), responderEnv).done;
      // The responder publishes nothing but evidence updates.
      const firstEvidence = responderAws.requests.find((r) => r.operation === 'sns:Publish');
      if (firstEvidence) evidence.push(firstEvidence.at - sentAt);
      else process.stderr.write(`no evidence update: ${JSON.stringify([...responderAws.counts])}\n`);
    }
    figures[`page to evidence update, wall clock, fresh responder process (n=${evidence.length})`] = figureOf(
      evidence,
      'ms',
    );
  } finally {
    for (const child of responders) child.kill('SIGKILL');
    await responderAws.stop();
    await peers.stop();
  }
  return figures;
}
