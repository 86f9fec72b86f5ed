// moto's server (an AWS API emulator from PyPI, pinned, cached in .cache/moto-venv): the real SQS
// JSON protocol for the log pipeline's dead-letter sink, which speaks it without the SDK.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

const MOTO_VERSION = '5.2.5';
const VENV = path.resolve(__dirname, '..', '..', '.cache', 'moto-venv');
const BIN = path.join(VENV, 'bin', 'moto_server');
const START_TIMEOUT_MS = 60_000;

/** Installs moto[server] (pinned) into a cached virtualenv if it is not there yet; returns the server's path. */
export function ensureMoto(): string {
  const pip = path.join(VENV, 'bin', 'pip');
  if (existsSync(BIN)) {
    try {
      const shown = execFileSync(pip, ['show', 'moto'], { encoding: 'utf8' });
      if (shown.includes(`Version: ${MOTO_VERSION}`)) return BIN;
    } catch {
      // Reinstall below.
    }
  }
  mkdirSync(path.dirname(VENV), { recursive: true });
  execFileSync('python3', ['-m', 'venv', VENV], { stdio: 'inherit' });
  execFileSync(pip, ['install', '--quiet', '--disable-pip-version-check', `moto[server]==${MOTO_VERSION}`], {
    stdio: 'inherit',
  });
  return BIN;
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

/** A running moto server. */
export interface RunningMoto {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts moto on a free 127.0.0.1 port and waits until it answers. */
export async function startMoto(): Promise<RunningMoto> {
  const bin = ensureMoto();
  const port = await freePort();
  const child = spawn(bin, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto exited with ${child.exitCode}: ${output}`);
    try {
      const response = await fetch(`${url}/moto-api/`);
      if (response.ok) return { url, stop };
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(`moto did not answer within ${START_TIMEOUT_MS} ms: ${output}`);
}
