// An HTTP proxy on 127.0.0.1 in front of a real peer (the OpenSearch node) that injects faults per
// request: an answer of its own, a reset connection, or forwarding followed by a lost answer.
import { createServer, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { listenOnLoopback } from '../../shared/replay/loopback';

/** What the proxy does with one request. */
export type ProxyAction =
  | { readonly kind: 'forward' }
  | { readonly kind: 'respond'; readonly status: number; readonly body: string }
  /** Forward, let the peer apply it, then answer `status` instead of the peer's answer. */
  | { readonly kind: 'forward-then-fail'; readonly status: number }
  /** Close the connection without any answer. */
  | { readonly kind: 'reset' };

/** A request as the proxy saw it. */
export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  readonly bytes: number;
}

/** A running proxy. */
export interface FaultProxy {
  readonly url: string;
  /** Requests seen and the action taken, in order. */
  readonly log: readonly { readonly request: ProxiedRequest; readonly action: ProxyAction['kind'] }[];
  stop(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Starts a proxy to `target` (e.g. `http://127.0.0.1:9200`) that asks `decide` about each request. */
export async function startFaultProxy(
  target: string,
  decide: (request: ProxiedRequest) => ProxyAction,
): Promise<FaultProxy> {
  const log: { request: ProxiedRequest; action: ProxyAction['kind'] }[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const request = { method: req.method ?? 'GET', path: req.url ?? '/', bytes: body.length };
      const action = decide(request);
      log.push({ request, action: action.kind });
      if (action.kind === 'reset') {
        req.socket.destroy();
        return;
      }
      if (action.kind === 'respond') {
        res.writeHead(action.status, { 'content-type': 'application/json' });
        res.end(action.body);
        return;
      }
      const headers: Record<string, string> = {};
      const type = req.headers['content-type'];
      if (type !== undefined) headers['content-type'] = type;
      const upstream = await fetch(`${target}${request.path}`, {
        method: request.method,
        headers,
        body: request.method === 'GET' || request.method === 'HEAD' ? undefined : body,
      });
      const answer = await upstream.text();
      if (action.kind === 'forward-then-fail') {
        res.writeHead(action.status, { 'content-type': 'application/json' });
        res.end('{"error":{"type":"proxy_error","reason":"answer lost"},"status":500}');
        return;
      }
      res.writeHead(upstream.status, {
        'content-type': upstream.headers.get('content-type') ?? 'application/json',
      });
      res.end(answer);
    })().catch(() => {
      res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listenOnLoopback(server);
  if (port === undefined) throw new Error('fault proxy is not listening on TCP');
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
