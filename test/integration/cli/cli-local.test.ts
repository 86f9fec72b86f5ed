import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DynamoIncidentStore } from '../../../shared/adapters/dynamo-incident-store';
import { sdkDocTable } from '../../../shared/adapters/dynamo-sdk-table';
import { runVigil } from '../../../shared/cli/main';
import type { Incident } from '../../../shared/domain/incident';
import { startDynalite } from '../../../shared/replay/local-dynamo';
import { localStatePaths } from '../../../shared/replay/local-state';

const ROOT = path.resolve(__dirname, '../../..');
const SCENARIO = path.join(ROOT, 'shared/replay/scenarios/ongoing.json');
// The scenario runs 14:00-14:20 virtual time; the CLI's clock on the state is its end.
const END = Date.parse('2026-11-26T14:20:00Z');
const ERROR_RATE = 'vigil-dev-high-error-rate-checkout';

let dir: string;

interface Run {
  code: number;
  out: string;
  err: string[];
}

async function vigil(...argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runVigil(argv, {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(...s.split('\n').filter(Boolean)),
    env: {},
  });
  return { code, out: out.join(''), err };
}

async function local(...argv: string[]): Promise<Run> {
  return vigil('--local', dir, ...argv);
}

function parsed<T>(run: Run): T {
  expect(run.err).toEqual([]);
  expect(run.code).toBe(0);
  return JSON.parse(run.out) as T;
}

function expectOneLineFailure(run: Run, code: number, reason: RegExp): void {
  expect(run.code).toBe(code);
  expect(run.err).toHaveLength(1);
  expect(run.err[0]).toMatch(/^vigil: /);
  expect(run.err[0]).toMatch(reason);
}

function incident(id: string, openedAt: number, extra: Partial<Incident> = {}): Incident {
  return {
    id,
    title: `checkout error rate above 5% (${id})`,
    service: 'checkout',
    severity: 'critical',
    status: 'open',
    labels: { service: 'checkout', team: 'payments' },
    ruleId: 'high-error-rate',
    alerts: ['53ca53ea0c5f6e1ad362'],
    openedAt,
    timeline: [{ at: openedAt, kind: 'opened', by: 'vigil', alert: '53ca53ea0c5f6e1ad362' }],
    version: 0,
    ...extra,
  };
}

async function seedIncidents(): Promise<void> {
  const meta = JSON.parse(readFileSync(localStatePaths(dir).meta, 'utf8')) as { table: string };
  const dynamo = await startDynalite({ path: localStatePaths(dir).dynamo });
  try {
    const doc = sdkDocTable(dynamo.client);
    const store = new DynamoIncidentStore(doc, { tableName: meta.table, retentionDays: 30 });
    const opened = Date.parse('2026-11-26T14:01:00Z');
    await store.put(
      incident('inc-open', opened, {
        acknowledgedAt: opened + 4 * 60_000,
        acknowledgedBy: 'ana',
        diagnostics: {
          collectedAt: opened + 20_000,
          from: opened - 15 * 60_000,
          until: opened,
          metrics: {
            status: 'ok',
            summary: 'error_rate 7.2 % (p95 over 15 min: 6.8 %)',
            links: [],
            tookMs: 40,
          },
          logs: { status: 'timeout', summary: 'log search timed out after 2000 ms', links: [], tookMs: 2000 },
          traces: {
            status: 'ok',
            summary: '3 traces with faults in POST /orders',
            links: [{ label: 'trace 1-abc', url: 'https://console.aws.amazon.com/xray/home#/traces/1-abc' }],
            tookMs: 55,
          },
        },
        timeline: [
          { at: opened, kind: 'opened', by: 'vigil', alert: '53ca53ea0c5f6e1ad362' },
          { at: opened + 1000, kind: 'notified', by: 'vigil', channel: 'sms', detail: 'paged on-call' },
          {
            at: opened + 20_000,
            kind: 'diagnostics',
            by: 'vigil',
            detail: 'metrics ok, logs timeout, traces ok',
          },
          { at: opened + 4 * 60_000, kind: 'acknowledged', by: 'ana' },
          {
            at: opened + 5 * 60_000,
            kind: 'mitigation-finished',
            by: 'vigil',
            outcome: 'dry-run',
            detail: 'restart checkout tasks',
          },
        ],
      }),
      undefined,
    );
    await store.put(
      incident('inc-old', opened - 3 * 3600_000, {
        status: 'resolved',
        resolvedAt: opened - 2 * 3600_000,
        timeline: [{ at: opened - 3 * 3600_000, kind: 'opened', by: 'vigil' }],
      }),
      undefined,
    );
    await store.put(incident('inc-last-week', opened - 7 * 86_400_000), undefined);
  } finally {
    await dynamo.stop();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'vigil-cli-'));
  const run = await vigil('simulate', SCENARIO, '--capture-only', '--state', dir);
  expect(run.err).toEqual([]);
  expect(run.code).toBe(0);
  await seedIncidents();
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface AlertJson {
  fingerprint: string;
  alarmName: string;
  status: string;
  severity: string;
  service: string;
  ack?: { by: string; at: string };
  notified: string[];
  silencedBy?: string[];
  groups?: { key: string; told: string[] }[];
}

