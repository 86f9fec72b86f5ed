// A local HTTP stand-in for the AWS APIs the Lambdas call besides DynamoDB (SNS, SQS, Secrets
// Manager, CloudWatch), for OpenSearch's bulk and setup APIs, and for the Slack and PagerDuty
// endpoints. SDK clients reach it through AWS_ENDPOINT_URL; every request is counted by operation.
import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { listenOnLoopback } from '../../shared/replay/loopback';

/** A running stand-in. */
export interface LocalAws {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Requests served, by operation (`sns:Publish`, `sqs:SendMessage`, `opensearch:bulk`, `webhook`, ...). */
  readonly counts: Map<string, number>;
  /** Every request with its operation and body text, in arrival order (when `record` is on). */
  readonly requests: { readonly operation: string; readonly body: string; readonly at: number }[];
  /** Keep each request in `requests` (off by default: a benchmark sends thousands). */
  record: boolean;
  /** Answers requests this matches only after `ms` (a stalling source). @default none */
  stall?: { readonly ms: number; readonly when: (operation: string, body: string) => boolean };
  /** The secret string Secrets Manager returns for any secret id. */
  secretString: string;
  /**
   * GetMetricData answers every query with this one datapoint, 30 s before the query's end time
   * (a severity ladder's read). @default no datapoints
   */
  metricValue?: number;
  readonly stop: () => Promise<void>;
}

type Answer = { status: number; type: string; body: string };

const json = (status: number, body: unknown): Answer => ({
  status,
  type: 'application/x-amz-json-1.0',
  body: JSON.stringify(body),
});

function answerJsonRpc(target: string, body: string, state: LocalAws): Answer {
  const operation = target.split('.').pop() ?? '';
  const input = (body === '' ? {} : JSON.parse(body)) as Record<string, unknown>;
  switch (operation) {
    case 'SendMessage': {
      const message = typeof input['MessageBody'] === 'string' ? input['MessageBody'] : '';
      return json(200, {
        MessageId: randomUUID(),
        MD5OfMessageBody: createHash('md5').update(message).digest('hex'),
      });
    }
    case 'GetSecretValue':
      return json(200, {
        ARN: input['SecretId'],
        Name: 'bench-secret',
        SecretString: state.secretString,
        VersionId: 'v1',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 1_700_000_000,
      });
    case 'DescribeAlarms':
      return json(200, { MetricAlarms: [], CompositeAlarms: [] });
    case 'GetMetricData': {
      const value = state.metricValue;
      const queries = Array.isArray(input['MetricDataQueries'])
        ? (input['MetricDataQueries'] as { Id?: unknown }[])
        : [];
      const end = typeof input['EndTime'] === 'number' ? input['EndTime'] : Date.now() / 1000;
      return json(200, {
        MetricDataResults:
          value === undefined
            ? []
            : queries.map((q) => ({
                Id: q.Id,
                Label: String(q.Id),
                StatusCode: 'Complete',
                Timestamps: [end - 30],
                Values: [value],
              })),
        Messages: [],
      });
    }
    default:
      return json(400, { __type: 'UnknownOperationException', message: `not emulated: ${target}` });
  }
}

function answerQuery(body: string): Answer {
  const action = new URLSearchParams(body).get('Action') ?? '';
  if (action !== 'Publish') {
    return {
      status: 400,
      type: 'text/xml',
      body: `<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>`,
    };
  }
  return {
    status: 200,
    type: 'text/xml',
    body: `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
  };
}

function answerBulk(body: string): Answer {
  const lines = body.split('\n').filter((line) => line.trim() !== '');
  const items: unknown[] = [];
  // Action lines alternate with document lines.
  for (let i = 0; i < lines.length; i += 2) {
    const action = JSON.parse(lines[i] ?? '{}') as Record<string, { _index?: string; _id?: string }>;
    const [kind, meta] = Object.entries(action)[0] ?? ['index', {}];
    items.push({ [kind]: { _index: meta._index, _id: meta._id, status: 201, result: 'created' } });
  }
  return { status: 200, type: 'application/json', body: JSON.stringify({ took: 1, errors: false, items }) };
}

function route(req: IncomingMessage, body: string, state: LocalAws): [string, Answer] {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string')
    return [`aws:${target.split('.').pop() ?? ''}`, answerJsonRpc(target, body, state)];
  const path = req.url ?? '/';
  if (body.includes('Action=')) return ['sns:Publish', answerQuery(body)];
  if (path.startsWith('/_bulk')) return ['opensearch:bulk', answerBulk(body)];
  if (path.startsWith('/_plugins/_ism/policies/') && req.method === 'GET') {
    return ['opensearch:getPolicy', { status: 404, type: 'application/json', body: '{"error":"not found"}' }];
  }
  if (path.startsWith('/_index_template/') || path.startsWith('/_plugins/')) {
    return ['opensearch:setup', { status: 200, type: 'application/json', body: '{"acknowledged":true}' }];
  }
  // Slack answers "ok"; PagerDuty's Events API answers 202 with a dedup key.
  if (path.startsWith('/pagerduty')) {
    return [
      'webhook',
      { status: 202, type: 'application/json', body: '{"status":"success","dedup_key":"x"}' },
    ];
  }
  return ['webhook', { status: 200, type: 'text/plain', body: 'ok' }];
}

/** Starts the stand-in on an ephemeral 127.0.0.1 port. */
export async function startLocalAws(): Promise<LocalAws> {
  const sockets = new Set<Socket>();
  const state: LocalAws = {
    url: '',
    counts: new Map(),
    requests: [],
    record: false,
    secretString: '',
    stop: () => Promise.resolve(),
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let operation = 'error';
      let answer: Answer;
      const body = Buffer.concat(chunks).toString('utf8');
      try {
        [operation, answer] = route(req, body, state);
        // Wall-clock ms with the sub-millisecond part, comparable across processes.
        if (state.record)
          state.requests.push({ operation, body, at: performance.timeOrigin + performance.now() });
      } catch (error) {
        answer = { status: 500, type: 'text/plain', body: String(error) };
      }
      state.counts.set(operation, (state.counts.get(operation) ?? 0) + 1);
      const send = (): void => {
        res.writeHead(answer.status, { 'content-type': answer.type, 'x-amzn-requestid': randomUUID() });
        res.end(answer.body);
      };
      const stall = state.stall;
      if (stall !== undefined && stall.when(operation, body)) setTimeout(send, stall.ms);
      else send();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listenOnLoopback(server);
  if (port === undefined) throw new Error('local AWS stand-in is not listening on TCP');
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
