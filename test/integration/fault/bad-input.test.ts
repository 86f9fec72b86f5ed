// The bad-input corpus (test/fixtures/bad-input) fed to the alarm handler (alone and inside SQS and
// SNS batches next to good records), to the log indexer and, through the handler, to every channel
// renderer: each bad input is named in a clear error and kept intact in the dead-letter path, the
// good records of the batch still go out, and no rendered message carries the injection.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { PublishCommandInput } from '@aws-sdk/client-sns';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { serialiseDeadLetter } from '../../../shared/adapters/sqs-dead-letter';
import { renderPagerDutyEvent } from '../../../shared/domain/format/pagerduty';
import { renderSlack } from '../../../shared/domain/format/slack';
import type { Notification } from '../../../shared/domain/notification';
import type { LogIndex } from '../../../shared/logs/log-ports';
import { InMemoryDeadLetterSink } from '../../../shared/logs/log-ports';
import { ingestLogPayload } from '../../../shared/logs/ingest-log-payload';
import { createLogIndexer } from '../../../functions/log-indexer/log-indexer';
import { dataPayload, eventId } from '../../fixtures/logs/payloads';
import type { RunningDynalite } from '../../support/dynalite';
import { startDynalite } from '../../support/dynalite';
import { DeliveryTally, rowFromTally } from '../../support/fault-tally';
import {
  alarmEvent,
  channelsFor,
  createFaultPipeline,
  CRITICAL_PREFIX,
  deliveryKey,
  faultyDynamoClient,
  readPublish,
  T0,
  tallyPublishes,
} from './alarm-fault-kit';

const SUITE = 'bad input';
const CORPUS = path.join(__dirname, '..', '..', 'fixtures', 'bad-input');
const snsMock = mockClient(SNSClient);
let db: RunningDynalite;
let published: PublishCommandInput[];

/** A bad alarm input as it arrives on the wire, and what its error must name. */
interface BadAlarmInput {
  readonly name: string;
  readonly text: string;
  readonly reason: RegExp;
}

const read = (file: string): string => readFileSync(path.join(CORPUS, file), 'utf8');

const BAD_ALARM_INPUTS: readonly BadAlarmInput[] = [
  { name: 'truncated JSON', text: read('truncated-event.txt'), reason: /is not valid JSON/ },
  { name: 'not JSON', text: read('not-json.txt'), reason: /is not valid JSON/ },
  { name: 'wrong types', text: read('wrong-types.json'), reason: /alarmData\.state\.value/ },
  { name: 'missing fields', text: read('missing-fields.json'), reason: /alarmData\.alarmName/ },
  { name: 'unknown event kind', text: read('unknown-kind.json'), reason: /detail-type/ },
  { name: 'unknown alarm state', text: read('unknown-state.json'), reason: /NewStateValue/ },
  {
    name: 'huge alarm name',
    text: JSON.stringify(alarmEvent(`${CRITICAL_PREFIX}${'n'.repeat(300_000)}`, 'ALARM', T0)),
    reason: /alarmName/,
  },
];

function sqsRecord(body: string, messageId: string): Record<string, unknown> {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1691152575490' },
    messageAttributes: {},
    md5OfBody: 'x',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:111122223333:vigil-dev-alarm-intake',
    awsRegion: 'eu-west-1',
  };
}

function snsRecord(message: string, messageId: string): Record<string, unknown> {
  return {
    EventSource: 'aws:sns',
    EventVersion: '1.0',
    EventSubscriptionArn: 'arn:aws:sns:eu-west-1:111122223333:vigil-dev-alarm-intake:1',
    Sns: {
      Type: 'Notification',
      MessageId: messageId,
      TopicArn: 'arn:aws:sns:eu-west-1:111122223333:vigil-dev-alarm-intake',
      Subject: null,
      Message: message,
      Timestamp: '2023-08-04T12:36:15.490Z',
    },
  };
}

