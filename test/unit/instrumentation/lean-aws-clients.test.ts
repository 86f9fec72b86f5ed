import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AwsHttp, AwsHttpAnswer, AwsHttpRequest } from '../../../shared/adapters/aws-http';
import { createAwsHttp, NoAnswerError } from '../../../shared/adapters/aws-http';
import { createSigV4Signer } from '../../../shared/adapters/sigv4';
import {
  AwsServiceError,
  backoffMs,
  createAwsJsonClient,
  endpointOf,
  errorCodeOf,
} from '../../../shared/adapters/aws-json';
import { createHttpDocTable } from '../../../shared/adapters/dynamo-http';
import type { LeanAws } from '../../../shared/adapters/lean-aws';
import { credentialsFromEnv } from '../../../shared/adapters/lean-aws';
import { createSnsPublish, publishBody } from '../../../shared/adapters/sns-http';
import { sendMessage } from '../../../shared/adapters/sqs-http';

// AWS's published SigV4 test suite (aws-sig-v4-test-suite): credentials, scope and date.
const VECTOR = {
  credentials: () =>
    Promise.resolve({
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    }),
  region: 'us-east-1',
  service: 'service',
  date: new Date('2015-08-30T12:36:00Z'),
};

function vectorSigner() {
  return createSigV4Signer({
    service: VECTOR.service,
    region: VECTOR.region,
    credentials: VECTOR.credentials,
    applyChecksum: false,
  });
}

function request(method: 'GET' | 'POST', query: Record<string, string> = {}) {
  return {
    method,
    protocol: 'https:',
    hostname: 'example.amazonaws.com',
    path: '/',
    query,
    headers: { host: 'example.amazonaws.com' },
  };
}

const AUTH_PREFIX =
  'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=';

describe('SigV4 signing against AWS test vectors', () => {
  it.each([
    ['get-vanilla', request('GET'), '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'],
    ['post-vanilla', request('POST'), '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b'],
    [
      'get-vanilla-query-order-key-case',
      request('GET', { Param2: 'value2', Param1: 'value1' }),
      'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500',
    ],
  ])('%s', async (_name, req, signature) => {
    // Arrange
    const signer = vectorSigner();
    // Act
    const signed = await signer.sign(req, { signingDate: VECTOR.date });
    // Assert
    expect(signed.headers['x-amz-date']).toBe('20150830T123600Z');
    expect(signed.headers['authorization']).toBe(AUTH_PREFIX + signature);
  });
});

describe('signed HTTP transport', () => {
  let server: http.Server;
  let url: URL;
  const seen: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  let answer: (res: http.ServerResponse) => void = (res) => res.end('{}');

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        answer(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    seen.length = 0;
    answer = (res) => res.end('{}');
  });

  it('signs with the session token and the payload hash, as the SDK does', async () => {
    // Arrange
    const send = createAwsHttp({
      service: 'dynamodb',
      region: 'eu-west-1',
      credentials: () =>
        Promise.resolve({ accessKeyId: 'AKID', secretAccessKey: 'secret', sessionToken: 'tok' }),
      timeoutMs: 2_000,
    });
    // Act
    const out = await send({ method: 'POST', url, body: '{"a":1}', headers: { 'x-amz-target': 'X.Y' } });
    // Assert
    expect(out).toEqual({ status: 200, body: '{}' });
    const headers = seen[0]?.headers ?? {};
    expect(headers['authorization']).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKID\/\d{8}\/eu-west-1\/dynamodb\/aws4_request, SignedHeaders=[a-z0-9;-]*host;[a-z0-9;-]*x-amz-security-token;x-amz-target, Signature=[0-9a-f]{64}$/,
    );
    expect(headers['x-amz-security-token']).toBe('tok');
    expect(headers['x-amz-content-sha256']).toBe(createHash('sha256').update('{"a":1}').digest('hex'));
  });

  it('gives up at the timeout with a NoAnswerError that says so', async () => {
    // Arrange
    answer = () => undefined;
    const send = createAwsHttp({ service: 'sqs', timeoutMs: 50 });
    // Act
    const error: unknown = await send({ method: 'POST', url, body: '{}' }).catch((e: unknown) => e);
    // Assert
    expect(error).toBeInstanceOf(NoAnswerError);
    expect((error as NoAnswerError).timedOut).toBe(true);
  });
});

/** A transport that answers from a script and records what it was asked. */
function scripted(answers: (AwsHttpAnswer | Error)[]): AwsHttp & { calls: AwsHttpRequest[] } {
  const calls: AwsHttpRequest[] = [];
  const send = (req: AwsHttpRequest): Promise<AwsHttpAnswer> => {
    calls.push(req);
    const next = answers.shift() ?? new Error('script ran out');
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  };
  return Object.assign(send, { calls });
}

