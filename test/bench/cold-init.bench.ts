// Cold init per Lambda: fresh `node` processes that load the bundle and serve one realistic
// invocation against local peers, next to the naive build and an empty handler in the same run.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildDeployed, buildNaive, writeEmptyHandler } from './build';
import type { Figures } from './figures';
import { figureOf, ratioFigure } from './figures';
import type { BenchLambda } from './lambdas';
import {
  lambdaProcessEnvironment,
  runLambdaProcess,
  sampledInvocationEnvironment,
  writeRunner,
} from './lambda-process';
import { startBenchPeers } from './peers';

/** Options of {@link runColdInitBench}. */
export interface ColdInitBenchOptions {
  readonly lambdas: readonly BenchLambda[];
  readonly outDir: string;
  /** Fresh processes per variant and Lambda. */
  readonly processes: number;
}

/** Runs deployed, naive and empty processes interleaved, so noise hits all three alike. */
export async function runColdInitBench(options: ColdInitBenchOptions): Promise<Figures> {
  const peers = await startBenchPeers('vigil-cold-init');
  const runner = writeRunner(options.outDir);
  const empty = writeEmptyHandler(options.outDir);
  const eventsDir = path.join(options.outDir, 'events');
  mkdirSync(eventsDir, { recursive: true });
  const figures: Figures = {};
  let run = 0;
  try {
    for (const lambda of options.lambdas) {
      const deployed = await buildDeployed(lambda, options.outDir);
      const naive = await buildNaive(lambda, options.outDir);
      const env = lambdaProcessEnvironment(lambda, peers);
      peers.aws.secretString = lambda.secret?.(peers) ?? '';
      const samples = {
        deployed: [] as number[],
        naive: [] as number[],
        empty: [] as number[],
        sampled: [] as number[],
      };
      const sampledEnv = { ...env, ...sampledInvocationEnvironment(path.dirname(deployed.file)) };
      const deployedLoad: number[] = [];
      for (let i = 0; i < options.processes; i++) {
        const variants = [
          ['deployed', deployed.file],
          ['naive', naive.file],
          ['empty', empty],
          ...(lambda.coldInitSampled === true ? ([['sampled', deployed.file]] as const) : []),
        ] as const;
        for (const [variant, file] of variants) {
          const eventsFile = path.join(eventsDir, `${lambda.functionDir}-${run}.json`);
          writeFileSync(eventsFile, JSON.stringify([lambda.event(run, peers)]));
          run += 1;
          const result = await runLambdaProcess(
            runner,
            file,
            eventsFile,
            variant === 'sampled' ? sampledEnv : env,
          );
          samples[variant].push(result.msToResult);
          if (variant === 'deployed') deployedLoad.push(result.msToResult - result.msInvoking);
        }
      }
      const name = lambda.functionDir;
      figures[`${name} cold init, deployed`] = figureOf(samples.deployed, 'ms');
      figures[`${name} cold init, deployed: of which loading the bundle`] = figureOf(deployedLoad, 'ms');
      figures[`${name} cold init, naive build`] = figureOf(samples.naive, 'ms');
      figures[`${name} cold init, empty handler`] = figureOf(samples.empty, 'ms');
      if (samples.sampled.length > 0) {
        // One cold start in ten at the stack's 10 % sampling: it loads the tracer beside the bundle.
        figures[`${name} cold init, deployed, invocation X-Ray samples`] = figureOf(samples.sampled, 'ms');
      }
      figures[`${name} cold init deployed / naive`] = ratioFigure(samples.deployed, samples.naive, {
        op: '<=',
        value: lambda.coldInit?.ofNaive ?? 0.35,
      });
      figures[`${name} cold init deployed / empty`] = ratioFigure(samples.deployed, samples.empty, {
        op: '<=',
        value: lambda.coldInit?.ofEmpty ?? 1.5,
      });
    }
  } finally {
    await peers.stop();
  }
  return figures;
}
