// Builds a Lambda the way the stack deploys it, the naive way (SDK from node_modules, no
// minification) and an empty handler, for the size and cold-init sections.
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import type { Metafile } from 'esbuild';
import {
  esbuildOptionsOf,
  lambdaBundling,
  lambdaEntry,
  runtimeConfigFile,
  tracingChunkOptions,
} from '../../infra/constructs/vigil-function';
import type { BenchLambda } from './lambdas';

/** One built bundle. */
export interface BuiltBundle {
  /** Absolute path of the `index.js` to require. */
  readonly file: string;
  /** Bytes of `index.js`. */
  readonly bytes: number;
  /** Bytes of `index.js` plus its source map (0 when there is none). */
  readonly bytesWithMap: number;
  readonly metafile: Metafile;
  /** Bytes of the tracing module beside it (loaded by sampled invocations only); 0 when not shipped. */
  readonly tracingBytes: number;
}

/** The defines the stack gives `lambda`: the digest of the runtime config it ships, when it ships one. */
function defineOf(lambda: BenchLambda): Record<string, string> {
  return lambda.runtimeConfig === undefined ? {} : runtimeConfigFile(lambda.runtimeConfig).define;
}

/** Builds `lambda` with exactly the stack's bundling options, the tracing module beside it. */
export async function buildDeployed(lambda: BenchLambda, outDir: string): Promise<BuiltBundle> {
  const dir = path.join(outDir, lambda.functionDir, 'deployed');
  const tracingBeside = lambda.tracingBeside ?? true;
  const built = await buildWith(lambdaBundling(defineOf(lambda), { tracingBeside }), lambda, dir);
  if (!tracingBeside) return built;
  const chunk = tracingChunkOptions(dir);
  await build(chunk);
  return { ...built, tracingBytes: statSync(chunk.outfile).size };
}

/**
 * The same handler built naively: SDK left to node_modules, not minified, no source map, and
 * everything it imports in the one file (the tracing module too, still run by sampled invocations only).
 */
export async function buildNaive(lambda: BenchLambda, outDir: string): Promise<BuiltBundle> {
  const base = lambdaBundling(defineOf(lambda));
  const define = Object.fromEntries(
    Object.entries(base.define ?? {}).filter(([name]) => name !== '__VIGIL_TRACING_CHUNK__'),
  );
  const bundling = { ...base, define, bundleAwsSDK: false, minify: false, sourceMap: false };
  return buildWith(bundling, lambda, path.join(outDir, lambda.functionDir, 'naive'));
}

/** A handler that does nothing, to measure what Node itself costs in the same harness. */
export function writeEmptyHandler(outDir: string): string {
  const dir = path.join(outDir, 'empty');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'index.js');
  writeFileSync(file, "'use strict';\nexports.handler = async () => ({ ok: true });\n");
  return file;
}

async function buildWith(
  bundling: ReturnType<typeof lambdaBundling>,
  lambda: BenchLambda,
  dir: string,
): Promise<BuiltBundle> {
  const file = path.join(dir, 'index.js');
  const options = esbuildOptionsOf(bundling, lambdaEntry(lambda.functionDir), file);
  const result = await build({ ...options, metafile: true });
  const bytes = statSync(file).size;
  const map = `${file}.map`;
  let mapBytes = 0;
  try {
    mapBytes = statSync(map).size;
  } catch {
    mapBytes = 0;
  }
  return { file, bytes, bytesWithMap: bytes + mapBytes, metafile: result.metafile, tracingBytes: 0 };
}

/** Bytes in the bundle per package (`zod`, `@smithy/core`, ...; `(project)` for this repository). */
export function bytesByPackage(metafile: Metafile): Map<string, number> {
  const out = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const name = match?.[1] ?? '(project)';
      out.set(name, (out.get(name) ?? 0) + bytesInOutput);
    }
  }
  return new Map([...out].sort((a, b) => b[1] - a[1]));
}