beforeAll(async () => {
  db = await startDynalite();
});

afterAll(async () => {
  await db.stop();
});

beforeEach(() => {
  published = [];
  snsMock.reset();
  snsMock.on(PublishCommand).callsFake((input: PublishCommandInput) => {
    published.push(input);
    return { MessageId: `m-${published.length}` };
  });
});

describe('bad alarm input', () => {
  it.each(BAD_ALARM_INPUTS.map((input) => [input.name, input] as const))(
    '%s: named, dead-lettered intact, and the good records of its SQS batch still go out',
    async (_name, input) => {
      // Arrange
      const { doc } = faultyDynamoClient(db);
      const pipeline = await createFaultPipeline(db, doc);
      const good = [`${CRITICAL_PREFIX}good-a`, `${CRITICAL_PREFIX}good-b`];
      const bad = sqsRecord(input.text, 'bad-1');
      const batch = {
        Records: [
          sqsRecord(JSON.stringify(alarmEvent(good[0] ?? '', 'ALARM', T0)), 'good-1'),
          bad,
          sqsRecord(JSON.stringify(alarmEvent(good[1] ?? '', 'ALARM', T0)), 'good-2'),
        ],
      };
      // Act
      const response = await pipeline.invoke(batch);
      // Assert
      expect(response).toEqual({ batchItemFailures: [] });
      expect(pipeline.deadLetters).toHaveLength(1);
      const [letter] = pipeline.deadLetters;
      expect(letter?.reason).toMatch(input.reason);
      expect(letter?.payload).toEqual(bad);
      expect(
        JSON.parse(
          serialiseDeadLetter(letter ?? { reason: '', code: '', source: '', receivedAt: '', payload: 0 }),
        ),
      ).toMatchObject(input.text.length < 150_000 ? { payload: bad } : { payloadLength: expect.any(Number) });
      const told = published.map(readPublish).flatMap((p) => p.alarmNames);
      expect([...new Set(told)].sort()).toEqual(good);
    },
  );

  it('every bad input in an SNS batch and alone is dead-lettered with its reason, and nothing crashes', async () => {
    // Arrange
    const { doc } = faultyDynamoClient(db);
    const pipeline = await createFaultPipeline(db, doc);
    const tally = new DeliveryTally();
    const good = `${CRITICAL_PREFIX}good-sns`;
    for (const channel of channelsFor('critical')) tally.expect(deliveryKey(good, channel, 'firing'));
    let events = 0;
    // Act: SNS delivers one record per invocation; a JSON object also arrives as a direct invocation.
    for (const [i, input] of BAD_ALARM_INPUTS.entries()) {
      events++;
      await pipeline.invoke({ Records: [snsRecord(input.text, `sns-bad-${i}`)] });
      let parsed: unknown;
      try {
        parsed = JSON.parse(input.text);
      } catch {
        parsed = undefined;
      }
      if (typeof parsed === 'object' && parsed !== null) {
        events++;
        await pipeline.invoke(parsed);
      }
    }
    events++;
    await pipeline.invoke({
      Records: [
        snsRecord(
          JSON.stringify({
            AlarmName: good,
            NewStateValue: 'ALARM',
            NewStateReason: 'Threshold Crossed',
            StateChangeTime: '2023-08-04T12:36:15.490+0000',
          }),
          'sns-good',
        ),
      ],
    });
    tallyPublishes(tally, published.map(readPublish));
    const counts = tally.counts();
    const deadLettered = pipeline.deadLetters.length;
    rowFromTally(SUITE, 'alarm handler: corpus in SNS/direct invocations', counts, {
      faults: events - 1,
      events,
      note: `${deadLettered}/${events - 1} bad inputs dead-lettered with a named reason; good record delivered`,
    });
    // Assert
    expect(deadLettered).toBe(events - 1);
    for (const letter of pipeline.deadLetters)
      expect(letter.reason).toMatch(
        /^(Records\.\d|alarm action event|EventBridge event|SNS alarm message|event)/,
      );
    expect(counts.lostKeys).toEqual([]);
    expect(counts.duplicated + counts.unexpected).toBe(0);
  });

  it('a huge description and reason are cut to fit, and the alert still goes out', async () => {
    // Arrange
    const { doc } = faultyDynamoClient(db);
    const pipeline = await createFaultPipeline(db, doc);
    const name = `${CRITICAL_PREFIX}huge-text`;
    const event = alarmEvent(name, 'ALARM', T0) as { alarmData: Record<string, unknown> };
    event.alarmData['configuration'] = { description: 'd'.repeat(1_000_000) };
    (event.alarmData['state'] as Record<string, unknown>)['reason'] = 'r'.repeat(500_000);
    // Act
    await pipeline.invoke(event);
    // Assert
    const told = published.map(readPublish);
    expect(told.map((p) => p.channel).sort()).toEqual([...channelsFor('critical')].sort());
    for (const p of published) expect(Buffer.byteLength(p.Message ?? '')).toBeLessThan(256 * 1024);
  });

  it('Slack markup and e-mail header injection in names, reasons and descriptions render inert on every channel', async () => {
    // Arrange
    const { doc } = faultyDynamoClient(db);
    const pipeline = await createFaultPipeline(db, doc);
    const event: unknown = JSON.parse(read('injection.json'));
    const utf8: unknown = JSON.parse(readFileSync(path.join(CORPUS, 'invalid-utf8.bin')).toString('utf8'));
    // Act
    await pipeline.invoke(event);
    await pipeline.invoke({ Records: [snsRecord(JSON.stringify(utf8), 'sns-utf8')] });
    pipeline.advance(60_000);
    await pipeline.tick();
    // Assert: the injected name matches no mapping (it spans lines), so it is a warning the tick sends.
    expect(published.map(readPublish).map((p) => p.alarmNames[0]?.slice(0, 18))).toEqual(
      expect.arrayContaining(['fault-crit-inject ', 'fault-crit-utf8-\ufffd\ufffd']),
    );
    for (const input of published) {
      const subject = input.Subject ?? '';
      expect(subject).toMatch(/^[\x20-\x7e]{1,100}$/);
      const bodies = JSON.parse(input.Message ?? '{}') as Record<string, string>;
      // SNS writes the e-mail headers; the only header text Vigil controls is the subject.
      expect(bodies['email']).not.toMatch(/\r/);
      expect(bodies['default']?.split('\n\n')[0]).toBe(subject);
      expect(bodies['sms']).not.toMatch(/[\r\n]/);
      const n = JSON.parse(bodies['lambda'] ?? '{}') as Notification;
      const slack = JSON.stringify(renderSlack(n));
      expect(slack).not.toMatch(/<!(channel|here|everyone|subteam)/);
      expect(slack).not.toMatch(/<@U/);
      expect(slack).not.toMatch(/<https?:\/\/evil/);
      expect(slack).not.toMatch(/(^|[^\w])@(here|channel)\b/);
      const pd = renderPagerDutyEvent(n);
      expect(pd.payload?.summary ?? '').not.toMatch(/[\r\n]/);
      expect(JSON.stringify(pd)).not.toMatch(/\\r/);
      expect(`${JSON.stringify(pd)}${slack}${bodies['email'] ?? ''}`).not.toMatch(/[\ud800-\udfff]/u);
    }
  });
});

