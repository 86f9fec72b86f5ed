import { parseMatcher } from '../../../shared/domain/matchers';
import { parseRuntimeConfig } from '../../../shared/domain/runtime-config';
import { devRuntimeConfig } from '../../support/fixtures';
import { createHarness } from '../../support/pipeline-harness';

const CPU_API = 'vigil-dev-high-cpu-api';
const CPU_CHECKOUT = 'vigil-dev-high-cpu-checkout';
const DB_API = 'vigil-dev-slow-queries-api';
const ERR_API = 'vigil-dev-high-error-rate-api';
const names = (n: { alerts: readonly { alarmName: string }[] }) => n.alerts.map((a) => a.alarmName).sort();

describe('grouping timers', () => {
  it('sends a warning after group_wait, once, to Slack', async () => {
    // Arrange
    const h = createHarness();
    await h.alarm(CPU_API, 'ALARM');
    // Act: a tick within group_wait, then the next minute
    h.advance(10_000);
    await h.tick();
    const early = h.sent.length;
    await h.run(3);
    // Assert
    expect(early).toBe(0);
    expect(h.on('slack')).toHaveLength(1);
    expect(h.on('slack')[0]).toMatchObject({
      status: 'firing',
      severity: 'warning',
      reason: 'group',
      totalAlerts: 1,
    });
    expect(h.on('email')).toHaveLength(0);
  });

  it('groups alerts of the same rule and service into one notification', async () => {
    // Arrange: same alertname+service twice? different services are different groups
    const h = createHarness();
    await h.alarm(CPU_API, 'ALARM');
    await h.alarm(CPU_CHECKOUT, 'ALARM');
    await h.alarm(DB_API, 'ALARM');
    // Act
    await h.run(1);
    // Assert: three groups (alertname x service), each notified once
    expect(h.on('slack').map(names).sort()).toEqual([[CPU_API], [CPU_CHECKOUT], [DB_API]]);
  });

  it('waits group_interval before notifying a change, and sends the resolve to the same channels', async () => {
    // Arrange
    const h = createHarness();
    await h.alarm(CPU_API, 'ALARM');
    await h.run(1);
    // Act: resolves 1 minute later; group_interval is 5 minutes
    await h.alarm(CPU_API, 'OK');
    await h.run(2);
    const beforeInterval = h.on('slack').length;
    await h.run(4);
    // Assert
    expect(beforeInterval).toBe(1);
    const slack = h.on('slack');
    expect(slack).toHaveLength(2);
    expect(slack[1]).toMatchObject({ status: 'resolved' });
    expect(h.sent.filter((s) => s.channel !== 'slack')).toHaveLength(0);
  });

  it('repeats an unacknowledged firing group after repeat_interval, not before', async () => {
    // Arrange: no escalation here, so only the repeat can send
    const config = devRuntimeConfig();
    const h = createHarness(
      parseRuntimeConfig({
        ...config,
        route: { ...config.route, routes: config.route.routes.map((r) => ({ ...r, escalation: [] })) },
      }),
    );
    await h.alarm(CPU_API, 'ALARM');
    await h.run(1);
    // Act
    await h.run(238);
    const before = h.on('slack').length;
    await h.run(3);
    // Assert: 4h repeat
    expect(before).toBe(1);
    expect(h.on('slack')).toHaveLength(2);
    expect(h.on('slack')[1]).toMatchObject({ reason: 'repeat', status: 'firing' });
  });
});

describe('escalation and acknowledgement', () => {
  it('escalates an unacknowledged warning to email after 15 minutes and SMS after 30', async () => {
    // Arrange
    const h = createHarness();
    const start = h.now();
    await h.alarm(CPU_API, 'ALARM');
    // Act
    await h.run(35);
    // Assert
    const email = h.sent.filter((s) => s.channel === 'email');
    const sms = h.sent.filter((s) => s.channel === 'sms');
    expect(email).toHaveLength(1);
    expect(sms).toHaveLength(1);
    expect(email[0]?.notification.reason).toBe('escalation');
    expect((email[0]?.at ?? 0) - start).toBeGreaterThanOrEqual(15 * 60_000);
    expect((email[0]?.at ?? 0) - start).toBeLessThanOrEqual(16 * 60_000);
    expect((sms[0]?.at ?? 0) - start).toBeGreaterThanOrEqual(30 * 60_000);
    expect((sms[0]?.at ?? 0) - start).toBeLessThanOrEqual(31 * 60_000);
  });

  it('an acknowledgement stops escalation and repeats; the resolve still reaches every channel told', async () => {
    // Arrange
    const h = createHarness();
    await h.alarm(CPU_API, 'ALARM');
    await h.run(16); // email escalation happened
    // Act
    await h.ack(CPU_API, 'bob');
    await h.run(300);
    const afterAck = h.sent.length;
    await h.alarm(CPU_API, 'OK');
    await h.run(6);
    // Assert: no SMS ever, no repeat; the resolve goes to slack and email
    expect(h.on('sms')).toHaveLength(0);
    expect(afterAck).toBe(2);
    expect(
      h.sent
        .slice(afterAck)
        .map((s) => `${s.channel}:${s.notification.status}`)
        .sort(),
    ).toEqual(['email:resolved', 'slack:resolved']);
  });

  it('rejects acknowledging an alert that is not firing', async () => {
    const h = createHarness();
    await expect(h.ack(CPU_API)).rejects.toThrow(/does not exist/);
    await h.alarm(CPU_API, 'ALARM');
    await h.alarm(CPU_API, 'OK', h.now() + 1000);
    await expect(h.ack(CPU_API)).rejects.toThrow(/resolved, not firing/);
  });
});

