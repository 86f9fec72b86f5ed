// A group of 10,000 members on the real DynamoDB adapters: sharded member items, a digest whose
// full list is stored in parts, nothing over DynamoDB's 400 KB item limit (dynalite enforces it).
import { DynamoAlertStore } from '../../../shared/adapters/dynamo-alert-store';
import { DynamoGroupStore } from '../../../shared/adapters/dynamo-group-store';
import type { Channel } from '../../../shared/domain/alert';
import { resolveAlertIdentity } from '../../../shared/domain/alert-identity';
import type { AlertRecord } from '../../../shared/domain/alert-record';
import { mapLimit } from '../../../shared/domain/concurrency';
import { entriesFor } from '../../../shared/domain/digest-record';
import { fingerprintOf } from '../../../shared/domain/fingerprint';
import { MEMBER_SHARDS } from '../../../shared/domain/group';
import type { Notification } from '../../../shared/domain/notification';
import { groupKeyOf, routeAlert } from '../../../shared/domain/routing';
import { runTick } from '../../../shared/domain/tick/run-tick';
import { stormAlarmNames, stormConfig } from '../../../shared/replay/storm';
import type { RunningDynalite } from '../../support/dynalite';
import { createAlertTable, startDynalite, localDocTable } from '../../support/dynalite';
import { devRuntimeConfig, recordingLog } from '../../support/fixtures';

const MEMBERS = 10_000;
const MINUTE = 60_000;
const T0 = Date.UTC(2026, 11, 1, 3, 0, 0);

let dynalite: RunningDynalite;
beforeAll(async () => {
  dynalite = await startDynalite();
});
afterAll(async () => {
  await dynalite.stop();
});

it('a group of 10,000 members is folded, told in one digest, resolved and forgotten', async () => {
  // Arrange: 10,000 CPU alarms of one service change to ALARM within a minute
  await createAlertTable(dynalite.client, 'big-group');
  const doc = localDocTable(dynalite);
  const config = stormConfig(devRuntimeConfig(), 1);
  const store = new DynamoAlertStore(doc, { tableName: 'big-group', historyRetentionDays: 30 });
  const groups = new DynamoGroupStore(doc, 'big-group');
  let now = T0;
  const sent: { channel: Channel; n: Notification }[] = [];
  const deps = () => ({
    config,
    store,
    groups,
    clock: () => now,
    log: recordingLog(),
    claimant: 'tick',
    // Limited by items, not by this machine's speed: the same runs every time.
    elapsed: () => 0,
    publisher: {
      publish: (channel: Channel, n: Notification) => Promise.resolve(void sent.push({ channel, n })),
    },
  });
  const names = stormAlarmNames({ alarms: MEMBERS, services: 1, criticalEvery: 0, warningKinds: 1 });
  const records = names.map((alarmName, i): AlertRecord => {
    const at = T0 + Math.floor((i / MEMBERS) * MINUTE);
    const identity = resolveAlertIdentity(config, {
      source: 'alarm-action',
      alarmName,
      kind: 'metric',
      state: 'ALARM',
      timestamp: at,
      region: 'eu-west-1',
      reason: 'Threshold Crossed',
    });
    return {
      fingerprint: fingerprintOf(identity.labels),
      alarmName,
      ruleId: identity.ruleId,
      status: 'firing',
      severity: identity.severity,
      labels: identity.labels,
      annotations: identity.annotations,
      alarmState: 'ALARM',
      lastChangeAt: at,
      startsAt: at,
      notified: [],
      episodeSeverities: [identity.severity],
      dirtyAt: at,
      version: 0,
    };
  });
  const firstLabels = records[0]?.labels ?? {};
  const [route] = routeAlert(config.route, config.receivers, firstLabels).routes;
  const key = route ? groupKeyOf(route, firstLabels) : '';
  await mapLimit(records, 16, (r) => store.put(r, undefined));

  // Act: ticks until the digest went out and, 15 minutes unacknowledged, escalated to email
  for (let i = 0; i < 17; i++) {
    now += MINUTE;
    await runTick(deps());
  }
  const head = await groups.getGroup(key);
  const members = head ? await groups.listMembers(head) : [];
  const firingDigest = sent.find((s) => s.channel === 'slack' && s.n.digest)?.n.digest;
  const firingList = firingDigest ? await groups.getDigest(firingDigest.id) : undefined;

  // ...then every alarm resolves at once
  await mapLimit(records, 16, async (r) => {
    const current = await store.get(r.fingerprint);
    if (!current) throw new Error(`alert ${r.alarmName} is gone`);
    await store.put(
      { ...current, status: 'resolved', alarmState: 'OK', lastChangeAt: now, endsAt: now, dirtyAt: now },
      current.version,
    );
  });
  for (let i = 0; i < 25; i++) {
    now += MINUTE;
    await runTick(deps());
  }

  // Assert: every member kept, spread over the member shards, told once in one voice
  expect(head).toMatchObject({ size: MEMBERS, memberWidth: MEMBER_SHARDS });
  expect(new Set(members.map((m) => m.alert.fingerprint)).size).toBe(MEMBERS);
  expect(firingDigest).toMatchObject({ firing: MEMBERS, total: MEMBERS });
  expect(firingList && entriesFor(firingList, 'slack').length).toBe(MEMBERS);
  const slack = sent.filter((s) => s.channel === 'slack').map((s) => s.n);
  expect(slack.every((n) => n.reason === 'digest')).toBe(true);
  expect(slack.map((n) => [n.digest?.firing, n.digest?.resolved])).toEqual([
    [MEMBERS, 0],
    [0, MEMBERS],
  ]);
  // Escalated to email after 15 minutes unacknowledged, and email hears the resolve too.
  expect(
    sent.filter((s) => s.channel === 'email').map((s) => [s.n.digest?.firing, s.n.digest?.resolved]),
  ).toEqual([
    [MEMBERS, 0],
    [0, MEMBERS],
  ]);
  // Resolved and told: the group and its members are forgotten.
  expect(await groups.getGroup(key)).toBeUndefined();
  expect(head ? await groups.listMembers(head) : ['head missing']).toEqual([]);
}, 600_000);