describe('vigil against a replay state', () => {
  it('keeps the replay state on disk: what the run was, and every message it sent', () => {
    // Act
    const meta = JSON.parse(readFileSync(localStatePaths(dir).meta, 'utf8')) as Record<string, unknown>;
    const messages = readFileSync(localStatePaths(dir).messages, 'utf8').trim().split('\n');
    // Assert
    expect(meta).toMatchObject({
      format: 1,
      stage: 'dev',
      scenario: SCENARIO,
      start: '2026-11-26T14:00:00.000Z',
      end: new Date(END).toISOString(),
      config: expect.objectContaining({ stage: 'dev' }),
    });
    expect(messages.length).toBeGreaterThan(0);
    expect(JSON.parse(messages[0] ?? '{}')).toMatchObject({ channel: 'slack', status: 'firing' });
  });

  it('refuses to replay into a directory that already holds a state', async () => {
    // Act
    const run = await vigil('simulate', SCENARIO, '--capture-only', '--state', dir);
    // Assert
    expectOneLineFailure(run, 2, /already holds a replay state/);
  });

  it('alerts list --json: the firing alerts, most severe first', async () => {
    // Act
    const doc = parsed<{ at: string; alerts: AlertJson[]; truncated: boolean }>(
      await local('alerts', 'list', '--json'),
    );
    // Assert
    expect(doc.at).toBe(new Date(END).toISOString());
    expect(doc.alerts.map((a) => [a.alarmName, a.status, a.severity])).toEqual([
      [ERROR_RATE, 'firing', 'critical'],
      ['vigil-dev-slow-queries-checkout', 'firing', 'warning'],
      ['vigil-dev-high-cpu-api', 'firing', 'warning'],
    ]);
    expect(doc.alerts[2]?.ack?.by).toBe('ana');
    expect(doc.truncated).toBe(false);
  });

  it('alerts list filters by status, service and severity', async () => {
    // Act
    const resolved = parsed<{ alerts: AlertJson[] }>(
      await local('alerts', 'list', '--status', 'resolved', '--service', 'realtime', '--json'),
    );
    const critical = parsed<{ alerts: AlertJson[] }>(
      await local('alerts', 'list', '--severity', 'critical', '--json'),
    );
    const none = parsed<{ alerts: AlertJson[] }>(
      await local('alerts', 'list', '--service', 'nowhere', '--json'),
    );
    // Assert
    expect(resolved.alerts.map((a) => a.alarmName)).toEqual(['vigil-dev-high-cpu-realtime']);
    expect(critical.alerts.map((a) => a.alarmName)).toEqual([ERROR_RATE]);
    expect(none.alerts).toEqual([]);
  });

  it('alerts list prints an aligned table by default', async () => {
    // Act
    const run = await local('alerts', 'list');
    // Assert
    expect(run.code).toBe(0);
    const lines = run.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^STATUS\s+SEVERITY\s+SERVICE\s+ALARM\s+STARTED\s+FOR\s+ACK\/SILENCE\s+FINGERPRINT\s+SUMMARY$/,
    );
    expect(lines).toHaveLength(4);
    const alarmColumn = lines[0]?.indexOf('ALARM');
    expect(lines.slice(1).map((l) => l.indexOf('vigil-dev-'))).toEqual([
      alarmColumn,
      alarmColumn,
      alarmColumn,
    ]);
    expect(lines[1]).toContain('2026-11-26T14:01:00Z  19m');
  });

  it('alerts show by alarm name: silences in force and the groups that told people', async () => {
    // Act
    const slow = parsed<{ alert: AlertJson }>(
      await local('alerts', 'show', 'vigil-dev-slow-queries-checkout', '--json'),
    );
    const cpu = parsed<{ alert: AlertJson }>(
      await local('alerts', 'show', 'vigil-dev-high-cpu-api', '--json'),
    );
    const human = await local('alerts', 'show', cpu.alert.fingerprint);
    // Assert
    expect(slow.alert.silencedBy).toEqual(['replay-silence-1']);
    expect(cpu.alert.groups?.[0]?.told).toEqual(['slack']);
    expect(human.out).toMatch(/^alert: +vigil-dev-high-cpu-api \(/);
    expect(human.out).toMatch(/acknowledged: +by ana at 2026-11-26T14:05:00Z/);
  });

  it('alerts show of an unknown alert exits 3 with one line', async () => {
    // Act
    const run = await local('alerts', 'show', 'vigil-dev-no-such-alarm');
    // Assert
    expectOneLineFailure(run, 3, /^vigil: alerts show: no alert "vigil-dev-no-such-alarm"/);
    expect(run.out).toBe('');
  });

  it('alerts ack acknowledges a firing alert and refuses a resolved one', async () => {
    // Act
    const acked = parsed<{ action: string; alert: AlertJson }>(
      await local('alerts', 'ack', 'vigil-dev-slow-queries-checkout', '--by', 'cy', '--json'),
    );
    const again = parsed<{ alert: AlertJson }>(
      await local('alerts', 'show', 'vigil-dev-slow-queries-checkout', '--json'),
    );
    const refused = await local('alerts', 'ack', 'vigil-dev-high-cpu-realtime', '--by', 'cy');
    const noBy = await local('alerts', 'ack', 'vigil-dev-slow-queries-checkout');
    // Assert
    expect(acked).toMatchObject({
      action: 'acknowledged',
      alert: { ack: { by: 'cy', at: new Date(END).toISOString() } },
    });
    expect(again.alert.ack?.by).toBe('cy');
    expectOneLineFailure(refused, 4, /^vigil: alerts ack: alert \w+ is resolved, not firing$/);
    expectOneLineFailure(noBy, 2, /^vigil: alerts ack: --by is required$/);
  });

  it('alerts resolve tells every channel that heard the firing, in the local capture', async () => {
    // Arrange
    const before = readFileSync(localStatePaths(dir).messages, 'utf8').trim().split('\n').length;
    // Act
    const doc = parsed<{
      action: string;
      alert: AlertJson;
      published: string[];
      queued: string[];
      incidentResolved?: string;
    }>(
      await local('alerts', 'resolve', ERROR_RATE, '--by', 'ana', '--reason', 'deploy rolled back', '--json'),
    );
    const again = await local('alerts', 'resolve', ERROR_RATE, '--by', 'ana');
    const firing = parsed<{ alerts: AlertJson[] }>(await local('alerts', 'list', '--json'));
    // Assert
    expect(doc).toMatchObject({ action: 'resolved', alert: { status: 'resolved' }, queued: [] });
    expect([...doc.published].sort()).toEqual(['email', 'pagerduty', 'slack']);
    // It was the last firing alert of the checkout incident: the incident resolves with it.
    expect(doc.incidentResolved).toMatch(/^checkout-20261126-1401-[0-9a-f]+$/);
    const lines = readFileSync(localStatePaths(dir).messages, 'utf8').trim().split('\n');
    const added = lines
      .slice(before)
      .map((l) => JSON.parse(l) as { channel: string; status: string; alerts: string[] });
    expect(added.map((m) => [m.channel, m.status, m.alerts])).toEqual(
      expect.arrayContaining([
        ['slack', 'resolved', [ERROR_RATE]],
        ['email', 'resolved', [ERROR_RATE]],
        ['pagerduty', 'resolved', [ERROR_RATE]],
      ]),
    );
    expect(added).toHaveLength(3);
    expectOneLineFailure(again, 4, /not firing/);
    expect(firing.alerts.map((a) => a.alarmName)).not.toContain(ERROR_RATE);
  });

  it('silences add, list and expire', async () => {
    // Act
    const added = parsed<{ silence: { id: string; state: string; endsAt: string; matchers: string[] } }>(
      await local(
        'silences',
        'add',
        '--matcher',
        'service="api"',
        '--matcher',
        'severity=~"warning|info"',
        '--duration',
        '2h',
        '--by',
        'ana',
        '--comment',
        'load test',
        '--json',
      ),
    );
    const id = added.silence.id;
    const listed = parsed<{ silences: { id: string; state: string }[] }>(
      await local('silences', 'list', '--json'),
    );
    const human = await local('silences', 'list');
    const expired = parsed<{ by: string; silence: { state: string } }>(
      await local('silences', 'expire', id, '--by', 'bo', '--json'),
    );
    const afterDefault = parsed<{ silences: { id: string }[] }>(await local('silences', 'list', '--json'));
    const afterAll = parsed<{ silences: { id: string; state: string }[] }>(
      await local('silences', 'list', '--all', '--json'),
    );
    const twice = await local('silences', 'expire', id, '--by', 'bo');
    // Assert
    expect(added.silence).toMatchObject({
      state: 'active',
      endsAt: new Date(END + 2 * 3600_000).toISOString(),
      matchers: ['service="api"', 'severity=~"warning|info"'],
    });
    expect(listed.silences.map((s) => [s.id, s.state])).toEqual([
      ['replay-silence-1', 'active'],
      [id, 'active'],
    ]);
    expect(human.out).toMatch(/^ID\s+STATE\s+MATCHERS\s+STARTS\s+ENDS\s+LEFT\s+BY\s+COMMENT\n/);
    expect(human.out).toContain('2h');
    expect(expired).toMatchObject({ by: 'bo', silence: { state: 'expired' } });
    expect(afterDefault.silences.map((s) => s.id)).toEqual(['replay-silence-1']);
    expect(afterAll.silences.find((s) => s.id === id)).toMatchObject({ state: 'expired', expiredBy: 'bo' });
    expectOneLineFailure(twice, 4, /already ended/);
  });

  it.each([
    [
      ['silences', 'add', '--matcher', 'service', '--duration', '2h', '--by', 'a', '--comment', 'c'],
      /--matcher: "service" is not a matcher/,
    ],
    [
      ['silences', 'add', '--matcher', 'service="a"', '--duration', 'soon', '--by', 'a', '--comment', 'c'],
      /--duration "soon" is not a duration/,
    ],
    [
      ['silences', 'add', '--matcher', 'service="a"', '--duration', '2h', '--by', 'a'],
      /--comment is required/,
    ],
    [['silences', 'add', '--duration', '2h', '--by', 'a', '--comment', 'c'], /--matcher is required/],
    [['silences', 'expire', '--by', 'a'], /<id> is required/],
  ])('silences with bad input exit 2: %p', async (argv, reason) => {
    // Act
    const run = await local(...argv);
    // Assert
    expectOneLineFailure(run, 2, reason);
  });

  it('silences expire of an unknown id exits 3', async () => {
    // Act
    const run = await local('silences', 'expire', 'no-such-silence', '--by', 'ana');
    // Assert
    expectOneLineFailure(run, 3, /silence no-such-silence does not exist/);
  });

  it('incidents list: the last 24h by default, filtered by status', async () => {
    // Act
    const all = parsed<{ incidents: { id: string; status: string; durationSeconds: number }[] }>(
      await local('incidents', 'list', '--json'),
    );
    const open = parsed<{ incidents: { id: string }[] }>(
      await local('incidents', 'list', '--status', 'open', '--json'),
    );
    const week = parsed<{ incidents: { id: string }[] }>(
      await local('incidents', 'list', '--since', '8d', '--json'),
    );
    const human = await local('incidents', 'list');
    // Assert
    // The replay's own critical (checkout error rate) opened a real incident; the hand resolve of
    // that alert above resolved it, as it was the incident's last firing alert.
    const opened = all.incidents.filter((i) => !i.id.startsWith('inc-'));
    expect(opened.map((i) => [i.id.replace(/-[0-9a-f]+$/, ''), i.status])).toEqual([
      ['checkout-20261126-1401', 'resolved'],
    ]);
    const seeded = (list: { id: string }[]): string[] =>
      list.map((i) => i.id).filter((id) => id.startsWith('inc-'));
    expect(all.incidents.filter((i) => i.id.startsWith('inc-')).map((i) => [i.id, i.status])).toEqual([
      ['inc-open', 'open'],
      ['inc-old', 'resolved'],
    ]);
    expect(all.incidents.find((i) => i.id === 'inc-open')?.durationSeconds).toBe(19 * 60);
    expect(open.incidents.map((i) => i.id)).toEqual(['inc-open']);
    expect(seeded(week.incidents)).toEqual(['inc-open', 'inc-old', 'inc-last-week']);
    expect(human.out.split('\n')[0]).toMatch(
      /^ID\s+STATUS\s+SEVERITY\s+SERVICE\s+OPENED\s+FOR\s+ACK\s+ALERTS\s+TITLE$/,
    );
  });

  it('incidents show: timeline with times, who, channel and outcome, and the diagnostics summary', async () => {
    // Act
    const human = await local('incidents', 'show', 'inc-open');
    const doc = parsed<{
      incident: {
        id: string;
        timeline: { at: string; kind: string }[];
        diagnostics: { logs: { status: string } };
      };
    }>(await local('incidents', 'show', 'inc-open', '--json'));
    // Assert
    expect(human.code).toBe(0);
    expect(human.out).toMatch(/acknowledged: +2026-11-26T14:05:00Z by ana/);
    expect(human.out).toMatch(/logs +timeout +log search timed out after 2000 ms/);
    expect(human.out).toMatch(/TIME\s+\+\s+WHAT\s+BY\s+CHANNEL\s+OUTCOME\s+DETAIL/);
    expect(human.out).toMatch(/2026-11-26T14:01:01Z\s+1s\s+notified\s+vigil\s+sms\s+-\s+paged on-call/);
    expect(human.out).toMatch(
      /2026-11-26T14:06:00Z\s+5m\s+mitigation-finished\s+vigil\s+-\s+dry-run\s+restart checkout tasks/,
    );
    expect(doc.incident.timeline.map((e) => e.kind)).toEqual([
      'opened',
      'notified',
      'diagnostics',
      'acknowledged',
      'mitigation-finished',
    ]);
    expect(doc.incident.timeline[0]?.at).toBe('2026-11-26T14:01:00.000Z');
    expect(doc.incident.diagnostics.logs.status).toBe('timeout');
  });

  it('incidents show of an unknown id exits 3', async () => {
    // Act
    const run = await local('incidents', 'show', 'inc-nope');
    // Assert
    expectOneLineFailure(run, 3, /^vigil: incidents show: incident inc-nope does not exist$/);
  });

  it.each([
    [['alerts', 'list', '--colour', 'red'], 2, /^vigil: alerts list: Unknown option '--colour'/],
    [['alerts', 'list', '--status', 'burning'], 2, /--status must be one of firing, resolved, all/],
    [['alerts', 'list', '--limit', '0'], 2, /--limit must be an integer from 1 to 1000/],
    [['alerts', 'show'], 2, /<fingerprint\|alarm-name> is required/],
    [['alerts', 'frobnicate'], 2, /unknown command "frobnicate"/],
    [['alerts'], 2, /a command is required/],
    [['incidents', 'list', '--since', 'yesterday'], 2, /--since "yesterday"/],
    [['fly'], 2, /^vigil: unknown command "fly"/],
    [['constructor'], 2, /^vigil: unknown command "constructor"/],
  ])('bad usage %p exits %i with one line', async (argv, code, reason) => {
    // Act
    const run = await local(...argv);
    // Assert
    expectOneLineFailure(run, code, reason);
  });

  it('--local on a directory without a state exits 2 naming it', async () => {
    // Arrange
    const empty = mkdtempSync(path.join(tmpdir(), 'vigil-empty-'));
    // Act
    const run = await vigil('--local', empty, 'alerts', 'list');
    rmSync(empty, { recursive: true, force: true });
    // Assert
    expectOneLineFailure(run, 2, /not a replay state \(no vigil-state\.json\)/);
  });
});

