import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';

const CFN_LINT_VERSION = '1.58.0';
const VENV = path.resolve(__dirname, '..', '..', '.cache', 'cfn-lint-venv');
const BIN = path.join(VENV, 'bin', 'cfn-lint');

/** Installs cfn-lint (pinned) into a cached virtualenv if it is not there yet; returns its path. */
export function ensureCfnLint(): string {
  if (existsSync(BIN)) {
    const version = spawnSync(BIN, ['--version'], { encoding: 'utf8' });
    if (version.status === 0 && version.stdout.includes(CFN_LINT_VERSION)) return BIN;
  }
  mkdirSync(path.dirname(VENV), { recursive: true });
  execFileSync('python3', ['-m', 'venv', VENV], { stdio: 'inherit' });
  execFileSync(
    path.join(VENV, 'bin', 'pip'),
    ['install', '--quiet', '--disable-pip-version-check', `cfn-lint==${CFN_LINT_VERSION}`],
    {
      stdio: 'inherit',
    },
  );
  return BIN;
}

/** Runs cfn-lint over templates; returns exit status and output (errors are exit bit 2). */
export function runCfnLint(templates: readonly string[]): { status: number; output: string } {
  const bin = ensureCfnLint();
  const result = spawnSync(bin, ['--format', 'parseable', '--', ...templates], { encoding: 'utf8' });
  return { status: result.status ?? 1, output: `${result.stdout}${result.stderr}` };
}
