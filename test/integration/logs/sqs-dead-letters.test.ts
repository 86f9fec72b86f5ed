// The dead-letter sink speaks SQS's JSON protocol without the SDK: against moto's SQS, letters
// arrive whole (or cut with a flag), carry their code, and a refusal is a named error.
import { SqsDeadLetterSink } from '../../../shared/logs/sqs-dead-letter-sink';
import type { DeadLetter } from '../../../shared/logs/log-ports';
import { startMoto } from '../../support/moto-server';
import type { RunningMoto } from '../../support/moto-server';

jest.setTimeout(300_000);

const credentials = () => Promise.resolve({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });
let moto: RunningMoto;

/** One SQS JSON-protocol call, the way the SDK would make it (moto does not check signatures). */
async function sqs(target: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
  const response = await fetch(`${moto.url}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `AmazonSQS.${target}`,
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/eu-west-1/sqs/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify(input),
  });
  return (await response.json()) as Record<string, unknown>;
}

async function receiveAll(queueUrl: string): Promise<{ Body: string; MessageAttributes: unknown }[]> {
  const messages: { Body: string; MessageAttributes: unknown }[] = [];
  for (;;) {
    const page = await sqs('ReceiveMessage', {
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      MessageAttributeNames: ['All'],
      VisibilityTimeout: 600,
    });
    const batch = (page.Messages ?? []) as { Body: string; MessageAttributes: unknown }[];
    if (batch.length === 0) return messages;
    messages.push(...batch);
  }
}

beforeAll(async () => {
  moto = await startMoto();
});

afterAll(async () => {
  await moto?.stop();
});

test('every letter reaches the queue with its code, a long original cut and flagged', async () => {
  // Arrange
  const created = await sqs('CreateQueue', { QueueName: 'vigil-test-log-dlq' });
  const queueUrl = String(created.QueueUrl);
  const sink = new SqsDeadLetterSink({ queueUrl, region: 'eu-west-1', credentials, endpoint: moto.url });
  const letters: DeadLetter[] = Array.from({ length: 25 }, (_, n) => ({
    code: n % 2 === 0 ? 'mapper_parsing_exception' : 'document_too_large',
    reason: `reason ${n}`,
    original: n === 7 ? `ü${'x'.repeat(240_000)}` : `line ${n}: ünïcødé 日本語 🚀`,
    logGroup: '/aws/lambda/checkout',
    eventId: `e${n}`,
    at: '2024-01-01T00:00:00.000Z',
  }));
  // Act
  await sink.send(letters);
  const received = await receiveAll(queueUrl);
  // Assert
  expect(received).toHaveLength(25);
  const bodies = received.map((m) => JSON.parse(m.Body) as DeadLetter & { truncated?: boolean });
  const byId = new Map(bodies.map((b) => [b.eventId, b]));
  for (const letter of letters) {
    const got = byId.get(letter.eventId);
    if (letter.eventId === 'e7') {
      expect(got).toMatchObject({ truncated: true, code: letter.code });
      expect(got?.original).toBe(letter.original.slice(0, 200_000));
    } else {
      expect(got).toEqual(letter);
    }
  }
  expect(received.map((m) => m.MessageAttributes)).toContainEqual({
    code: { DataType: 'String', StringValue: 'document_too_large' },
  });
});

test('a queue that does not exist is a named error naming the problem', async () => {
  // Arrange
  const sink = new SqsDeadLetterSink({
    queueUrl: `${moto.url}/123456789012/no-such-queue`,
    region: 'eu-west-1',
    credentials,
    endpoint: moto.url,
  });
  // Act
  const sent = sink.send([{ code: 'x', reason: 'r', original: 'o', at: '2024-01-01T00:00:00.000Z' }]);
  // Assert
  await expect(sent).rejects.toMatchObject({ name: 'DeadLetterSendError' });
  await expect(sent).rejects.toThrow(/SQS refused the batch \(400 .*QueueDoesNotExist/);
});