describe('bad log input', () => {
  /** An index that must never be called with anything from a rejected payload. */
  const index: LogIndex & { calls: number } = {
    calls: 0,
    bulk(items) {
      this.calls++;
      return Promise.resolve(items.map((item) => ({ id: item.log.id, status: 201 })));
    },
  };

  const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20), { level: 9 }).toString('base64');
  const good = dataPayload('/aws/lambda/checkout', [
    { id: eventId(1, 77), timestamp: Date.UTC(2024, 5, 3), message: 'fine line' },
  ]);
  const LOG_INPUTS: readonly { name: string; data: string; code: string }[] = [
    { name: 'base64 but not gzip', data: read('logs-not-gzip.b64').trim(), code: 'NOT_GZIP' },
    { name: 'not base64', data: '!!! not base64 !!!', code: 'NOT_BASE64' },
    {
      name: 'truncated gzip',
      data: Buffer.from(good, 'base64').subarray(0, 20).toString('base64'),
      code: 'NOT_GZIP',
    },
    { name: 'gzip bomb (64 MiB)', data: bomb, code: 'TOO_LARGE' },
    { name: 'gzip of non-JSON', data: gzipSync('hello').toString('base64'), code: 'NOT_JSON' },
    {
      name: 'gzip of invalid UTF-8',
      data: gzipSync(
        Buffer.concat([
          Buffer.from('{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"/g'),
          Buffer.from([0xff, 0xfe]),
          Buffer.from('","logStream":"s","subscriptionFilters":[],"logEvents":[]}'),
        ]),
      ).toString('base64'),
      code: 'NOT_UTF8',
    },
    {
      name: 'wrong shape',
      data: gzipSync(JSON.stringify({ messageType: 'DATA_MESSAGE', logEvents: 'nope' })).toString('base64'),
      code: 'BAD_SHAPE',
    },
  ];

  it('every bad payload is rejected with its code, dead-lettered intact, and the good one is indexed', async () => {
    // Arrange
    const sink = new InMemoryDeadLetterSink();
    const deps = { index, deadLetters: sink, categories: {}, defaultCategory: 'application' as const };
    const tally = new DeliveryTally();
    tally.expect(...LOG_INPUTS.map((i) => i.name), 'good');
    const before = process.memoryUsage().rss;
    // Act
    const results = [];
    for (const input of LOG_INPUTS) results.push(await ingestLogPayload(input.data, deps));
    const goodResult = await ingestLogPayload(good, deps);
    const grown = process.memoryUsage().rss - before;
    for (const [i, input] of LOG_INPUTS.entries()) {
      const letter = sink.letters.find((l) => l.original === input.data);
      if (letter && letter.code === results[i]?.['code' as keyof (typeof results)[number]])
        tally.saw(input.name);
    }
    if (goodResult.status === 'indexed' && goodResult.indexed === 1) tally.saw('good');
    const counts = tally.counts();
    rowFromTally(SUITE, 'log indexer: corpus payloads', counts, {
      faults: LOG_INPUTS.length,
      events: LOG_INPUTS.length + 1,
      note: `each bad payload dead-lettered whole with its code (delivered = kept in DLQ); bomb bounded, RSS +${Math.round(grown / 1048576)} MiB`,
    });
    // Assert
    expect(results.map((r) => (r.status === 'rejected' ? r.code : r.status))).toEqual(
      LOG_INPUTS.map((i) => i.code),
    );
    for (const [i, input] of LOG_INPUTS.entries()) {
      expect(sink.letters[i]).toMatchObject({ code: input.code, original: input.data });
      expect(sink.letters[i]?.reason).toMatch(/awslogs\.data/);
    }
    expect(goodResult).toMatchObject({ status: 'indexed', indexed: 1 });
    expect(index.calls).toBe(1);
    expect(grown).toBeLessThan(48 * 1024 * 1024);
    expect(counts.lostKeys).toEqual([]);
  });

  it('an event that is not a subscription event fails with a clear error for Lambda to retry and dead-letter', async () => {
    // Arrange
    const indexer = createLogIndexer({
      index,
      deadLetters: new InMemoryDeadLetterSink(),
      categories: {},
      defaultCategory: 'application',
    });
    // Act
    const outcome = indexer({ awslogs: { data: 42 } });
    // Assert
    await expect(outcome).rejects.toMatchObject({
      code: 'INVALID_LOG_EVENT',
      message: expect.stringMatching(/subscription event/),
    });
  });
});
