/**
 * Prints `vigil preflight --stage prod` against the two mocked accounts of the tests, a fresh one
 * and a ready one: `npx tsx test/support/preflight-examples.ts`.
 */
import { runVigil } from '../../shared/cli/main';
import { freshAccount, readyAccount, resetAccount } from './preflight-accounts';

async function show(title: string, arrange: () => void): Promise<void> {
  resetAccount();
  arrange();
  process.stdout.write(`$ vigil preflight --stage prod    # ${title}\n`);
  const code = await runVigil(['preflight', '--stage', 'prod'], {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    env: { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'example', AWS_SECRET_ACCESS_KEY: 'example' },
    sleep: () => Promise.resolve(),
  });
  process.stdout.write(`(exit ${code})\n\n`);
}

async function main(): Promise<void> {
  process.env.AWS_REGION ??= 'eu-west-1';
  await show('a fresh account', freshAccount);
  await show('prod deployed, the steps after deploy done', readyAccount);
}

void main();
