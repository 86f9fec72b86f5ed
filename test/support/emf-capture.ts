// Reads what Powertools Metrics writes as Embedded Metric Format during a test file's tests.
import { z } from 'zod';

const emfSchema = z
  .object({
    _aws: z.object({
      Timestamp: z.number(),
      CloudWatchMetrics: z
        .array(
          z.object({
            Namespace: z.string(),
            Dimensions: z.array(z.array(z.string())),
            Metrics: z.array(z.object({ Name: z.string(), Unit: z.string() })),
          }),
        )
        .length(1),
    }),
  })
  .catchall(z.unknown());

/** One EMF document, checked for the shape CloudWatch reads. */
export type EmfDocument = z.infer<typeof emfSchema>;

/**
 * Turns metrics on for the calling test file (test/support/env.ts silences them elsewhere),
 * captures stdout in each test, and returns a reader of the EMF documents written so far.
 */
export function captureEmf(): () => EmfDocument[] {
  let written: string[] = [];
  let stdoutSpy: jest.SpyInstance | undefined;
  const previousDisabled = process.env.POWERTOOLS_METRICS_DISABLED;
  beforeAll(() => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  });
  afterAll(() => {
    process.env.POWERTOOLS_METRICS_DISABLED = previousDisabled;
  });
  beforeEach(() => {
    written = [];
    stdoutSpy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    });
  });
  afterEach(() => stdoutSpy?.mockRestore());
  return () =>
    written
      .join('')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => emfSchema.parse(JSON.parse(line)));
}
