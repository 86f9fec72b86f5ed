import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { SnsPublisher } from '../../../shared/adapters/sns-publisher';
import { sdkSnsPublish } from '../../../shared/adapters/sns-sdk';
import { processAlarmInvocation } from '../../../shared/domain/alarm-invocation';
import type { AlarmInvocationDeps } from '../../../shared/domain/alarm-invocation';
import type { DeadLetterRecord } from '../../../shared/domain/ports';
import { MemoryAlertStore } from '../../support/memory-alert-store';
import { alarmActionEvent, devRuntimeConfig, fixture, recordingLog } from '../../support/fixtures';

const snsMock = mockClient(SNSClient);
const TOPICS = {
  slack: 'arn:aws:sns:eu-west-1:111122223333:vigil-dev-slack',
  email: 'arn:aws:sns:eu-west-1:111122223333:vigil-dev-email',
  sms: 'arn:aws:sns:eu-west-1:111122223333:vigil-dev-sms',
  pagerduty: 'arn:aws:sns:eu-west-1:111122223333:vigil-dev-pagerduty',
};

function setup() {
  const store = new MemoryAlertStore();
  const deadLetters: DeadLetterRecord[] = [];
  const log = recordingLog();
  const deps: AlarmInvocationDeps = {
    config: devRuntimeConfig(),
    store,
    publisher: new SnsPublisher(sdkSnsPublish(new SNSClient({ region: 'eu-west-1' })), TOPICS),
    deadLetter: { send: (r) => Promise.resolve(void deadLetters.push(r)) },
    clock: () => Date.UTC(2023, 7, 4, 12, 40),
    log,
    claimant: 'req-1',
  };
  return { deps, store, deadLetters, log };
}

function publishes() {
  return snsMock.commandCalls(PublishCommand).map((c) => c.args[0].input);
}

beforeEach(() => {
  snsMock.reset();
  snsMock.on(PublishCommand).resolves({ MessageId: 'm' });
});

