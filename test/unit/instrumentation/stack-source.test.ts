import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Request } from '@middy/core';
import { build } from 'esbuild';
import { sourceMappedErrors } from '../../../shared/adapters/observability';
import { originalStack } from '../../../shared/adapters/stack-source';

const FIXTURE = path.join(__dirname, '..', '..', 'fixtures', 'stack', 'throws.ts');

/**
 * The stack of the fixture's error, bundled as the Lambdas are (minified CJS, a map without
 * sources beside it) and thrown in a plain `node` process (this test runner maps stacks itself).
 */
async function bundledStack(withMap: boolean, a: string, b: string): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-stack-'));
  const outfile = path.join(dir, 'index.js');
  await build({
    entryPoints: [FIXTURE],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
  });
  if (!withMap) rmSync(`${outfile}.map`);
  const script = `try { require(process.argv[1]).addText(process.argv[2], process.argv[3]) } catch (e) { process.stdout.write(e.stack) }`;
  return execFileSync(process.execPath, ['-e', script, outfile, a, b], { encoding: 'utf8' });
}

describe('stack traces from a minified bundle', () => {
  it('names the source file and line of each bundled frame', async () => {
    // Arrange
    const stack = await bundledStack(true, '1', 'x');

    // Act
    const mapped = originalStack(stack);

    // Assert: the throw is on line 4 of the fixture, its caller on line 10
    expect(stack).toMatch(/index\.js:1:\d+/);
    const frames = mapped.split('\n').filter((l) => l.includes('throws.ts'));
    expect(frames[0]).toMatch(/fixtures\/stack\/throws\.ts:4:\d+/);
    expect(frames[1]).toMatch(/fixtures\/stack\/throws\.ts:10:\d+/);
    expect(mapped.split('\n')[0]).toBe('RangeError: "x" is not a number');
  });

  it('leaves frames alone when there is no map beside the bundle', async () => {
    // Arrange
    const stack = await bundledStack(false, 'x', '1');

    // Act
    const mapped = originalStack(stack);

    // Assert
    expect(mapped).toBe(stack);
  });

  it('gives an error leaving a handler the mapped stack', async () => {
    // Arrange
    const error = new RangeError('"y" is not a number');
    error.stack = await bundledStack(true, 'y', '2');
    const request = { error } as Request;

    // Act
    await sourceMappedErrors.onError?.(request);

    // Assert
    expect(error.stack).toMatch(/fixtures\/stack\/throws\.ts:4:\d+/);
  });
});
