// Bundle size per Lambda, built with the stack's own esbuild options, and the biggest contributors.
import type { BuiltBundle } from './build';
import { buildDeployed, bytesByPackage } from './build';
import type { Figures } from './figures';
import { figureOf } from './figures';
import type { BenchLambda } from './lambdas';

/** Options of {@link runBundleBench}. */
export interface BundleBenchOptions {
  readonly lambdas: readonly BenchLambda[];
  readonly outDir: string;
  /** Receives the top contributors of each bundle, for the report. */
  readonly onContributors?: (functionDir: string, top: readonly [string, number][]) => void;
}

/** Builds every Lambda once (a build is deterministic: min = median = max) and reports its size. */
export async function runBundleBench(options: BundleBenchOptions): Promise<Figures> {
  const figures: Figures = {};
  for (const lambda of options.lambdas) {
    const bundle: BuiltBundle = await buildDeployed(lambda, options.outDir);
    figures[`${lambda.functionDir} bundle, minified`] = figureOf([bundle.bytes / 1024], 'KB', {
      op: '<=',
      value: lambda.maxBundleBytes / 1024,
    });
    figures[`${lambda.functionDir} bundle + source map`] = figureOf([bundle.bytesWithMap / 1024], 'KB');
    if (bundle.tracingBytes > 0) {
      figures[`${lambda.functionDir} tracing module beside it (sampled invocations load it)`] = figureOf(
        [bundle.tracingBytes / 1024],
        'KB',
      );
    }
    options.onContributors?.(lambda.functionDir, [...bytesByPackage(bundle.metafile)].slice(0, 8));
  }
  return figures;
}
