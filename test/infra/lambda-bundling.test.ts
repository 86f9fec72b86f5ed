import { readFileSync } from 'node:fs';
import {
  esbuildOptionsOf,
  lambdaBundling,
  lambdaEntry,
  withRuntimeConfigFile,
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
      define: { __X__: '"1"' },
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
    const config = {
      alarms: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`vigil-scale-a-${i}`, { i }])),
    };
    // Act
    const bundling = withRuntimeConfigFile(lambdaBundling(), config);
    const [copy] = bundling.commandHooks?.afterBundling('/in', '/asset-out') ?? [];
    // Assert
    expect(bundling.define).toEqual({});
    const match = /^cp '([^']+)' '\/asset-out\/runtime-config\.json'$/.exec(copy ?? '');
    expect(match).not.toBeNull();
    expect(JSON.parse(readFileSync(match?.[1] ?? '', 'utf8'))).toEqual(config);
    expect(JSON.stringify(config).length).toBeGreaterThan(128 * 1024);
  });
});
