import { runReplayCli } from '../../shared/replay/cli';

/** Runs the replay's command line in-process and returns its exit code and what it printed. */
export async function runReplayCaptured(
  ...argv: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runReplayCli(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}
