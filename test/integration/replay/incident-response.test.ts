import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadReplayConfig } from '../../../shared/replay/cli';
import { runScenario } from '../../../shared/replay/run-scenario';
import { parseScenarioText } from '../../../shared/replay/scenario';

jest.setTimeout(60_000);

const FILE = path.join(
  __dirname,
  '..',
  '..',
  '..',
  'shared',
  'replay',
  'scenarios',
  'incident-response.json',
);
const ALARM = 'vigil-dev-high-error-rate-checkout';

async function replay() {
  const scenario = parseScenarioText(readFileSync(FILE, 'utf8'));
  const config = loadReplayConfig(scenario.config, FILE);
  return { scenario, result: await runScenario(scenario, { config }) };
}

describe('incident response replay', () => {
  it('opens one incident with evidence, records a dry-run mitigation, and MTTA/MTTR follow the scenario clock', async () => {
    // Arrange / Act
    const { scenario, result } = await replay();
    // Assert
    expect(result.incidents).toHaveLength(1);
    const incident = result.incidents?.[0];
    const ackAction = scenario.actions[0];
    const resolveEvent = scenario.events[1];
    const openEvent = scenario.events[0];
    if (!incident || !ackAction || !resolveEvent || !openEvent) throw new Error('scenario changed shape');
    expect(incident).toMatchObject({
      service: 'checkout',
      severity: 'critical',
      status: 'resolved',
      openedAt: '2026-11-26T14:10:00.000Z',
      acknowledgedAt: '2026-11-26T14:17:00.000Z',
      acknowledgedBy: 'alice',
      resolvedAt: '2026-11-26T14:29:00.000Z',
    });
    // MTTA and MTTR as published equal the scenario's own offsets (ack +7m, resolve +19m).
    expect(incident.mttaSeconds).toBe((ackAction.at - openEvent.at) / 1000);
    expect(incident.mttrSeconds).toBe((resolveEvent.at - openEvent.at) / 1000);
    expect([incident.mttaSeconds, incident.mttrSeconds]).toEqual([420, 1140]);
    expect(
      incident.timeline.map((e) => `${e.at.slice(11, 19)} ${e.kind}${e.channel ? ` ${e.channel}` : ''}`),
    ).toEqual([
      '14:10:00 opened',
      '14:10:00 notified slack',
      '14:10:00 notified email',
      '14:10:00 notified pagerduty',
      '14:10:00 diagnostics',
      '14:10:00 evidence-sent slack',
      '14:10:00 evidence-sent email',
      '14:10:00 mitigation-started',
      '14:10:00 mitigation-finished',
      '14:17:00 acknowledged',
      '14:29:00 resolved',
    ]);
    const mitigation = incident.timeline.find((e) => e.kind === 'mitigation-finished');
    expect(mitigation).toMatchObject({
      outcome: 'dry-run',
      detail:
        'would run SSM Automation vigil-dev-restart-ecs-service (ClusterName=dokkerr-dev ServiceName=checkout)',
    });
    expect(incident.timeline.find((e) => e.kind === 'acknowledged')).toMatchObject({
      by: 'alice',
      detail: `alert ${ALARM}`,
    });
  });

  it('attaches metrics, logs and traces from the scenario to the incident', async () => {
    // Arrange / Act
    const { result } = await replay();
    // Assert
    const diagnostics = result.incidents?.[0]?.diagnostics;
    expect(diagnostics).toMatchObject({
      from: Date.parse('2026-11-26T13:40:00Z'),
      until: Date.parse('2026-11-26T14:10:00Z'),
      metrics: { status: 'ok' },
      logs: { status: 'ok' },
      traces: { status: 'ok' },
    });
    expect(diagnostics?.metrics.summary).toBe(
      'error_rate 11.9 % (min 0.42, max 11.9, rising); response_time 1250 ms (min 175, max 1250, rising); request_rate 21 Count/Second (min 19.67, max 21, flat)',
    );
    expect(diagnostics?.logs.summary).toBe(
      [
        'newest 3 error lines:',
        '14:09:30 FATAL connection pool exhausted (50/50 in use)',
        '14:09:00 ERROR payment gateway timeout after 3000 ms',
        '14:08:00 ERROR payment gateway timeout after 3000 ms',
        '(trace 1-6745f0e0-0123456789abcdef01234567)',
      ].join('\n'),
    );
    expect(diagnostics?.traces.summary).toBe(
      '2 traces: 2 with faults, 0 with errors; slowest 3.02 s, e.g. POST https://checkout.dokkerr.example/orders 504',
    );
    expect(diagnostics?.traces.links.map((l) => l.label)).toEqual([
      'trace 1-6745f114-89abcdef0123456789abcdef',
      'trace 1-6745f0e0-0123456789abcdef01234567',
      'all matching traces',
    ]);
  });

  it('pages first; the evidence update follows on Slack and email only and names the page', async () => {
    // Arrange / Act
    const { result } = await replay();
    // Assert
    const order = result.messages.map((m) => `${m.channel} ${m.reason ?? ''} ${m.status}`);
    const firstEvidence = order.findIndex((m) => m.includes(' evidence '));
    const pages = order.slice(0, firstEvidence);
    expect(pages).toEqual(
      expect.arrayContaining(['slack alert firing', 'email alert firing', 'pagerduty alert firing']),
    );
    const evidence = result.messages.filter((m) => m.reason === 'evidence');
    expect(evidence.map((m) => m.channel)).toEqual(['slack', 'email']);
    for (const m of evidence) expect(m.at).toBe('2026-11-26T14:10:00.000Z');
    expect(evidence.map((m) => m.text)).toEqual([
      '🔎 Evidence for the page: checkout: Error rate above 5%',
      '[EVIDENCE] checkout: Error rate above 5%',
    ]);
  });

  it('pages once per channel despite the duplicate delivery, and resolves on the same channels', async () => {
    // Arrange / Act
    const { result } = await replay();
    // Assert: page and resolve on each paged channel, plus one evidence update on Slack and email;
    // PagerDuty hears the page, alice's acknowledgement (same dedup_key) and the resolve
    expect(result.summary.notifications).toEqual({ slack: 3, email: 3, sms: 0, pagerduty: 3 });
    expect(result.timeline.filter((e) => e.type === 'event').flatMap((e) => e.outcomes)).toEqual([
      'fired',
      'duplicate',
      'resolved',
    ]);
  });
});
