/**
 * Maps the frames of a stack trace from the minified bundle back to the source, with the source
 * map shipped beside the bundle. Done on the error path only: Node's `--enable-source-maps` would
 * parse every map at load, which costs each cold start 10-20 ms.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';

const maps = new Map<string, SourceMap | undefined>();

/** The source map beside `file` (`<file>.map`), read once; undefined when there is none. */
function mapOf(file: string): SourceMap | undefined {
  if (!maps.has(file)) {
    let map: SourceMap | undefined;
    try {
      map = new SourceMap(
        JSON.parse(readFileSync(`${file}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0],
      );
    } catch {
      map = undefined;
    }
    maps.set(file, map);
  }
  return maps.get(file);
}

// `at name (/var/task/index.js:16:1234)` or `at /var/task/index.js:16:1234`
const FRAME = /(\(|at )(\/[^():]+\.c?js):(\d+):(\d+)(\)?)$/;

/** `stack` with each frame in a mapped bundle replaced by its source file, line and column. */
export function originalStack(stack: string): string {
  return stack
    .split('\n')
    .map((line) => {
      const frame = FRAME.exec(line);
      if (frame === null) return line;
      const [, before = '', file = '', row = '', column = '', after = ''] = frame;
      const entry = mapOf(file)?.findEntry(Number(row) - 1, Number(column) - 1);
      if (entry === undefined || !('originalSource' in entry)) return line;
      const where = `${entry.originalSource}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
      return `${line.slice(0, frame.index)}${before}${where}${after}`;
    })
    .join('\n');
}
