import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { createAlarmHandler } from '../../../functions/alarm-handler/create-handler';
import { createTickHandler } from '../../../functions/tick/create-handler';
import { DynamoGroupStore } from '../../../shared/adapters/dynamo-group-store';
import { DynamoAlertStore } from '../../../shared/adapters/dynamo-alert-store';
import { SnsPublisher } from '../../../shared/adapters/sns-publisher';
import { sdkSnsPublish } from '../../../shared/adapters/sns-sdk';
import { parseAlarmEvent } from '../../../shared/domain/alarm-event';
import { resolveAlertIdentity } from '../../../shared/domain/alert-identity';
import { fingerprintOf } from '../../../shared/domain/fingerprint';
import type { DeadLetterRecord } from '../../../shared/domain/ports';
import type { RunningDynalite } from '../../support/dynalite';
import { createAlertTable, localDocTable, startDynalite } from '../../support/dynalite';
import { alarmActionEvent, devRuntimeConfig, fixture, recordingLog } from '../../support/fixtures';

const snsMock = mockClient(SNSClient);
const TOPICS = {
  slack: 'arn:aws:sns:eu-west-1:111122223333:vigil-dev-slack',
  email: 'arn:aws:sns:eu-west-1:111122223333:vigil-dev-email',
  pagerduty: 'arn:aws:sns:eu-west-1:111122223333:vigil-dev-pagerduty',
};
const CRITICAL = 'vigil-dev-high-error-rate-checkout';

function fingerprintOfAlarm(alarmName: string): string {
  const change = parseAlarmEvent(alarmActionEvent(alarmName, 'ALARM', '2023-08-04T12:00:00.000+0000'));
  return fingerprintOf(resolveAlertIdentity(devRuntimeConfig(), change).labels);
}

let dynalite: RunningDynalite;
let tableCount = 0;

beforeAll(async () => {
  dynalite = await startDynalite();
});

afterAll(async () => {
  await dynalite.stop();
});

beforeEach(() => {
  snsMock.reset();
  snsMock.on(PublishCommand).resolves({ MessageId: 'm' });
});

async function newHandler() {
  const tableName = `alerts-${++tableCount}`;
  await createAlertTable(dynalite.client, tableName);
  const config = devRuntimeConfig();
  const deadLetters: DeadLetterRecord[] = [];
  const doc = localDocTable(dynalite);
  const store = new DynamoAlertStore(doc, { tableName, historyRetentionDays: config.historyRetentionDays });
  const handler = createAlarmHandler({
    config,
    store,
    publisher: new SnsPublisher(sdkSnsPublish(new SNSClient({ region: 'eu-west-1' })), TOPICS),
    deadLetter: { send: (r) => Promise.resolve(void deadLetters.push(r)) },
    clock: () => Date.now(),
    log: recordingLog(),
  });
  let request = 0;
  const invoke = (event: unknown) => handler(event, { awsRequestId: `req-${++request}` });
  const tick = createTickHandler({
    config,
    store,
    groups: new DynamoGroupStore(doc, tableName),
    publisher: new SnsPublisher(sdkSnsPublish(new SNSClient({ region: 'eu-west-1' })), TOPICS),
    clock: () => Date.now() + 60_000,
    log: recordingLog(),
  });
  return { invoke, store, deadLetters, tick: () => tick({}, { awsRequestId: `tick-${++request}` }) };
}

function perChannel(): Record<string, { firing: number; resolved: number }> {
  const out: Record<string, { firing: number; resolved: number }> = {};
  for (const call of snsMock.commandCalls(PublishCommand)) {
    const topic = call.args[0].input.TopicArn ?? '?';
    const status =
      call.args[0].input.MessageAttributes?.['status']?.StringValue === 'resolved' ? 'resolved' : 'firing';
    out[topic] ??= { firing: 0, resolved: 0 };
    out[topic][status]++;
  }
  return out;
}

