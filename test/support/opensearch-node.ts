// Runs a real single-node OpenSearch (the minimal integ-test distribution) for integration tests.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** The distribution version; the newest 2.x line that runs on the machine's Java 17. */
export const OPENSEARCH_VERSION = '2.19.6';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const CACHE_DIR = path.join(REPO_ROOT, '.cache', 'opensearch');
const DIST_NAME = `opensearch-${OPENSEARCH_VERSION}`;
const ARTIFACT = `org.opensearch.distribution.integ-test-zip:opensearch:${OPENSEARCH_VERSION}:zip`;
// OpenSearch refuses to run as root; the node then runs as this unprivileged uid/gid.
const NOBODY = 65534;
const START_TIMEOUT_MS = 120_000;

/** Options of {@link startOpenSearchNode}. */
export interface OpenSearchNodeOptions {
  /** Extra static node settings (`-E key=value`), e.g. a shrunken write thread pool. */
  readonly settings?: Readonly<Record<string, string>>;
  /** JVM heap, used for both -Xms and -Xmx. @default '512m' */
  readonly heap?: string;
}

/** A running node. */
export interface RunningOpenSearchNode {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Stops the node and removes its data. */
  readonly stop: () => Promise<void>;
  /**
   * Kills the node (`SIGKILL`: a crash, or `SIGTERM`: a clean stop) and starts it again on the
   * same ports and data; resolves once it is healthy again.
   */
  readonly restart: (signal?: 'SIGKILL' | 'SIGTERM') => Promise<void>;
}

