import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { deriveRuntimeConfig } from '../../infra/config/derive';
import { loadStageConfig } from '../../infra/config/stages';
import type { Log } from '../../shared/domain/ports';
import type { RuntimeConfig } from '../../shared/domain/runtime-config';

/** Reads a JSON fixture under test/fixtures. */
export function fixture(relative: string): unknown {
  return JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', relative), 'utf8')) as unknown;
}

/** The dev stage's runtime config, as the Lambdas get it. */
export function devRuntimeConfig(): RuntimeConfig {
  return deriveRuntimeConfig(loadStageConfig('dev'));
}

/** A Log that records lines for assertions. */
export function recordingLog(): Log & {
  lines: { level: string; message: string; extra?: Record<string, unknown> }[];
} {
  const lines: { level: string; message: string; extra?: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, extra?: Record<string, unknown>) => {
    lines.push({ level, message, extra });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A metric-alarm action event for a stack alarm, in the real Lambda alarm-action shape. */
export function alarmActionEvent(
  alarmName: string,
  state: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA',
  timestamp: string,
  previous: { state: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA'; timestamp: string } = {
    state: state === 'ALARM' ? 'OK' : 'ALARM',
    timestamp: '2023-08-04T12:00:00.000+0000',
  },
): Record<string, unknown> {
  return {
    source: 'aws.cloudwatch',
    alarmArn: `arn:aws:cloudwatch:eu-west-1:111122223333:alarm:${alarmName}`,
    accountId: '111122223333',
    time: timestamp,
    region: 'eu-west-1',
    alarmData: {
      alarmName,
      state: {
        value: state,
        reason: `Threshold Crossed: 1 out of the last 1 datapoints [91.5 (04/08/23 12:35:00)] was ${state === 'ALARM' ? '' : 'not '}greater than the threshold (80.0).`,
        reasonData: JSON.stringify({
          version: '1.0',
          statistic: 'Average',
          period: 60,
          recentDatapoints: [91.5],
          threshold: 80,
        }),
        timestamp,
      },
      previousState: { value: previous.state, reason: 'previous', timestamp: previous.timestamp },
      configuration: { description: `${alarmName} description`, metrics: [] },
    },
  };
}
