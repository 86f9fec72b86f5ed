// Storm efficiency: what 1,000 transitions (500 alarms firing and resolving, delivered up to 3
// times and out of order) turn into, per channel, with losses and duplicates counted.
import type { Channel } from '../../shared/domain/alert';
import { startDynalite } from '../../shared/replay/local-dynamo';
import { coveredAlarms, runStormScenario } from '../support/storm-scenario';
import type { Figures } from './figures';
import { figureOf } from './figures';

/** Options of {@link runStormBench}. */
export interface StormBenchOptions {
  /** The scenario is seeded, so its counts repeat; runs only confirm that. */
  readonly runs: number;
}

const CHANNELS: readonly Channel[] = ['slack', 'email', 'sms', 'pagerduty'];

/** Runs the storm scenario `runs` times on fresh tables and counts what left the pipeline. */
export async function runStormBench(options: StormBenchOptions): Promise<Figures> {
  const dynalite = await startDynalite();
  const perChannel = new Map<Channel, number[]>(CHANNELS.map((c) => [c, []]));
  const publishes: number[] = [];
  const lost: number[] = [];
  const duplicated: number[] = [];
  try {
    for (let run = 0; run < options.runs; run++) {
      const outcome = await runStormScenario(dynalite.client, `storm-bench-${run}`);
      const per1000 = 1000 / outcome.transitions;
      for (const channel of CHANNELS) {
        perChannel.get(channel)?.push(outcome.sent.filter((s) => s.channel === channel).length * per1000);
      }
      // Each notification on a channel is one SNS Publish on that channel's topic.
      publishes.push(outcome.sent.length * per1000);
      const ids = outcome.sent.map((s) => `${s.channel}|${s.n.id}`);
      duplicated.push(ids.length - new Set(ids).size);
      const named = new Set(outcome.sent.flatMap((s) => coveredAlarms(s, outcome.digests)));
      lost.push(outcome.alarms.filter((a) => !named.has(a)).length);
    }
  } finally {
    await dynalite.stop();
  }
  const figures: Figures = {};
  for (const channel of CHANNELS) {
    figures[`storm: ${channel} notifications per 1,000 alerts`] = figureOf(
      perChannel.get(channel) ?? [],
      'msgs',
      {
        op: '<=',
        value: 30,
      },
    );
  }
  figures['storm: SNS publishes per 1,000 alerts'] = figureOf(publishes, 'publishes');
  figures['storm: alerts lost'] = figureOf(lost, 'alerts', { op: '<=', value: 0 });
  figures['storm: notifications duplicated'] = figureOf(duplicated, 'msgs', { op: '<=', value: 0 });
  return figures;
}