/** Raised when the node cannot be obtained or started; carries the log tail. */
export class OpenSearchNodeError extends Error {
  public readonly code = 'OPENSEARCH_NODE';
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OpenSearchNodeError';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const runningAsRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs `fn` while holding an exclusive lock file, so parallel jest workers download/unzip once. */
async function withLock<T>(lockPath: string, fn: () => T): Promise<T> {
  const deadline = Date.now() + 600_000;
  for (;;) {
    try {
      const fd = fs.openSync(lockPath, 'wx');
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(fs.readFileSync(lockPath, 'utf8'));
      if (Number.isInteger(owner) && owner > 0 && !isAlive(owner)) fs.rmSync(lockPath, { force: true });
      else if (Date.now() > deadline) throw new OpenSearchNodeError(`timed out waiting for ${lockPath}`);
      else await sleep(500);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lockPath, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function run(command: string, args: string[], cwd: string): void {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', stdio: 'pipe' });
  if (result.error !== undefined || result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.slice(-2000);
    throw new OpenSearchNodeError(`${command} ${args.join(' ')} failed: ${output}`, { cause: result.error });
  }
}

function canUnprivilegedRead(dir: string): boolean {
  const result = spawnSync('test', ['-x', path.join(dir, 'bin', 'opensearch')], { uid: NOBODY, gid: NOBODY });
  return result.status === 0;
}

/** Downloads (Maven) and unzips the distribution into `.cache/opensearch` if missing; returns its home. */
export async function ensureOpenSearchDistribution(): Promise<string> {
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const home = path.join(CACHE_DIR, DIST_NAME);
  await withLock(path.join(CACHE_DIR, '.lock'), () => {
    if (fs.existsSync(path.join(home, 'bin', 'opensearch'))) return;
    const zip = path.join(CACHE_DIR, `${DIST_NAME}.zip`);
    if (!fs.existsSync(zip)) {
      run(
        'mvn',
        ['-q', '-B', 'dependency:copy', `-Dartifact=${ARTIFACT}`, `-DoutputDirectory=${CACHE_DIR}`],
        CACHE_DIR,
      );
    }
    run('unzip', ['-q', '-o', zip, '-d', CACHE_DIR], CACHE_DIR);
  });
  if (!runningAsRoot() || canUnprivilegedRead(home)) return home;
  // The repository sits where the unprivileged user cannot read it: use a world-readable copy.
  const copy = path.join(os.tmpdir(), `vigil-${DIST_NAME}`);
  await withLock(`${copy}.lock`, () => {
    if (fs.existsSync(path.join(copy, 'bin', 'opensearch'))) return;
    fs.cpSync(home, copy, { recursive: true });
  });
  return copy;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function javaHome(): string {
  const configured = process.env.OPENSEARCH_JAVA_HOME ?? process.env.JAVA_HOME;
  if (configured !== undefined && configured !== '') return configured;
  const which = spawnSync('sh', ['-c', 'readlink -f "$(command -v java)"'], { encoding: 'utf8' });
  const javaBin = which.stdout.trim();
  if (which.status !== 0 || javaBin === '') throw new OpenSearchNodeError('java not found: install Java 17+');
  return path.dirname(path.dirname(javaBin));
}

/** Writes a per-node config folder: the distribution's, minus its fixed heap and GC log files. */
function writeNodeConfig(home: string, nodeDir: string, heap: string): string {
  const configDir = path.join(nodeDir, 'config');
  fs.mkdirSync(configDir, { recursive: true });
  fs.copyFileSync(path.join(home, 'config', 'log4j2.properties'), path.join(configDir, 'log4j2.properties'));
  fs.writeFileSync(path.join(configDir, 'opensearch.yml'), '');
  const jvmOptions = fs
    .readFileSync(path.join(home, 'config', 'jvm.options'), 'utf8')
    .split('\n')
    .filter((line) => !/^-Xm[sx]/.test(line) && !line.includes('-Xlog:gc') && !line.includes('-Xloggc'))
    .concat([`-Xms${heap}`, `-Xmx${heap}`])
    .join('\n');
  fs.writeFileSync(path.join(configDir, 'jvm.options'), jvmOptions);
  return configDir;
}

async function waitForHealth(url: string, child: ChildProcess, logTail: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new OpenSearchNodeError(`OpenSearch exited with ${child.exitCode}: ${logTail()}`);
    }
    try {
      const response = await fetch(`${url}/_cluster/health?wait_for_status=yellow&timeout=1s`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(500);
  }
  throw new OpenSearchNodeError(`OpenSearch did not become healthy in ${START_TIMEOUT_MS} ms: ${logTail()}`);
}

/**
 * Starts a fresh single-node cluster on free 127.0.0.1 ports with its own data folder.
 * Each call gets its own node, so parallel test files never share state.
 */
export async function startOpenSearchNode(
  options: OpenSearchNodeOptions = {},
): Promise<RunningOpenSearchNode> {
  const home = await ensureOpenSearchDistribution();
  const nodeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-os-node-'));
  const configDir = writeNodeConfig(home, nodeDir, options.heap ?? '512m');
  for (const sub of ['data', 'logs', 'tmp']) fs.mkdirSync(path.join(nodeDir, sub));
  const asRoot = runningAsRoot();
  if (asRoot) run('chown', ['-R', `${NOBODY}:${NOBODY}`, nodeDir], nodeDir);
  const httpPort = await freePort();
  const transportPort = await freePort();
  const settings: Record<string, string> = {
    'discovery.type': 'single-node',
    'network.host': '127.0.0.1',
    'http.port': String(httpPort),
    'transport.port': String(transportPort),
    'path.data': path.join(nodeDir, 'data'),
    'path.logs': path.join(nodeDir, 'logs'),
    'cluster.name': 'vigil-test',
    // Test machines often have little free disk; the watermarks would block index creation.
    'cluster.routing.allocation.disk.threshold_enabled': 'false',
    ...options.settings,
  };
  const args = Object.entries(settings).flatMap(([key, value]) => ['-E', `${key}=${value}`]);
  const launch = (): ChildProcess =>
    spawn(path.join(home, 'bin', 'opensearch'), args, {
      cwd: nodeDir,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        OPENSEARCH_JAVA_HOME: javaHome(),
        OPENSEARCH_PATH_CONF: configDir,
        OPENSEARCH_TMPDIR: path.join(nodeDir, 'tmp'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
    });
  let child = launch();
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-8000);
  };
  const watch = (c: ChildProcess): void => {
    c.stdout?.on('data', keep);
    c.stderr?.on('data', keep);
  };
  watch(child);
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const halt = async (signal: 'SIGKILL' | 'SIGTERM'): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
  };
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    await halt('SIGTERM');
    fs.rmSync(nodeDir, { recursive: true, force: true });
  };

  const url = `http://127.0.0.1:${httpPort}`;
  try {
    await waitForHealth(url, child, () => output.slice(-3000));
  } catch (error) {
    await stop();
    throw error;
  }
  const restart = async (signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<void> => {
    await halt(signal);
    child = launch();
    watch(child);
    await waitForHealth(url, child, () => output.slice(-3000));
  };
  return { url, stop, restart };
}