describe('inhibition and silences', () => {
  it('a critical on a service mutes that service’s warnings, and they come back when it resolves', async () => {
    // Arrange
    const h = createHarness();
    await h.alarm(ERR_API, 'ALARM'); // critical, immediate
    await h.alarm(CPU_API, 'ALARM'); // warning on the same service
    await h.alarm(CPU_CHECKOUT, 'ALARM'); // warning elsewhere
    // Act
    await h.run(2);
    const slackWhileCritical = h.on('slack').flatMap(names);
    await h.alarm(ERR_API, 'OK');
    await h.run(7);
    // Assert
    expect(slackWhileCritical).toEqual(expect.arrayContaining([ERR_API, CPU_CHECKOUT]));
    expect(slackWhileCritical).not.toContain(CPU_API);
    expect(h.on('slack').flatMap(names)).toContain(CPU_API);
  });

  it('a silenced alert stays quiet and comes back when the silence expires', async () => {
    // Arrange
    const h = createHarness();
    await h.silence({
      matchers: [parseMatcher('service="api"')],
      endsAt: h.now() + 20 * 60_000,
      author: 'alice',
      comment: 'deploy',
    });
    await h.alarm(CPU_API, 'ALARM');
    await h.alarm(CPU_CHECKOUT, 'ALARM');
    // Act
    await h.run(10);
    const during = h.on('slack').flatMap(names);
    await h.run(12);
    // Assert
    expect(during).toEqual([CPU_CHECKOUT]);
    expect(h.on('slack').flatMap(names)).toContain(CPU_API);
  });

  it('a silenced critical pages nobody, and an "until resolved" silence ends with its alerts', async () => {
    // Arrange
    const h = createHarness();
    const silence = await h.silence({
      matchers: [parseMatcher('alertname="high-error-rate"')],
      endsAt: h.now() + 24 * 3600_000,
      author: 'alice',
      comment: 'known incident',
      endOnResolve: true,
    });
    await h.alarm(ERR_API, 'ALARM');
    await h.run(2);
    // Act
    await h.alarm(ERR_API, 'OK');
    await h.run(2);
    // Assert
    expect(h.sent).toHaveLength(0);
    expect((await h.groups.getSilence(silence.id))?.expiredAt).toBeDefined();
  });
});

describe('storms, budgets and overlapping ticks', () => {
  it('collapses a storm on a route into digests that name every alert', async () => {
    // Arrange: 60 distinct warning alarms (unknown alarms on the default route) in a minute
    const h = createHarness();
    const alarms = Array.from({ length: 60 }, (_, i) => `dokkerr-dev-svc${i % 10}-disk-${i}`);
    for (const [i, name] of alarms.entries()) await h.alarm(name, 'ALARM', h.now() + i * 500);
    // Act
    await h.run(12);
    // Assert
    const slack = h.on('slack');
    expect(slack.length).toBeLessThanOrEqual(3);
    expect(slack.every((n) => n.reason === 'digest')).toBe(true);
    expect(slack[0]?.digest?.firing).toBeGreaterThan(25);
    const named = new Set(slack.flatMap((n) => (n.digest ? Object.keys(n.digest.byService) : [])));
    expect(named.size).toBeGreaterThan(0);
    expect(slack.reduce((sum, n) => sum + (n.digest?.firing ?? 0), 0)).toBe(60);
  });

  it('folds what exceeds a channel budget into a later notification, never dropping it', async () => {
    // Arrange: one Slack message per tick, storm mode out of the way
    const config = parseRuntimeConfig({
      ...devRuntimeConfig(),
      budgets: { perSecond: { slack: 0.02 } },
      storm: { threshold: 1000, windowSeconds: 300 },
    });
    const h = createHarness(config);
    await h.alarm(CPU_API, 'ALARM');
    await h.alarm(CPU_CHECKOUT, 'ALARM');
    await h.alarm(DB_API, 'ALARM');
    // Act
    await h.run(1);
    const first = h.on('slack').length;
    await h.run(3);
    // Assert
    expect(first).toBe(1);
    expect(h.on('slack').flatMap(names).sort()).toEqual([CPU_API, CPU_CHECKOUT, DB_API].sort());
  });

  it('two overlapping ticks never send the same notification twice', async () => {
    // Arrange
    const h = createHarness();
    await h.alarm(CPU_API, 'ALARM');
    await h.alarm(DB_API, 'ALARM');
    h.advance(60_000);
    // Act
    await Promise.all([h.tick(), h.tick(), h.tick()]);
    // Assert
    expect(h.on('slack').map(names).sort()).toEqual([[CPU_API], [DB_API]]);
  });

  it('a group whose publish failed is sent by a later tick', async () => {
    const h = createHarness();
    await h.alarm(CPU_API, 'ALARM');
    h.failOnce('slack');
    await h.run(1);
    expect(h.on('slack')).toHaveLength(0);
    await h.run(1);
    expect(h.on('slack')).toHaveLength(1);
  });
});