const json = (status: number, body: unknown): AwsHttpAnswer => ({ status, body: JSON.stringify(body) });
const noAnswer = () => new NoAnswerError('POST /: socket hang up', { timedOut: false });

function jsonClient(send: AwsHttp, sleeps: number[] = []) {
  return createAwsJsonClient({
    signingName: 'dynamodb',
    targetPrefix: 'DynamoDB_20120810',
    jsonVersion: '1.0',
    region: 'eu-west-1',
    endpoint: new URL('https://dynamodb.eu-west-1.amazonaws.com'),
    credentials: VECTOR.credentials,
    http: send,
    sleep: (ms) => Promise.resolve(void sleeps.push(ms)),
  });
}

describe('JSON-protocol calls: errors and retries as the SDK handles them', () => {
  it('retries throttling with the throttling backoff, then succeeds', async () => {
    // Arrange
    const throttled = json(400, {
      __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
      message: 'slow down',
    });
    const send = scripted([throttled, throttled, json(200, { Item: { pk: { S: 'a' } } })]);
    const sleeps: number[] = [];
    // Act
    const out = await jsonClient(send, sleeps)('GetItem', { TableName: 't' });
    // Assert
    expect(out).toEqual({ Item: { pk: { S: 'a' } } });
    expect(send.calls).toHaveLength(3);
    expect(send.calls[0]?.headers?.['x-amz-target']).toBe('DynamoDB_20120810.GetItem');
    expect(send.calls[0]?.headers?.['content-type']).toBe('application/x-amz-json-1.0');
    expect(sleeps).toHaveLength(2);
    expect(sleeps.every((ms, i) => ms >= 0 && ms < 500 * 2 ** (i + 1))).toBe(true);
  });

  it('retries 5xx and lost connections, and stops after three attempts', async () => {
    // Arrange
    const send = scripted([json(500, { __type: 'InternalServerError' }), noAnswer(), json(503, {})]);
    // Act
    const error: unknown = await jsonClient(send)('PutItem', {}).catch((e: unknown) => e);
    // Assert
    expect(send.calls).toHaveLength(3);
    expect(error).toBeInstanceOf(AwsServiceError);
    expect(error).toMatchObject({ name: 'InternalFailure', status: 503, retryable: true });
  });

  it('does not retry a refused condition, and names it as the SDK does', async () => {
    // Arrange
    const send = scripted([
      json(400, {
        __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
        message: 'The conditional request failed',
      }),
    ]);
    // Act
    const error: unknown = await jsonClient(send)('PutItem', {}).catch((e: unknown) => e);
    // Assert
    expect(send.calls).toHaveLength(1);
    expect(error).toMatchObject({
      name: 'ConditionalCheckFailedException',
      status: 400,
      retryable: false,
      message: 'PutItem: ConditionalCheckFailedException: The conditional request failed',
    });
  });

  it('refuses an answer that is not JSON without retrying it', async () => {
    const send = scripted([{ status: 200, body: '<html>' }]);
    await expect(jsonClient(send)('Query', {})).rejects.toMatchObject({ name: 'InvalidResponse' });
    expect(send.calls).toHaveLength(1);
  });

  it('reads error codes in every shape AWS sends them', () => {
    expect(errorCodeOf('com.amazonaws.dynamodb.v20120810#ResourceNotFoundException')).toBe(
      'ResourceNotFoundException',
    );
    expect(errorCodeOf('AWS.SimpleQueueService.NonExistentQueue')).toBe('NonExistentQueue');
    expect(errorCodeOf('ThrottlingException:http://internal.amazon.com/')).toBe('ThrottlingException');
  });

  it('backs off with full jitter under a 20 s cap', () => {
    expect(backoffMs(1, false, () => 0.999)).toBe(199);
    expect(backoffMs(3, true, () => 0.5)).toBe(2000);
    expect(backoffMs(12, true, () => 0.999)).toBe(19980);
  });

  it('finds the endpoint from the environment override, else the region (China included)', () => {
    expect(endpointOf('dynamodb', 'eu-west-1', {}).href).toBe('https://dynamodb.eu-west-1.amazonaws.com/');
    expect(endpointOf('sns', 'cn-north-1', {}).href).toBe('https://sns.cn-north-1.amazonaws.com.cn/');
    expect(endpointOf('sqs', 'eu-west-1', { AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:4566' }).href).toBe(
      'http://127.0.0.1:4566/',
    );
  });
});

const aws: LeanAws = { region: 'eu-west-1', credentials: VECTOR.credentials, env: {} };

describe('DynamoDB documents over the JSON protocol', () => {
  it('marshals native values in and unmarshals answers out, dropping undefined values', async () => {
    // Arrange
    const send = scripted([
      json(200, {}),
      json(200, {
        Items: [{ pk: { S: 'a' }, n: { N: '2' } }],
        Count: 1,
        LastEvaluatedKey: { pk: { S: 'a' } },
      }),
    ]);
    const doc = createHttpDocTable(aws, { http: send });
    // Act
    await doc.put({ TableName: 't', Item: { pk: 'a', n: 2, gone: undefined, tags: ['x'] } });
    const page = await doc.query({
      TableName: 't',
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': 'a' },
    });
    // Assert
    expect(JSON.parse(send.calls[0]?.body ?? '')).toEqual({
      TableName: 't',
      Item: { pk: { S: 'a' }, n: { N: '2' }, tags: { L: [{ S: 'x' }] } },
    });
    expect(JSON.parse(send.calls[1]?.body ?? '')).toMatchObject({
      ExpressionAttributeValues: { ':p': { S: 'a' } },
    });
    expect(page).toEqual({ Items: [{ pk: 'a', n: 2 }], Count: 1, LastEvaluatedKey: { pk: 'a' } });
  });
});

describe('SNS Publish over the query protocol', () => {
  it('encodes the form as the SDK does, attributes included', () => {
    expect(
      publishBody({
        TopicArn: 'arn:aws:sns:eu-west-1:1:t',
        Message: "a b&c=d!'()*~",
        MessageStructure: 'json',
        MessageAttributes: { severity: { DataType: 'String', StringValue: 'critical' } },
      }),
    ).toBe(
      'Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aeu-west-1%3A1%3At' +
        '&Message=a%20b%26c%3Dd%21%27%28%29%2A~&MessageStructure=json' +
        '&MessageAttributes.entry.1.Name=severity&MessageAttributes.entry.1.Value.DataType=String' +
        '&MessageAttributes.entry.1.Value.StringValue=critical',
    );
  });

  it('retries a throttled publish and reads the message id from the XML answer', async () => {
    // Arrange
    const send = scripted([
      {
        status: 400,
        body: '<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>',
      },
      {
        status: 200,
        body: '<PublishResponse><PublishResult><MessageId>m-&amp;1</MessageId></PublishResult></PublishResponse>',
      },
    ]);
    const publish = createSnsPublish(aws, { http: send, sleep: () => Promise.resolve() });
    // Act
    const id = await publish({ TopicArn: 'arn:aws:sns:eu-west-1:1:t', Message: 'hi' });
    // Assert
    expect(id).toBe('m-&1');
    expect(send.calls).toHaveLength(2);
  });

  it('does not retry a refused publish (KMS access, bad parameter)', async () => {
    const send = scripted([
      {
        status: 400,
        body: '<ErrorResponse><Error><Code>KMSAccessDenied</Code><Message>no</Message></Error></ErrorResponse>',
      },
    ]);
    const publish = createSnsPublish(aws, { http: send, sleep: () => Promise.resolve() });
    await expect(publish({ TopicArn: 't', Message: 'x' })).rejects.toMatchObject({
      name: 'KMSAccessDenied',
      retryable: false,
    });
    expect(send.calls).toHaveLength(1);
  });
});

describe('SQS SendMessage', () => {
  it('checks the body digest SQS answers with, as the SDK does', async () => {
    // Arrange
    const body = '{"signal":1}';
    const md5 = createHash('md5').update(body).digest('hex');
    const ok = jsonClient(scripted([json(200, { MessageId: 'm-1', MD5OfMessageBody: md5 })]));
    const bad = jsonClient(scripted([json(200, { MessageId: 'm-1', MD5OfMessageBody: '0'.repeat(32) })]));
    // Act / Assert
    await expect(sendMessage(ok, { QueueUrl: 'q', MessageBody: body })).resolves.toBe('m-1');
    await expect(sendMessage(bad, { QueueUrl: 'q', MessageBody: body })).rejects.toMatchObject({
      name: 'DigestMismatch',
    });
  });
});

describe('credentials from the Lambda environment', () => {
  it('reads the execution role credentials Lambda sets, with token and expiry', async () => {
    // Arrange
    const env = {
      AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
      AWS_CREDENTIAL_EXPIRATION: '2026-12-01T20:00:00Z',
    };

    // Act
    const credentials = await credentialsFromEnv(env)();

    // Assert
    expect(credentials).toEqual({
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'token',
      expiration: new Date('2026-12-01T20:00:00Z'),
    });
  });

  it('rejects, naming the variables, when they are missing', async () => {
    // Act
    const read = credentialsFromEnv({ AWS_ACCESS_KEY_ID: 'AKID' })();

    // Assert
    await expect(read).rejects.toThrow('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set');
  });
});