describe('alarm handler against dynalite', () => {
  it('the same transition delivered three times notifies each channel once', async () => {
    // Arrange
    const { invoke } = await newHandler();
    const event = alarmActionEvent(CRITICAL, 'ALARM', '2023-08-04T12:36:15.490+0000');
    // Act
    for (let i = 0; i < 3; i++) await invoke(event);
    // Assert
    expect(perChannel()).toEqual({
      [TOPICS.slack]: { firing: 1, resolved: 0 },
      [TOPICS.email]: { firing: 1, resolved: 0 },
      [TOPICS.pagerduty]: { firing: 1, resolved: 0 },
    });
  });

  it('an older transition arriving after a newer one changes nothing', async () => {
    // Arrange
    const { invoke, store } = await newHandler();
    const firing = alarmActionEvent(CRITICAL, 'ALARM', '2023-08-04T12:36:15.490+0000');
    const resolved = alarmActionEvent(CRITICAL, 'OK', '2023-08-04T12:50:00.000+0000', {
      state: 'ALARM',
      timestamp: '2023-08-04T12:36:15.490+0000',
    });
    await invoke(firing);
    await invoke(resolved);
    const before = perChannel();
    // Act: the firing again (late retry) and an even older OK
    await invoke(firing);
    await invoke(alarmActionEvent(CRITICAL, 'OK', '2023-08-04T12:30:00.000+0000'));
    // Assert
    expect(perChannel()).toEqual(before);
    expect(before[TOPICS.pagerduty]).toEqual({ firing: 1, resolved: 1 });
    const stored = await store.get(fingerprintOfAlarm(CRITICAL));
    expect(stored).toMatchObject({ status: 'resolved', lastChangeAt: Date.UTC(2023, 7, 4, 12, 50) });
  });

  it('a resolve arriving before its firing reports the episode once and ignores the late firing', async () => {
    // Arrange
    const { invoke } = await newHandler();
    const firing = alarmActionEvent(CRITICAL, 'ALARM', '2023-08-04T12:36:15.490+0000');
    const resolved = alarmActionEvent(CRITICAL, 'OK', '2023-08-04T12:50:00.000+0000', {
      state: 'ALARM',
      timestamp: '2023-08-04T12:36:15.490+0000',
    });
    // Act
    await invoke(resolved);
    await invoke(firing);
    // Assert
    expect(perChannel()[TOPICS.slack]).toEqual({ firing: 0, resolved: 1 });
  });

  it('50 concurrent deliveries of the same transition produce exactly one notification per channel', async () => {
    // Arrange
    const { invoke } = await newHandler();
    const event = alarmActionEvent(CRITICAL, 'ALARM', '2023-08-04T12:36:15.490+0000');
    // Act
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => invoke(event)));
    // Assert
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(perChannel()).toEqual({
      [TOPICS.slack]: { firing: 1, resolved: 0 },
      [TOPICS.email]: { firing: 1, resolved: 0 },
      [TOPICS.pagerduty]: { firing: 1, resolved: 0 },
    });
  });

  it('accepts every real event shape end to end', async () => {
    // Arrange
    const { invoke, deadLetters, tick } = await newHandler();
    // Act
    await invoke(fixture('events/alarm-action-metric.json'));
    await invoke(fixture('events/alarm-action-composite.json'));
    await invoke(fixture('events/eventbridge-alarm-state-change.json'));
    await invoke(fixture('events/sns-alarm.json'));
    const batch = await invoke(fixture('events/sqs-batch-sns-alarm.json'));
    const immediate = snsMock.commandCalls(PublishCommand).length;
    const report = await tick();
    // Assert: all four are warnings, so nothing goes out before group_wait; the tick a minute later
    // sends one Slack notification per group (the SQS copy of the SNS alarm is a duplicate).
    expect(immediate).toBe(0);
    expect(report).toMatchObject({ changes: 4, published: 4, failed: 0 });
    expect(perChannel()).toEqual({ [TOPICS.slack]: { firing: 4, resolved: 0 } });
    expect(batch).toEqual({ batchItemFailures: [] });
    expect(deadLetters).toHaveLength(1);
  });
});