describe('vigil tick on a replay state', () => {
  it("sends the group's resolve of a hand-resolved alert and moves the state's clock on", async () => {
    // Arrange: the CPU warning reached slack through its group, not at once.
    const resolved = parsed<{ published: string[]; queued: string[] }>(
      await local('alerts', 'resolve', 'vigil-dev-high-cpu-api', '--by', 'ana', '--json'),
    );
    // Act
    const tick = parsed<{
      at: string;
      failed: number;
      messages: { channel: string; status: string; alerts: string[] }[];
    }>(await local('tick', '--minutes', '2', '--json'));
    const after = parsed<{ at: string }>(await local('alerts', 'list', '--json'));
    // Assert
    expect(resolved).toEqual({ ...resolved, published: [], queued: [] });
    expect(tick.failed).toBe(0);
    expect(tick.messages.map((m) => [m.channel, m.status, m.alerts])).toEqual([
      ['slack', 'resolved', ['vigil-dev-high-cpu-api']],
    ]);
    expect(tick.at).toBe(new Date(END + 2 * 60_000).toISOString());
    expect(after.at).toBe(tick.at);
  });

  it('refuses to tick without a replay state', async () => {
    // Act
    const run = await vigil('tick');
    // Assert
    expectOneLineFailure(run, 2, /^vigil: tick: tick runs only on a replay state/);
  });
});

describe('the vigil binary', () => {
  function bin(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [path.join(ROOT, 'shared/cli/vigil.js'), ...argv],
        { cwd: ROOT },
        (error, stdout, stderr) => {
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
        },
      );
    });
  }

  it('runs a command from the checkout and prints one JSON document', async () => {
    // Act
    const run = await bin('--local', dir, 'incidents', 'list', '--status', 'open', '--json');
    // Assert
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const ids = (JSON.parse(run.stdout) as { incidents: { id: string }[] }).incidents.map((i) => i.id);
    // The replay's checkout incident was resolved with its last alert by the hand resolve above.
    expect(ids).toEqual(['inc-open']);
  });

  it('exits 2 with one line on stderr for a bad flag', async () => {
    // Act
    const run = await bin('--local', dir, 'alerts', 'ack', 'x');
    // Assert
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('vigil: alerts ack: --by is required\n');
  });
});
