import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { runReplayCaptured } from '../../support/replay-cli';

const ROOT = path.join(__dirname, '..', '..', '..');
const SCENARIOS = path.join(ROOT, 'test', 'fixtures', 'scenarios');
const CRITICAL = 'vigil-dev-high-error-rate-checkout';
const WARNING_DB = 'vigil-dev-slow-queries-api';
const WARNING_CPU = 'vigil-dev-high-cpu-realtime';

const messageLine = z.strictObject({
  at: z.string(),
  channel: z.enum(['slack', 'email', 'sms', 'pagerduty']),
  status: z.enum(['firing', 'resolved']),
  severity: z.string(),
  groupKey: z.string(),
  alerts: z.array(z.string()),
  resolved: z.array(z.string()),
  reason: z.enum(['alert', 'group', 'repeat', 'escalation', 'digest', 'evidence']).nullable(),
  text: z.string(),
});
const summaryLine = z.strictObject({
  summary: z.strictObject({
    notifications: z.record(z.string(), z.number()),
    alertsFiring: z.number(),
    alertsResolved: z.number(),
    undelivered: z.number(),
  }),
});
type MessageLine = z.infer<typeof messageLine>;

const simulate = runReplayCaptured;

async function simulateJson(file: string) {
  const out = await simulate(file, '--json');
  expect(out).toMatchObject({ code: 0, stderr: '' });
  const lines = out.stdout.trimEnd().split('\n');
  const last = lines.pop();
  return {
    messages: lines.map((line) => messageLine.parse(JSON.parse(line))),
    summary: summaryLine.parse(JSON.parse(last ?? '')).summary,
  };
}

function writeScenario(scenario: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-replay-'));
  const file = path.join(dir, 'scenario.json');
  writeFileSync(file, JSON.stringify(scenario));
  return file;
}

function perChannel(messages: readonly MessageLine[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const m of messages) (out[m.channel] ??= []).push(`${m.status} ${m.alerts.join(',')}`);
  for (const list of Object.values(out)) list.sort();
  return out;
}

