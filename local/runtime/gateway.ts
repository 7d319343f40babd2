import net from 'node:net';

export type FaultMode = 'up' | 'refuse' | 'hang';

export interface Gateway {
  port: number;
  setMode(mode: FaultMode): void;
  /** Adds latency to every chunk in each direction (a slow dependency). */
  setDelay(ms: number): void;
  state(): { mode: FaultMode; delayMs: number };
  stop(): Promise<void>;
}

/**
 * A TCP front door for one regional endpoint (DynamoDB, S3). Chaos controls act here, so
 * every client, in-region or cross-region, sees the same outage: refused connections, or
 * connections that hang with no answer, as when a region's network goes dark.
 */
export async function startGateway(options: { port?: number; target: number; host?: string }): Promise<Gateway> {
  let mode: FaultMode = 'up';
  let delayMs = 0;
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    if (mode === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    if (mode === 'hang') {
      client.pause();
      return;
    }
    const upstream = net.connect({ port: options.target, host: options.host ?? '127.0.0.1' });
    open.add(upstream);
    upstream.on('close', () => {
      open.delete(upstream);
      client.destroy();
    });
    client.on('close', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    // Each chunk is held back by the delay in force when it arrives (order is kept: same delay).
    const forward = (from: net.Socket, to: net.Socket) => {
      from.on('data', (chunk) => {
        if (delayMs > 0) setTimeout(() => to.writable && to.write(chunk), delayMs);
        else if (to.writable) to.write(chunk);
      });
      from.on('end', () => setTimeout(() => to.end(), delayMs));
    };
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    setMode(next) {
      mode = next;
      // Existing keep-alive connections must see the outage too.
      if (next !== 'up') for (const socket of open) socket.destroy();
    },
    setDelay(ms) {
      delayMs = Math.max(0, ms);
    },
    state: () => ({ mode, delayMs }),
    async stop() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
