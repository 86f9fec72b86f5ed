import { execSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { build } from 'esbuild';
import { deriveRuntimeConfig } from '../../infra/config/derive';
import { loadStageConfig } from '../../infra/config/stages';
import {
  deployedBundling,
  esbuildOptionsOf,
  lambdaBundling,
  lambdaEntry,
  TRACING_CHUNK,
  tracingChunkCommand,
} from '../../infra/constructs/vigil-function';

describe('lambda bundling, as the stack deploys it and the benchmark rebuilds it', () => {
  it('translates the deployed options into the esbuild options NodejsFunction passes', () => {
    // Arrange
    const bundling = lambdaBundling({ __X__: '"1"' });

    // Act
    const options = esbuildOptionsOf(bundling, lambdaEntry('tick'), '/tmp/out/index.js');

    // Assert
    expect(options).toEqual({
      entryPoints: [lambdaEntry('tick')],
      outfile: '/tmp/out/index.js',
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      minify: true,
      sourcemap: true,
      sourcesContent: false,
      external: [],
      define: { __VIGIL_TRACING_CHUNK__: '"tracing.js"', __X__: '"1"' },
      mainFields: ['module', 'main'],
      logLevel: 'error',
    });
  });

  it('leaves the SDK to node_modules when it is not bundled', () => {
    // Arrange
    const bundling = { ...lambdaBundling(), bundleAwsSDK: false, minify: false };

    // Act
    const options = esbuildOptionsOf(bundling, 'entry.ts', 'out.js');

    // Assert
    expect(options.external).toEqual(['@aws-sdk/*']);
    expect(options.minify).toBe(false);
  });

  it('refuses an option it cannot translate, naming it', () => {
    // Arrange
    const bundling = { ...lambdaBundling(), keepNames: true, banner: '/* x */' };

    // Act
    const act = () => esbuildOptionsOf(bundling, 'entry.ts', 'out.js');

    // Assert
    expect(act).toThrow('bundling option(s) not translated to esbuild: keepNames, banner');
  });

  it('ships a runtime config of any size as a file copied into the bundle, not a command-line define', () => {
    // Arrange: larger than the 128 KiB Linux allows one argument
    const base = deriveRuntimeConfig(loadStageConfig('dev'));
    const [ruleId] = Object.keys(base.rules);
    const config = {
      ...base,
      alarms: Object.fromEntries(
        Array.from({ length: 5000 }, (_, i) => [
          `vigil-scale-a-${i}`,
          { ruleId, labels: { service: `s${i}` } },
        ]),
      ),
    };
    // Act
    const bundling = deployedBundling(undefined, config);
    const [, copy] = bundling.commandHooks?.afterBundling('/in', '/asset-out') ?? [];
    // Assert
    expect(Object.keys(bundling.define ?? {})).toEqual([
      '__VIGIL_TRACING_CHUNK__',
      '__VIGIL_RUNTIME_CONFIG_SHA256__',
    ]);
    const match = /^cp '([^']+)' '\/asset-out\/runtime-config\.json'$/.exec(copy ?? '');
    expect(match).not.toBeNull();
    expect(JSON.parse(readFileSync(match?.[1] ?? '', 'utf8'))).toEqual(config);
    expect(JSON.stringify(config).length).toBeGreaterThan(128 * 1024);
  });

  it('builds the paging bundles without the tracer, which ships beside them and loads on its own', async () => {
    // Arrange
    const outDir = mkdtempSync(path.join(tmpdir(), 'vigil-bundle-'));
    const bundling = deployedBundling(undefined);
    const commands = bundling.commandHooks?.afterBundling('/in', outDir) ?? [];

    // Act: the stack's own after-bundling command, then the handler bundle as NodejsFunction builds it
    expect(commands).toEqual([tracingChunkCommand(outDir)]);
    execSync(commands[0] ?? '', { stdio: 'pipe' });
    const handler = await build({
      ...esbuildOptionsOf(lambdaBundling(), lambdaEntry('alarm-handler'), path.join(outDir, 'index.js')),
      metafile: true,
      write: false,
    });

    // Assert
    const chunk = path.join(outDir, TRACING_CHUNK);
    expect(existsSync(chunk)).toBe(true);
    const loaded = createRequire(__filename)(chunk) as { createTracing?: unknown };
    expect(typeof loaded.createTracing).toBe('function');
    const inputs = Object.keys(handler.metafile.inputs);
    expect(inputs.filter((i) => /aws-xray-sdk-core|@aws-lambda-powertools\/tracer/.test(i))).toEqual([]);
    expect(inputs.some((i) => i.endsWith('shared/adapters/observability.ts'))).toBe(true);
  }, 60_000);
});
