import { esbuildOptionsOf, lambdaBundling, lambdaEntry } from '../../infra/constructs/vigil-function';

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
});
