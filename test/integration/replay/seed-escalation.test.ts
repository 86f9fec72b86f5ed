import { deriveRuntimeConfig } from '../../../infra/config/derive';
import { loadStageConfig } from '../../../infra/config/stages';
import type { Severity } from '../../../shared/domain/alert';
import type { RuntimeConfig } from '../../../shared/domain/runtime-config';
import type { ReplayMessage, ReplayResult } from '../../../shared/replay/run-scenario';
import { runScenario } from '../../../shared/replay/run-scenario';
import { parseScenarioText } from '../../../shared/replay/scenario';

jest.setTimeout(120_000);

const ECS = (stage: string, service: string) => ({ ClusterName: `dokkerr-${stage}`, ServiceName: service });

/** Memory of the service, flat at `percent` over the minutes before the alarm. */
function memoryAt(stage: string, service: string, percent: number) {
  return {
    metric: 'memory_usage',
    dimensions: ECS(stage, service),
    points: ['PT1M', 'PT2M', 'PT3M', 'PT4M', 'PT5M'].map((at) => [at, percent]),
  };
}

/** Replays one alarm firing at +5m (the only event) and returns the messages of the first minutes. */
async function replayOne(
  config: RuntimeConfig,
  alarm: string,
  metrics: readonly unknown[] = [],
): Promise<ReplayResult> {
  const scenario = parseScenarioText(
    JSON.stringify({
      start: '2026-11-26T09:00:00Z',
      // Long enough for group_wait and the tick, too short for any escalation step.
      duration: 'PT8M',
      scheduledRules: [],
      metrics,
      events: [{ at: 'PT5M', kind: 'alarm-action', alarm: { name: alarm, state: 'ALARM', value: 97 } }],
    }),
  );
  return runScenario(scenario, { config });
}

/** What the alarm handler said it did with each delivered event. */
function outcomes(result: ReplayResult): string[] {
  return result.timeline.flatMap((e) => (e.type === 'event' ? e.outcomes : []));
}

function channelsBySeverity(messages: readonly ReplayMessage[]): string[] {
  return messages.map((m) => `${m.severity} ${m.channel}`).sort();
}

/** The runtime config of a stage with one rule's severity set, to replay that rule at a severity it can take. */
function withRuleSeverity(stage: string, ruleId: string, severity: Severity): RuntimeConfig {
  const config = deriveRuntimeConfig(loadStageConfig(stage));
  const rule = config.rules[ruleId];
  if (rule === undefined) throw new Error(`no rule ${ruleId}`);
  return { ...config, rules: { ...config.rules, [ruleId]: { ...rule, severity } } };
}

describe.each(['dev', 'prod'])('the seed escalation map, replayed in %s', (stage) => {
  // The seed: every rule's warnings to Slack; criticals to the rule's own channels.
  const cases: [string, string, Severity, string[]][] = [
    ['high-cpu', 'api', 'warning', ['slack']],
    ['high-cpu', 'api', 'critical', ['email', 'slack', 'sms']],
    ['high-error-rate', 'checkout', 'warning', ['slack']],
    ['high-error-rate', 'checkout', 'critical', ['email', 'pagerduty', 'slack']],
    ['slow-queries', 'checkout', 'warning', ['slack']],
    ['slow-queries', 'checkout', 'critical', ['email', 'slack']],
  ];

  it.each(cases)('%s on %s as %s reaches exactly %j', async (ruleId, service, severity, channels) => {
    // Arrange
    const config = withRuleSeverity(stage, ruleId, severity);
    const alarm = `vigil-${stage}-${ruleId}-${service}`;
    // Act
    const { messages } = await replayOne(config, alarm);
    // Assert: the pages reach exactly the seed's channels; a critical's incident evidence follows
    // on the paged channels that carry it (Slack and email), never on a channel of its own
    expect(messages.every((m) => m.alerts.join() === alarm && m.status === 'firing')).toBe(true);
    const pages = messages.filter((m) => m.reason !== 'evidence');
    expect(channelsBySeverity(pages)).toEqual(channels.map((c) => `${severity} ${c}`));
    const evidence = messages.filter((m) => m.reason === 'evidence').map((m) => m.channel);
    expect(evidence.every((c) => channels.includes(c) && (c === 'slack' || c === 'email'))).toBe(true);
  });
});

describe('high CPU severity from memory (the seed rule severity ladder)', () => {
  const config = deriveRuntimeConfig(loadStageConfig('dev'));
  const alarm = 'vigil-dev-high-cpu-api';

  it('pages as critical on Slack, email and SMS when memory is at 95 %', async () => {
    // Arrange
    const metrics = [memoryAt('dev', 'api', 95)];
    // Act
    const result = await replayOne(config, alarm, metrics);
    // Assert
    const messages = result.messages.filter((m) => m.reason !== 'evidence');
    expect(channelsBySeverity(messages)).toEqual(['critical email', 'critical slack', 'critical sms']);
    expect(outcomes(result)).toEqual(['fired (critical: memory_usage = 95 > 90)']);
    expect(messages.every((m) => m.at === '2026-11-26T09:05:00.000Z')).toBe(true);
  });

  it('is a warning on Slack only when memory is at 40 %', async () => {
    // Arrange
    const metrics = [memoryAt('dev', 'api', 40)];
    // Act
    const result = await replayOne(config, alarm, metrics);
    // Assert
    expect(channelsBySeverity(result.messages)).toEqual(['warning slack']);
    expect(outcomes(result)).toEqual([
      "fired (warning, the rule's own: no level holds: memory_usage = 40, not > 90)",
    ]);
  });

  it('keeps the rule its own warning when memory has no datapoint', async () => {
    // Arrange / Act
    const result = await replayOne(config, alarm, []);
    // Assert
    expect(channelsBySeverity(result.messages)).toEqual(['warning slack']);
    expect(outcomes(result)).toEqual([
      expect.stringMatching(/^fired \(warning, the rule's own: .*memory_usage/),
    ]);
  });
});
