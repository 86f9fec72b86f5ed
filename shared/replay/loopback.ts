import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens on an ephemeral 127.0.0.1 port and returns the port; closes the server and returns undefined if it got no TCP address. */
export async function listenOnLoopback(server: Server): Promise<number | undefined> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address: string | AddressInfo | null = server.address();
  if (address === null || typeof address === 'string') {
    server.close();
    return undefined;
  }
  return address.port;
}