describe('alarm handler path', () => {
  it('leaves a warning to the tick (group_wait) and publishes nothing at once', async () => {
    // Arrange
    const { deps, store } = setup();
    // Act
    await processAlarmInvocation(deps, fixture('events/alarm-action-metric.json'));
    // Assert
    expect(publishes()).toHaveLength(0);
    const [record] = [...store.items.values()];
    expect(record).toMatchObject({ status: 'firing', severity: 'warning', dirtyAt: deps.clock() });
    expect(record?.outbox).toBeUndefined();
  });

  it('publishes a critical at once with a JSON message structure and filterable attributes', async () => {
    // Arrange
    const { deps } = setup();
    // Act
    await processAlarmInvocation(
      deps,
      alarmActionEvent('vigil-dev-high-error-rate-api', 'ALARM', '2023-08-04T12:36:15.490+0000'),
    );
    // Assert
    const calls = publishes();
    expect(calls).toHaveLength(3);
    const input = calls.find((c) => c.TopicArn === TOPICS.slack);
    expect(input?.MessageStructure).toBe('json');
    const body = JSON.parse(input?.Message ?? '{}') as Record<string, string>;
    expect(Object.keys(body)).toEqual(expect.arrayContaining(['default', 'email', 'sms', 'lambda']));
    const notification = JSON.parse(body['lambda'] ?? '{}') as Record<string, unknown>;
    expect(notification).toMatchObject({
      status: 'firing',
      severity: 'critical',
      channel: 'slack',
      totalAlerts: 1,
    });
    expect(input?.MessageAttributes).toMatchObject({
      severity: { DataType: 'String', StringValue: 'critical' },
      service: { DataType: 'String', StringValue: 'api' },
      team: { DataType: 'String', StringValue: 'platform' },
      status: { DataType: 'String', StringValue: 'firing' },
    });
    expect(input?.MessageAttributes?.['alert_id']?.StringValue).toMatch(/^[0-9a-f]{20}$/);
    expect(input?.Subject?.length).toBeLessThanOrEqual(100);
  });

  it('pages an error-rate critical on Slack, email and PagerDuty, as its rule asks', async () => {
    // Arrange
    const { deps } = setup();
    // Act
    await processAlarmInvocation(
      deps,
      alarmActionEvent('vigil-dev-high-error-rate-checkout', 'ALARM', '2023-08-04T12:36:15.490+0000'),
    );
    // Assert
    expect(
      publishes()
        .map((p) => p.TopicArn)
        .sort(),
    ).toEqual([TOPICS.email, TOPICS.pagerduty, TOPICS.slack].sort());
  });

  it('fails the invocation when a publish fails, and the retry sends only to the failed channel', async () => {
    // Arrange: email fails once
    const { deps } = setup();
    snsMock
      .on(PublishCommand, { TopicArn: TOPICS.email })
      .rejectsOnce(new Error('throttled'))
      .resolves({ MessageId: 'm' });
    const event = alarmActionEvent(
      'vigil-dev-high-error-rate-checkout',
      'ALARM',
      '2023-08-04T12:36:15.490+0000',
    );
    // Act
    await expect(processAlarmInvocation(deps, event)).rejects.toThrow(/email/);
    const firstRound = publishes().length;
    await processAlarmInvocation({ ...deps, claimant: 'req-2' }, event);
    // Assert: 3 attempts in the first round, 1 in the retry (email), nothing more on a further duplicate
    expect(firstRound).toBe(3);
    expect(
      publishes()
        .slice(3)
        .map((p) => p.TopicArn),
    ).toEqual([TOPICS.email]);
    await processAlarmInvocation({ ...deps, claimant: 'req-3' }, event);
    expect(publishes()).toHaveLength(4);
  });

  it('sends the resolve to the same channels as the firing', async () => {
    // Arrange
    const { deps } = setup();
    await processAlarmInvocation(
      deps,
      alarmActionEvent('vigil-dev-high-error-rate-checkout', 'ALARM', '2023-08-04T12:36:15.490+0000'),
    );
    snsMock.resetHistory();
    // Act
    await processAlarmInvocation(
      deps,
      alarmActionEvent('vigil-dev-high-error-rate-checkout', 'OK', '2023-08-04T12:50:00.000+0000'),
    );
    // Assert
    const calls = publishes();
    expect(calls.map((p) => p.TopicArn).sort()).toEqual(
      [TOPICS.email, TOPICS.pagerduty, TOPICS.slack].sort(),
    );
    expect(calls.every((p) => p.MessageAttributes?.['status']?.StringValue === 'resolved')).toBe(true);
  });

  it('keeps an alarm with no rule on the default route and logs a warning', async () => {
    // Arrange
    const { deps, log, store } = setup();
    // Act
    await processAlarmInvocation(deps, fixture('events/eventbridge-alarm-state-change.json'));
    // Assert
    const [record] = [...store.items.values()];
    expect(record?.labels).toMatchObject({
      alertname: 'dokkerr-dev-queue-backlog',
      service: 'unknown',
      severity: 'warning',
    });
    expect(record?.status).toBe('firing');
    expect(log.lines.some((l) => l.level === 'warn' && /matched no rule/.test(l.message))).toBe(true);
  });

  it('dead-letters a malformed event with its reason and does not throw', async () => {
    // Arrange
    const { deps, deadLetters, log } = setup();
    const event = {
      source: 'aws.cloudwatch',
      alarmArn: 'arn',
      alarmData: { alarmName: 'x', state: { value: 'ALARM' } },
    };
    // Act
    await processAlarmInvocation(deps, event);
    // Assert
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]).toMatchObject({ code: 'MALFORMED_EVENT', payload: event });
    expect(deadLetters[0]?.reason).toMatch(/alarmData\.state\.timestamp/);
    expect(log.lines.some((l) => l.level === 'error' && l.extra?.['reason'] === deadLetters[0]?.reason)).toBe(
      true,
    );
    expect(publishes()).toHaveLength(0);
  });

  it('fails the invocation when the dead-letter queue cannot take a malformed event', async () => {
    const { deps } = setup();
    const failing = { ...deps, deadLetter: { send: () => Promise.reject(new Error('sqs down')) } };
    await expect(processAlarmInvocation(failing, { nonsense: true })).rejects.toThrow(/sqs down/);
  });

  it('reports SQS batch failures per record', async () => {
    // Arrange: the valid record cannot be stored
    const { deps, deadLetters } = setup();
    const failingStore = { ...deps.store, get: () => Promise.reject(new Error('dynamodb down')) };
    // Act
    const { response } = await processAlarmInvocation(
      { ...deps, store: failingStore },
      fixture('events/sqs-batch-sns-alarm.json'),
    );
    // Assert
    expect(response?.batchItemFailures).toEqual([{ itemIdentifier: '059f36b4-87a3-44ab-83d2-661975830a7d' }]);
    expect(deadLetters).toHaveLength(1);
  });

  it('keeps a silenced critical quiet at once (the tick releases it when the silence ends)', async () => {
    // Arrange
    const { deps } = setup();
    // Act
    await processAlarmInvocation(
      { ...deps, isSilenced: () => Promise.resolve(true) },
      alarmActionEvent('vigil-dev-high-error-rate-checkout', 'ALARM', '2023-08-04T12:36:15.490+0000'),
    );
    // Assert
    expect(publishes()).toHaveLength(0);
  });

  it('writes at most two items per transition', async () => {
    // Arrange
    const { deps, store } = setup();
    // Act
    await processAlarmInvocation(
      deps,
      alarmActionEvent('vigil-dev-high-error-rate-checkout', 'ALARM', '2023-08-04T12:36:15.490+0000'),
    );
    // Assert
    expect(store.writes).toBe(2);
  });
});