describe('scenario replay through the real handlers on dynalite', () => {
  it('redelivered and out-of-order alarm events notify each channel exactly once per change', async () => {
    // Act
    const { messages: all, summary } = await simulateJson(
      path.join(SCENARIOS, 'three-alarms-redelivered.json'),
    );
    // The critical's page is followed by one evidence update on Slack and email; the rest are pages.
    const messages = all.filter((m) => m.reason !== 'evidence');
    expect(all.filter((m) => m.reason === 'evidence').map((m) => `${m.channel} ${m.alerts.join()}`)).toEqual([
      `slack ${CRITICAL}`,
      `email ${CRITICAL}`,
    ]);

    // Assert: each channel got exactly the expected notifications
    expect(perChannel(messages)).toEqual({
      slack: [
        `firing ${CRITICAL}`,
        `firing ${WARNING_DB}`,
        `resolved ${WARNING_CPU}`,
        `resolved ${CRITICAL}`,
        `resolved ${WARNING_DB}`,
      ],
      email: [`firing ${CRITICAL}`, `resolved ${CRITICAL}`],
      pagerduty: [`firing ${CRITICAL}`, `resolved ${CRITICAL}`],
    });
    // Assert: no message went out twice
    const identities = messages.map((m) => `${m.channel}|${m.status}|${m.groupKey}|${m.alerts.join(',')}`);
    expect(new Set(identities).size).toBe(identities.length);
    // Assert: every resolve reaches the channels its firing reached
    const channelsOf = (groupKey: string, status: string) =>
      messages
        .filter((m) => m.groupKey === groupKey && m.status === status)
        .map((m) => m.channel)
        .sort();
    for (const groupKey of new Set(messages.filter((m) => m.status === 'firing').map((m) => m.groupKey))) {
      expect(channelsOf(groupKey, 'resolved')).toEqual(channelsOf(groupKey, 'firing'));
    }
    // Assert: the critical carries its severity; times are virtual
    expect(messages.filter((m) => m.alerts.includes(CRITICAL)).map((m) => m.severity)).toEqual(
      Array.from({ length: 6 }, () => 'critical'),
    );
    expect(
      messages.every((m) => m.at >= '2026-11-26T09:00:00.000Z' && m.at <= '2026-11-26T09:40:00.000Z'),
    ).toBe(true);
    // Assert: the summary matches the lines
    expect(summary).toEqual({
      notifications: { slack: 6, email: 3, sms: 0, pagerduty: 2 },
      alertsFiring: 0,
      alertsResolved: 3,
      undelivered: 0,
    });
  });

  it('an acknowledgement stops the escalation of an unacknowledged warning', async () => {
    // Arrange
    const base = {
      start: '2026-11-26T09:00:00Z',
      duration: 'PT40M',
      events: [{ at: 'PT2M', kind: 'alarm-action', alarm: { name: WARNING_DB, state: 'ALARM' } }],
    };
    const unacknowledged = writeScenario(base);
    const acknowledged = writeScenario({
      ...base,
      actions: [{ at: 'PT5M', ack: { alarmName: WARNING_DB, by: 'ana' } }],
    });

    // Act
    const without = await simulateJson(unacknowledged);
    const withAck = await simulateJson(acknowledged);

    // Assert
    expect(perChannel(without.messages)['email']).toEqual([`firing ${WARNING_DB}`]);
    expect(perChannel(withAck.messages)).toEqual({ slack: [`firing ${WARNING_DB}`] });
    expect(withAck.summary.alertsFiring).toBe(1);
  });

  it('a silence keeps matching alerts from every channel and lets the others through', async () => {
    // Arrange
    const file = writeScenario({
      start: '2026-11-26T09:00:00Z',
      duration: 'PT30M',
      actions: [{ at: 'PT0S', silence: { matchers: ['service="checkout"'], duration: 'PT1H', by: 'ana' } }],
      events: [
        { at: 'PT1M', kind: 'alarm-action', alarm: { name: CRITICAL, state: 'ALARM' } },
        { at: 'PT2M', kind: 'alarm-action', alarm: { name: WARNING_DB, state: 'ALARM' } },
        { at: 'PT10M', kind: 'alarm-action', alarm: { name: CRITICAL, state: 'OK' } },
      ],
    });

    // Act
    const { messages } = await simulateJson(file);

    // Assert
    expect(messages.filter((m) => m.alerts.includes(CRITICAL))).toEqual([]);
    expect(perChannel(messages)['slack']).toEqual([`firing ${WARNING_DB}`]);
  });

  it('an action the pipeline refuses fails the replay loudly, naming the action and its time', async () => {
    // Arrange: acknowledging an alarm that never fired
    const file = writeScenario({
      start: '2026-11-26T09:00:00Z',
      duration: 'PT30M',
      actions: [{ at: 'PT10M', ack: { alarmName: 'vigil-dev-high-cpu-api', by: 'ana' } }],
      events: [],
    });

    // Act
    const out = await simulate(file, '--json');

    // Assert
    expect(out.code).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/^simulate: action ack at PT10M: alert \S+ does not exist\n$/);
  });

  it('npm start replays the bundled demo and ends with what each part showed', async () => {
    // Arrange
    const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');

    // Act
    const { stdout } = await promisify(execFile)(
      tsx,
      ['shared/replay/cli.ts', 'shared/replay/scenarios/demo.json'],
      { cwd: ROOT },
    );

    // Assert: the timeline
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^vigil replay: shared\/replay\/scenarios\/demo\.json/);
    expect(lines).toContain(
      'TIME      DIR CHANNEL   STATUS   SEVERITY ALERTS                               TEXT',
    );
    expect(lines).toContain(
      '14:06:00  <- alarm-action: vigil-dev-high-cpu-api ALARM -> fired (critical: memory_usage = 95 > 90)',
    );
    expect(lines.some((l) => /^14:06:00 {2}-> sms +firing +critical +vigil-dev-high-cpu-api/.test(l))).toBe(
      true,
    );
    expect(lines.some((l) => / -> duplicate$/.test(l))).toBe(true);
    expect(lines).toContain(
      '14:27:00  <- eventbridge x32 until 14:27:56: dokkerr-dev-worker-00-heartbeat .. dokkerr-dev-worker-31-heartbeat ALARM -> fired (each)',
    );
    expect(stdout).toContain('alerts at the end: 0 firing, 36 resolved');
    expect(stdout).toContain('dead-lettered events: 0; failed invocations: 0');
    // Assert: the recap names each part and what it showed
    const recap = stdout.slice(stdout.indexOf('What this run showed'));
    expect(recap).toMatch(/^Storm: 32 alarms told in 2 digest message\(s\) \(slack 2\)/m);
    expect(recap).toContain('0 message(s) about them outside the digests');
    expect(recap).toContain(
      '  paged first: slack 14:06, email 14:06, sms 14:06; evidence after it: slack 14:06, email 14:06',
    );
    expect(recap).toMatch(/^ {2}metrics ok: cpu_usage/m);
    expect(recap).toMatch(/^ {2}logs ok: newest 3 error lines/m);
    expect(recap).toMatch(/^ {2}traces ok: 2 traces/m);
    expect(recap).toContain(
      'escalation messages for it after the ack: 0; unacknowledged alerts escalated meanwhile: vigil-dev-slow-queries-checkout to email at 14:23',
    );
    expect(recap).toContain(
      'matched vigil-dev-high-cpu-realtime;\n  2 alarm event(s) for them while it held, 0 message(s)',
    );
    expect(recap).toContain('3 of 3 alerts told firing were told resolved on every channel that heard them');
  });
});
