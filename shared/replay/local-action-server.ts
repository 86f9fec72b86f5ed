/**
 * The action endpoint's Lambda handler served over real HTTP on 127.0.0.1, as API Gateway's HTTP
 * API invokes it: each request becomes a payload-format-2.0 event (body base64-encoded, header
 * names lower-cased) and the handler's result becomes the response.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { HttpApiResult } from '../../functions/action-endpoint/create-handler';
import { listenOnLoopback } from './loopback';
import { LocalReceiverError } from './local-receiver';

/** A running endpoint server. */
export interface LocalActionServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  stop(): Promise<void>;
}

/** API Gateway refuses bodies over 10 MB before the function sees them; so does this server. */
const API_GATEWAY_MAX_BODY = 10 * 1024 * 1024;

function eventOf(req: IncomingMessage, body: Buffer): Record<string, unknown> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    requestContext: {
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      stage: '$default',
      timeEpoch: Date.now(),
    },
    ...(body.length > 0
      ? { body: body.toString('base64'), isBase64Encoded: true }
      : { isBase64Encoded: false }),
  };
}

/** Serves `handler` on an ephemeral loopback port. */
export async function startLocalActionServer(
  handler: (event: unknown) => Promise<HttpApiResult>,
): Promise<LocalActionServer> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= API_GATEWAY_MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > API_GATEWAY_MAX_BODY) {
        res.writeHead(413, { 'content-type': 'application/json' });
        res.end('{"message":"Request Entity Too Large"}');
        return;
      }
      handler(eventOf(req, Buffer.concat(chunks)))
        .then((result) => {
          res.writeHead(result.statusCode, result.headers);
          res.end(result.body);
        })
        .catch(() => {
          // What API Gateway answers when the function itself fails.
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end('{"message":"Internal Server Error"}');
        });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listenOnLoopback(server);
  if (port === undefined) throw new LocalReceiverError('action server is not listening on TCP');
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