describe('tracing', () => {
  beforeEach(() => {
    snsMock.reset();
    snsMock.on(PublishCommand).resolves({ MessageId: 'm' });
  });

  it('carries the invocation trace id into the alert annotations and the notification', async () => {
    // Arrange
    const { deps, store } = setup();
    // Act
    await processAlarmInvocation(
      { ...deps, traceId: () => '1-5759e988-bd862e3fe1be46a994272793' },
      alarmActionEvent('vigil-dev-high-error-rate-api', 'ALARM', '2023-08-04T12:36:15.490+0000'),
    );
    // Assert
    const [record] = [...store.items.values()];
    expect(record?.annotations.traceId).toBe('1-5759e988-bd862e3fe1be46a994272793');
    const message = JSON.parse(publishes()[0]?.Message ?? '{}') as { lambda?: string };
    expect(message.lambda).toContain('1-5759e988-bd862e3fe1be46a994272793');
  });
});

describe('SMS pause', () => {
  beforeEach(() => {
    snsMock.reset();
    snsMock.on(PublishCommand).resolves({ MessageId: 'm' });
  });

  it('sends a critical to email instead of SMS while SMS is paused, never dropping it', async () => {
    // Arrange: a mapped database critical pages on-call on every channel
    const { deps } = setup();
    const config = {
      ...deps.config,
      external: {
        ...deps.config.external,
        mappings: [
          {
            pattern: 'dokkerr-dev-rds-.*',
            labels: { service: 'database', team: 'data', severity: 'critical' },
          },
        ],
      },
    };
    // Act
    await processAlarmInvocation(
      { ...deps, config, isSmsPaused: () => Promise.resolve(true) },
      alarmActionEvent('dokkerr-dev-rds-cpu', 'ALARM', '2023-08-04T12:36:15.490+0000'),
    );
    // Assert
    expect(
      publishes()
        .map((p) => p.TopicArn)
        .sort(),
    ).toEqual([TOPICS.email, TOPICS.pagerduty, TOPICS.slack].sort());
  });
});

describe('storm check before a page', () => {
  /** Records the order of the storm reads; the tick's state answers when `release` is called. */
  function stormReads(storming: boolean) {
    const order: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    return {
      order,
      release: () => release(),
      stormingRoutes: async () => {
        order.push('tick state asked');
        await gate;
        order.push('tick state answered');
        // Every route storming, or none
        const routes: ReadonlySet<string> = storming
          ? new (class extends Set<string> {
              public override has(): boolean {
                return true;
              }
            })()
          : new Set();
        return routes;
      },
    };
  }

  it('reads the change count beside the tick state when this container saw no storm', async () => {
    // Arrange
    const { deps, store } = setup();
    const reads = stormReads(false);
    const count = store.countUnfoldedSince.bind(store);
    store.countUnfoldedSince = (since, limit) => {
      reads.order.push('count read');
      return count(since, limit);
    };
    // Act
    const done = processAlarmInvocation(
      { ...deps, stormingRoutes: reads.stormingRoutes, stormLikely: () => false },
      alarmActionEvent('vigil-dev-high-error-rate-api', 'ALARM', '2023-08-04T12:36:15.490+0000'),
    );
    await new Promise((resolve) => setImmediate(resolve));
    reads.release();
    await done;
    // Assert: both asked before the tick state answered, and the critical paged
    expect(reads.order.slice(0, 2).sort()).toEqual(['count read', 'tick state asked']);
    expect(reads.order[2]).toBe('tick state answered');
    expect(publishes().length).toBeGreaterThan(0);
  });

  it('in a storm the tick state alone decides and the count is not read', async () => {
    // Arrange
    const { deps, store } = setup();
    const reads = stormReads(true);
    store.countUnfoldedSince = () => {
      reads.order.push('count read');
      return Promise.resolve(0);
    };
    reads.release();
    // Act
    await processAlarmInvocation(
      { ...deps, stormingRoutes: reads.stormingRoutes, stormLikely: () => true },
      alarmActionEvent('vigil-dev-high-error-rate-api', 'ALARM', '2023-08-04T12:36:15.490+0000'),
    );
    // Assert: held for the digest, no page
    expect(reads.order).toEqual(['tick state asked', 'tick state answered']);
    expect(publishes()).toHaveLength(0);
  });

  it('reads no storm state for a silenced alert', async () => {
    // Arrange
    const { deps, store } = setup();
    const reads = stormReads(false);
    store.countUnfoldedSince = () => {
      reads.order.push('count read');
      return Promise.resolve(0);
    };
    reads.release();
    // Act
    await processAlarmInvocation(
      {
        ...deps,
        isSilenced: () => Promise.resolve(true),
        stormingRoutes: reads.stormingRoutes,
        stormLikely: () => false,
      },
      alarmActionEvent('vigil-dev-high-error-rate-api', 'ALARM', '2023-08-04T12:36:15.490+0000'),
    );
    // Assert: recorded, told to nobody, and no storm read
    expect(reads.order).toEqual([]);
    expect(publishes()).toHaveLength(0);
    expect([...store.items.values()][0]?.status).toBe('firing');
  });
});
