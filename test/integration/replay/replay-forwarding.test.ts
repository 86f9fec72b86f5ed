import * as path from 'node:path';
import { deriveRuntimeConfig } from '../../../infra/config/derive';
import { loadStageConfig } from '../../../infra/config/stages';
import type { HttpReceiver } from '../../../shared/replay/local-receiver';
import { startHttpReceiver } from '../../../shared/replay/local-receiver';
import { runScenario } from '../../../shared/replay/run-scenario';
import { parseScenarioText } from '../../../shared/replay/scenario';
import { readFileSync } from 'node:fs';

const SCENARIO = path.join(__dirname, '..', '..', 'fixtures', 'scenarios', 'three-alarms-redelivered.json');

function loadScenario() {
  return parseScenarioText(readFileSync(SCENARIO, 'utf8'));
}

describe('replay through the Slack forwarder to a local receiver', () => {
  let receiver: HttpReceiver | undefined;

  afterEach(async () => {
    await receiver?.stop();
    receiver = undefined;
  });

  it('posts every Slack and PagerDuty message once and counts nothing undelivered', async () => {
    // Arrange
    receiver = await startHttpReceiver();
    // Act
    const result = await runScenario(loadScenario(), {
      config: deriveRuntimeConfig(loadStageConfig('dev')),
      forwardTo: receiver.url,
    });
    // Assert
    const forwarded = result.messages.filter((m) => m.channel === 'slack' || m.channel === 'pagerduty');
    expect(receiver.requests.map((p) => p.path)).toEqual(forwarded.map((m) => `/${m.channel}`));
    const slackMessages = result.messages.filter((m) => m.channel === 'slack');
    expect(receiver.requests.filter((p) => p.path === '/slack').map((p) => p.body)).toEqual(
      slackMessages.map((m) => expect.stringContaining(m.alerts[0] ?? '?') as unknown),
    );
    expect(result.summary.undelivered).toBe(0);
    expect(result.forwardedChannels).toEqual(['slack', 'pagerduty']);
  });

  it('counts every message the receiver refuses as undelivered', async () => {
    // Arrange: Slack and PagerDuty are down for the whole incident (Slack: four alerts and the critical's evidence update)
    receiver = await startHttpReceiver({ status: 503, body: 'unavailable' });
    // Act
    const result = await runScenario(loadScenario(), {
      config: deriveRuntimeConfig(loadStageConfig('dev')),
      forwardTo: receiver.url,
    });
    // Assert
    const slackMessages = result.messages.filter((m) => m.channel === 'slack');
    expect(slackMessages).toHaveLength(6);
    // Slack's six and the error-rate critical's page and resolve on PagerDuty.
    expect(result.messages.filter((m) => m.channel === 'pagerduty')).toHaveLength(2);
    expect(result.summary.undelivered).toBe(8);
    expect(
      result.timeline.flatMap((e) =>
        e.type === 'message' && e.message.channel === 'slack' ? [e.delivery] : [],
      ),
    ).toEqual(Array.from({ length: 6 }, () => 'undelivered'));
  });
});
