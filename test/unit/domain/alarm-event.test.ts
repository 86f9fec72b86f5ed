import { extractAlarmDeliveries, parseAlarmEvent } from '../../../shared/domain/alarm-event';
import { parseCloudWatchTime } from '../../../shared/domain/cloudwatch-time';
import { MalformedEventError } from '../../../shared/domain/errors';
import { fixture } from '../../support/fixtures';

describe('parseCloudWatchTime', () => {
  it.each([
    ['2023-08-04T12:36:15.490+0000', Date.UTC(2023, 7, 4, 12, 36, 15, 490)],
    ['2023-08-04T12:36:15.490Z', Date.UTC(2023, 7, 4, 12, 36, 15, 490)],
    ['2019-10-02T17:04:40Z', Date.UTC(2019, 9, 2, 17, 4, 40)],
    ['2023-08-04T14:36:15.490+0200', Date.UTC(2023, 7, 4, 12, 36, 15, 490)],
    ['2023-08-04T07:06:15.490-05:30', Date.UTC(2023, 7, 4, 12, 36, 15, 490)],
    ['2023-08-04T12:36:15.123456+0000', Date.UTC(2023, 7, 4, 12, 36, 15, 123)],
  ])('parses %s', (text, expected) => {
    // Act / Assert
    expect(parseCloudWatchTime(text)).toBe(expected);
  });

  it.each(['yesterday', '2023-02-30T00:00:00.000+0000', '2023-08-04 12:36:15', '2023-08-04T25:00:00Z', ''])(
    'rejects %p naming the field',
    (text) => {
      expect(() => parseCloudWatchTime(text, 'state.timestamp')).toThrow(/state\.timestamp/);
    },
  );
});

describe('parseAlarmEvent', () => {
  it('normalises the Lambda alarm-action payload of a metric alarm', () => {
    // Act
    const change = parseAlarmEvent(fixture('events/alarm-action-metric.json'));
    // Assert
    expect(change).toMatchObject({
      source: 'alarm-action',
      alarmName: 'vigil-dev-high-cpu-api',
      kind: 'metric',
      state: 'ALARM',
      previousState: 'OK',
      region: 'eu-west-1',
      accountId: '111122223333',
      timestamp: Date.UTC(2023, 7, 4, 12, 36, 15, 490),
      previousTimestamp: Date.UTC(2023, 7, 4, 12, 30, 15, 483),
      value: 91.5,
      threshold: 80,
    });
    expect(change.description).toContain('Runbook');
  });

  it('recognises a composite alarm action', () => {
    const change = parseAlarmEvent(fixture('events/alarm-action-composite.json'));
    expect(change).toMatchObject({
      kind: 'composite',
      state: 'ALARM',
      alarmName: 'dokkerr-dev-checkout-degraded',
    });
    expect(change.value).toBeUndefined();
  });

  it('normalises the EventBridge "CloudWatch Alarm State Change" event', () => {
    const change = parseAlarmEvent(fixture('events/eventbridge-alarm-state-change.json'));
    expect(change).toMatchObject({
      source: 'eventbridge',
      alarmName: 'dokkerr-dev-queue-backlog',
      alarmArn: 'arn:aws:cloudwatch:us-east-1:111122223333:alarm:dokkerr-dev-queue-backlog',
      region: 'us-east-1',
      state: 'ALARM',
      value: 2500,
      threshold: 1000,
      timestamp: Date.UTC(2019, 9, 2, 17, 20, 48, 554),
    });
  });

  it('names the bad field of a malformed alarm action', () => {
    // Arrange
    const event = fixture('events/alarm-action-metric.json') as { alarmData: { state: { value: string } } };
    event.alarmData.state.value = 'PANIC';
    // Act / Assert
    expect(() => parseAlarmEvent(event)).toThrow(MalformedEventError);
    expect(() => parseAlarmEvent(event)).toThrow(/alarmData\.state\.value/);
  });

  it('rejects unknown shapes with a clear message', () => {
    expect(() => parseAlarmEvent({ hello: 'world' })).toThrow(/not a CloudWatch alarm action/);
    expect(() => parseAlarmEvent('text')).toThrow(/expected a JSON object/);
  });
});

describe('extractAlarmDeliveries', () => {
  it('reads the classic SNS alarm message of a metric alarm', () => {
    // Act
    const out = extractAlarmDeliveries(fixture('events/sns-alarm.json'));
    // Assert
    expect(out.batch).toBe('single');
    expect(out.deliveries).toHaveLength(1);
    expect(out.deliveries[0]?.id).toBe('95df01b4-ee98-5cb9-9903-4c221d41eb5e');
    expect(out.deliveries[0]?.change).toMatchObject({
      source: 'sns',
      alarmName: 'vigil-dev-slow-queries-checkout',
      state: 'ALARM',
      previousState: 'OK',
      region: 'eu-west-1',
      value: 1250.5,
      threshold: 1000,
      timestamp: Date.UTC(2023, 7, 4, 12, 36, 15, 490),
    });
  });

  it('reads a composite alarm through SNS', () => {
    const out = extractAlarmDeliveries(fixture('events/sns-composite-ok.json'));
    expect(out.deliveries[0]?.change).toMatchObject({
      kind: 'composite',
      state: 'OK',
      previousState: 'ALARM',
    });
  });

  it('splits an SQS batch and keeps the malformed record as an error delivery', () => {
    // Act
    const out = extractAlarmDeliveries(fixture('events/sqs-batch-sns-alarm.json'));
    // Assert
    expect(out.batch).toBe('sqs');
    expect(out.deliveries[0]?.change?.alarmName).toBe('vigil-dev-slow-queries-checkout');
    expect(out.deliveries[1]?.id).toBe('2e1424d4-f796-459a-8184-9c92662be6da');
    expect(out.deliveries[1]?.error?.message).toMatch(/Records\.1\.body is not valid JSON/);
  });

  it('turns a non-JSON SNS message into an error delivery that keeps the raw record', () => {
    // Arrange
    const event = {
      Records: [{ EventSource: 'aws:sns', Sns: { MessageId: 'm1', Message: '{"AlarmName":' } }],
    };
    // Act
    const out = extractAlarmDeliveries(event);
    // Assert
    expect(out.deliveries[0]?.error?.code).toBe('MALFORMED_EVENT');
    expect(out.deliveries[0]?.raw).toEqual(event.Records[0]);
  });

  it('rejects an empty Records array', () => {
    expect(extractAlarmDeliveries({ Records: [] }).deliveries[0]?.error?.message).toMatch(/non-empty array/);
  });
});
