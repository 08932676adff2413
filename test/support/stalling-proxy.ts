import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a real PostgreSQL that lets the login through and then stops
 * forwarding: the connection is open, authenticated and idle forever, the way a database
 * behind a stuck network path or a saturated pooler looks. Server messages are read as
 * PostgreSQL frames (type byte, int32 length); after the first ReadyForQuery ('Z') nothing the
 * client sends reaches the server.
 */
export async function stallingProxy(target: { host: string; port: number }): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection(target);
    sockets.add(client).add(upstream);
    let ready = false;
    let pending = Buffer.alloc(0);
    let startup = true;
    client.on('data', (chunk: Buffer) => {
      if (!ready) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      client.write(chunk);
      if (ready) return;
      pending = Buffer.concat([pending, chunk]);
      // An SSLRequest is answered with one byte ('N' or 'S') before any framed message.
      if (startup && (pending[0] === 0x4e || pending[0] === 0x53) && pending.length === 1) {
        pending = Buffer.alloc(0);
        return;
      }
      startup = false;
      while (pending.length >= 5) {
        const length = pending.readInt32BE(1);
        if (pending.length < 1 + length) break;
        if (pending[0] === 0x5a) ready = true;
        pending = pending.subarray(1 + length);
      }
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return {
    port: address.port,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
