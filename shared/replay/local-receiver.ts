/** A local stand-in for the Slack webhook and the PagerDuty Events API: records posts on 127.0.0.1. */
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request the receiver got. */
export interface ReceivedPost {
  readonly path: string;
  readonly body: string;
}

/** A running receiver. */
export interface LocalReceiver {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Posts received so far, oldest first. */
  readonly posts: readonly ReceivedPost[];
  /** Closes the server and its connections. */
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

/**
 * Starts a receiver on an ephemeral port. `statusFor` answers each post (e.g. 503 to act out an
 * outage). @default every post gets 200 "ok"
 */
export async function startLocalReceiver(
  statusFor: (post: ReceivedPost) => number = () => 200,
): Promise<LocalReceiver> {
  const posts: ReceivedPost[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const post = { path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') };
      posts.push(post);
      const status = statusFor(post);
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status < 300 ? 'ok' : 'unavailable');
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address: string | AddressInfo | null = server.address();
  if (address === null || typeof address === 'string') {
    server.close();
    throw new LocalReceiverError('receiver is not listening on TCP');
  }
  return {
    url: `http://127.0.0.1:${address.port}`,
    posts,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        for (const socket of sockets) socket.destroy();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
