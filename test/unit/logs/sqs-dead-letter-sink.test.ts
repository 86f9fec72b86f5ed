import type { DeadLetter } from '../../../shared/logs/log-ports';
import { DeadLetterSendError, SqsDeadLetterSink } from '../../../shared/logs/sqs-dead-letter-sink';
import { expectedSignature, startPeer } from '../../support/sigv4-peer';
import type { PeerAnswer, SeenRequest, SigV4Peer } from '../../support/sigv4-peer';

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const credentials = () =>
  Promise.resolve({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET, sessionToken: 'token-example' });
const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/vigil-dev-log-dlq';

const letter = (n: number, original = `line ${n}`): DeadLetter => ({
  code: 'mapper_parsing_exception',
  reason: `failed to parse field [fields.attempt] ${n}`,
  original,
  logGroup: '/aws/lambda/checkout',
  eventId: `e${n}`,
  at: '2024-01-01T00:00:00.000Z',
});

/** An SQS peer speaking the JSON protocol's SendMessageBatch: every entry succeeds unless told. */
function sqsAnswer(fail: (id: string) => boolean = () => false): (seen: SeenRequest) => PeerAnswer {
  return (seen) => {
    const body = JSON.parse(seen.body) as { Entries: { Id: string }[] };
    return {
      status: 200,
      body: JSON.stringify({
        Successful: body.Entries.filter((e) => !fail(e.Id)).map((e) => ({
          Id: e.Id,
          MessageId: `m-${e.Id}`,
        })),
        Failed: body.Entries.filter((e) => fail(e.Id)).map((e) => ({
          Id: e.Id,
          Code: 'InvalidMessageContents',
          Message: 'bad',
          SenderFault: true,
        })),
      }),
    };
  };
}

let peer: SigV4Peer | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

const sinkFor = (url: string) =>
  new SqsDeadLetterSink({
    queueUrl: QUEUE,
    region: 'eu-west-1',
    credentials,
    endpoint: url,
    timeoutMs: 2000,
  });

describe('SqsDeadLetterSink', () => {
  it('sends SendMessageBatch in batches of ten, signed for sqs, each letter with its code attribute', async () => {
    // Arrange
    peer = await startPeer(sqsAnswer());
    const letters = Array.from({ length: 23 }, (_, n) => letter(n));
    // Act
    await sinkFor(peer.url).send(letters);
    // Assert
    expect(peer.seen).toHaveLength(3);
    const first = peer.seen[0] as SeenRequest;
    expect(first.method).toBe('POST');
    expect(first.url).toBe('/');
    expect(first.headers['x-amz-target']).toBe('AmazonSQS.SendMessageBatch');
    expect(first.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(String(first.headers.authorization)).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/sqs\/aws4_request, /,
    );
    expect(String(first.headers.authorization)).toContain(`Signature=${expectedSignature(first, SECRET)}`);
    expect(first.headers['x-amz-security-token']).toBe('token-example');
    const bodies = peer.seen.map(
      (s) =>
        JSON.parse(s.body) as {
          QueueUrl: string;
          Entries: { Id: string; MessageBody: string; MessageAttributes: unknown }[];
        },
    );
    expect(bodies.map((b) => b.Entries.length)).toEqual([10, 10, 3]);
    expect(bodies[0]?.QueueUrl).toBe(QUEUE);
    expect(bodies[0]?.Entries[0]).toEqual({
      Id: '0',
      MessageBody: JSON.stringify(letters[0]),
      MessageAttributes: { code: { DataType: 'String', StringValue: 'mapper_parsing_exception' } },
    });
  });

  it('cuts an original longer than one SQS message allows and says so', async () => {
    // Arrange
    peer = await startPeer(sqsAnswer());
    // Act
    await sinkFor(peer.url).send([letter(1, 'x'.repeat(300_000))]);
    // Assert
    const body = JSON.parse(peer.seen[0]?.body ?? '{}') as { Entries: { MessageBody: string }[] };
    const sent = JSON.parse(body.Entries[0]?.MessageBody ?? '{}') as { original: string; truncated: boolean };
    expect(sent.original).toHaveLength(200_000);
    expect(sent.truncated).toBe(true);
  });

  it.each([
    [
      'some entries refused',
      sqsAnswer((id) => id === '1'),
      /SQS refused 1 dead letters \(InvalidMessageContents: bad\)/,
    ],
    [
      'the batch refused',
      () => ({ status: 400, body: '{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"no queue"}' }),
      /SQS refused the batch \(400 com.amazonaws.sqs#QueueDoesNotExist: no queue\)/,
    ],
    [
      'an answer that is not JSON',
      () => ({ status: 502, body: '<html>' }),
      /SQS answered 502 with a body that is not JSON/,
    ],
    ['a reset connection', (): PeerAnswer => 'reset', /SQS did not answer/],
    ['no answer in time', (): PeerAnswer => 'hang', /SQS did not answer: .*no answer within 2000 ms/],
  ])('fails with a named error on %s, so the invocation is retried', async (_name, answer, message) => {
    // Arrange
    peer = await startPeer(answer);
    // Act
    const sent = sinkFor(peer.url).send([letter(0), letter(1)]);
    // Assert
    await expect(sent).rejects.toThrow(DeadLetterSendError);
    await expect(sent).rejects.toThrow(message);
  });
});
