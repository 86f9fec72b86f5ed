import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { deriveRuntimeConfig } from '../../../infra/config/derive';
import { loadStageConfig } from '../../../infra/config/stages';
import type { ReplayMessage, ReplayResult } from '../../../shared/replay/run-scenario';
import { runScenario } from '../../../shared/replay/run-scenario';
import { parseScenarioText, ScenarioError } from '../../../shared/replay/scenario';

const DIR = path.join(__dirname, '..', '..', 'fixtures', 'scenarios', 'scheduled');
const config = deriveRuntimeConfig(loadStageConfig('dev'));

function replay(name: string): Promise<ReplayResult> {
  return runScenario(parseScenarioText(readFileSync(path.join(DIR, `${name}.json`), 'utf8')), { config });
}

const brief = (m: ReplayMessage): string => `${m.at.slice(11, 16)} ${m.channel} ${m.status} ${m.severity}`;

describe('scheduled rules in the replay', () => {
  it('pends for the rule\'s "for", then fires; resolves keep_firing_for after the last breach', async () => {
    // Act
    const result = await replay('pending-then-firing');
    // Assert
    const pending = (result.evaluations ?? [])
      .filter((e) => (e.phases.pending ?? 0) > 0)
      .map((e) => e.at.slice(11, 16));
    expect(pending).toEqual(['14:06', '14:07']);
    expect(result.messages.map(brief)).toEqual([
      '14:09 slack firing warning',
      '14:20 slack resolved warning',
    ]);
    expect(result.messages[0]?.alerts).toEqual(['vigil-dev-errors-under-traffic-checkout']);
    expect(result.messages[0]?.text).toContain('Error rate above 5%');
  });

  it('holds a flapping rule with keep_firing_for: one firing, one resolve', async () => {
    // Act
    const result = await replay('keep-firing-flapping');
    // Assert
    const held = (result.evaluations ?? []).filter((e) => (e.phases.held ?? 0) > 0);
    expect(held.length).toBeGreaterThan(2);
    expect(result.messages.map(brief)).toEqual([
      '14:09 slack firing warning',
      '14:22 slack resolved warning',
    ]);
  });

  it('raises the severity when the related metric breaches, re-routes, falls back, and resolves everywhere told', async () => {
    // Act
    const result = await replay('severity-ladder');
    // Assert
    expect(result.messages.map(brief)).toEqual([
      '14:07 slack firing warning',
      // memory above 90% while CPU is above 80%: the critical route pages at once
      '14:13 slack firing critical',
      '14:13 email firing critical',
      '14:13 sms firing critical',
      // the incident responder's evidence update follows the page on Slack and email
      '14:13 slack firing critical',
      '14:13 email firing critical',
      // memory recovered: warning again, on the warning route (whose escalation then reaches email)
      '14:19 slack firing warning',
      '14:22 email firing warning',
      // CPU recovered at 14:25 and keep_firing_for 2m ran out: every channel that was told hears it
      '14:27 slack resolved warning',
      '14:27 email resolved warning',
      '14:27 sms resolved warning',
      '14:27 slack resolved warning',
      '14:27 email resolved warning',
    ]);
    expect(new Set(result.messages.map((m) => m.alerts.join()))).toEqual(
      new Set(['vigil-dev-cpu-memory-pressure-checkout']),
    );
  });

  it('fires a burn-rate rule on a fast burn (critical pages) and stays quiet on a slow one', async () => {
    // Act
    const fast = await replay('burn-rate-fast');
    const slow = await replay('burn-rate-slow');
    // Assert
    expect(fast.messages.map(brief)).toEqual([
      '14:13 slack firing warning',
      '14:15 slack firing critical',
      '14:15 email firing critical',
      // The SLO burn pages as the error-rate rule does: PagerDuty, not SMS.
      '14:15 pagerduty firing critical',
      // the evidence update after the page
      '14:15 slack firing critical',
      '14:15 email firing critical',
    ]);
    expect(fast.messages[1]?.text).toMatch(/burning its 99\.9%/);
    expect(slow.messages).toEqual([]);
    expect(slow.evaluations?.every((e) => e.failures.length === 0)).toBe(true);
  });

  it('fires an absence rule once the series stops for 10 minutes, and not for the service still reporting', async () => {
    // Act
    const result = await replay('absence');
    // Assert
    expect(result.messages.map(brief)).toEqual(['14:32 slack firing warning']);
    expect(result.messages[0]?.alerts).toEqual(['vigil-dev-requests-absent-api']);
    expect(result.summary.alertsFiring).toBe(1);
  });

  it('names an unknown scheduled rule of the scenario', async () => {
    // Arrange
    const scenario = parseScenarioText(
      JSON.stringify({
        start: '2026-11-26T14:00:00Z',
        duration: 'PT5M',
        events: [],
        scheduledRules: ['no-such-rule'],
        metrics: [{ metric: 'requests', dimensions: { Service: 'api' }, points: [['PT1M', 1]] }],
      }),
    );
    // Act / Assert
    await expect(runScenario(scenario, { config })).rejects.toThrow(ScenarioError);
    await expect(runScenario(scenario, { config })).rejects.toThrow(/^scheduledRules\[0\]: "no-such-rule"/);
  });
});
