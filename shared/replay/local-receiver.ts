/**
 * A real HTTP server on 127.0.0.1 standing in for webhook peers (Slack, PagerDuty): records every
 * request and answers from a script, so the replay and the tests drive success, throttling,
 * errors and hung connections.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { listenOnLoopback } from './loopback';

/** One request as the server received it. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A scripted answer: a response, or `hang` to accept the request and never answer. */
export type ScriptedResponse =
  | { readonly status: number; readonly body?: string; readonly headers?: Readonly<Record<string, string>> }
  | { readonly hang: true };

/** A running receiver. */
export interface HttpReceiver {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Requests received so far, oldest first. */
  readonly requests: readonly RecordedRequest[];
  /** Queues answers for the next requests; once used up, `fallback` answers. */
  script(...responses: ScriptedResponse[]): void;
  /** Forgets requests and queued answers. */
  reset(): void;
  /** Closes the server and every open connection (including hung ones). */
  stop(): Promise<void>;
}

/** The receiver could not start listening. */
export class LocalReceiverError extends Error {
  public readonly code = 'LOCAL_RECEIVER';

  public constructor(message: string) {
    super(message);
    this.name = 'LocalReceiverError';
  }
}

/** Starts a receiver on an ephemeral port. `fallback` answers requests beyond the script. */
export async function startHttpReceiver(
  fallback: ScriptedResponse = { status: 200, body: 'ok' },
): Promise<HttpReceiver> {
  const requests: RecordedRequest[] = [];
  const queue: ScriptedResponse[] = [];
  const sockets = new Set<Socket>();
  const hung = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const answer = queue.shift() ?? fallback;
      if ('hang' in answer) {
        hung.add(res);
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
      res.end(answer.body ?? '');
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listenOnLoopback(server);
  if (port === undefined) throw new LocalReceiverError('receiver is not listening on TCP');

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (...responses) => {
      queue.push(...responses);
    },
    reset: () => {
      requests.length = 0;
      queue.length = 0;
    },
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      hung.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
