import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadReplayConfig } from '../../../shared/replay/cli';
import { ReplayActionError, runScenario } from '../../../shared/replay/run-scenario';
import { parseScenario, parseScenarioText } from '../../../shared/replay/scenario';

const FILE = path.join(__dirname, '..', '..', '..', 'shared', 'replay', 'scenarios', 'slack-ack.json');
const ACKED = 'vigil-dev-high-cpu-api';
const OTHER = 'vigil-dev-high-cpu-checkout';

function load() {
  const scenario = parseScenarioText(readFileSync(FILE, 'utf8'));
  return { scenario, config: loadReplayConfig(scenario.config, FILE) };
}

describe('a Slack click in the replay', () => {
  it('acknowledges at PT12M through the action endpoint, and the 15-minute email escalation never happens', async () => {
    // Arrange
    const { scenario, config } = load();

    // Act
    const result = await runScenario(scenario, { config });

    // Assert: the click went through the endpoint over HTTP and was accepted
    const actions = result.timeline.filter((e) => e.type === 'action');
    expect(actions).toEqual([
      {
        type: 'action',
        at: '2026-11-26T14:12:00.000Z',
        text: `slack click vigil_ack on ${ACKED} by U0ANA (ana) -> 200; message updated, buttons removed`,
      },
    ]);
    // Only the alert nobody acknowledged escalates: email at 15 minutes, SMS at 30.
    const escalations = result.messages.filter((m) => m.reason === 'escalation');
    expect(escalations.map((m) => [m.at, m.channel, m.alerts])).toEqual([
      ['2026-11-26T14:17:00.000Z', 'email', [OTHER]],
      ['2026-11-26T14:32:00.000Z', 'sms', [OTHER]],
    ]);
    expect(result.messages.filter((m) => m.alerts.includes(ACKED)).map((m) => m.channel)).toEqual(['slack']);
  });

  it('stops the replay, naming the action, when no Slack message told of the alarm', async () => {
    // Arrange: the click comes before the first tick told Slack
    const { config } = load();
    const early = parseScenario({
      start: '2026-11-26T14:00:00Z',
      duration: 'PT5M',
      events: [
        {
          at: 'PT1M',
          kind: 'alarm-action',
          alarm: { name: ACKED, state: 'ALARM', value: 91, threshold: 80 },
        },
      ],
      actions: [{ at: 'PT1M', slackClick: { alarmName: ACKED, user: { id: 'U0ANA', name: 'ana' } } }],
    });

    // Act
    const run = runScenario(early, { config });

    // Assert
    await expect(run).rejects.toThrow(ReplayActionError);
    await expect(run).rejects.toThrow(`action slackClick at PT1M: no Slack message told of ${ACKED} firing`);
  });
});
