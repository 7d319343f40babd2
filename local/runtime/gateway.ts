import net from 'node:net';

export type FaultMode = 'up' | 'refuse' | 'hang';
/**
 * Which way a delay applies: `both` is a slow network (a request arrives late); `responses` is a
 * slow answer (the dependency acts at once, the caller hears of it late: a caller that goes on to
 * its next call is held up between the two, as by a slow dependency or a long pause).
 */
export type DelayDirection = 'both' | 'responses';

export interface Gateway {
  port: number;
  setMode(mode: FaultMode): void;
  /** Adds latency to every chunk in each direction (a slow dependency), or to the answers alone. */
  setDelay(ms: number, direction?: DelayDirection): void;
  state(): { mode: FaultMode; delayMs: number; delayDirection: DelayDirection };
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
  let delayDirection: DelayDirection = 'both';
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
    // A close follows the data it ends: a delayed answer is still delivered after its sender hung up.
    const requestDelay = () => (delayDirection === 'both' ? delayMs : 0);
    const later = (ms: number, fn: () => void) => (ms > 0 ? setTimeout(fn, ms) : fn());
    upstream.on('close', () => {
      open.delete(upstream);
      later(delayMs, () => client.destroy());
    });
    client.on('close', () => later(requestDelay(), () => upstream.destroy()));
    upstream.on('error', () => later(delayMs, () => client.destroy()));
    // Each chunk is held back by the delay in force when it arrives (order is kept: same delay).
    const forward = (from: net.Socket, to: net.Socket, isResponse: boolean) => {
      const delay = () => (isResponse ? delayMs : requestDelay());
      from.on('data', (chunk) => {
        const ms = delay();
        if (ms > 0) setTimeout(() => to.writable && to.write(chunk), ms);
        else if (to.writable) to.write(chunk);
      });
      from.on('end', () => setTimeout(() => to.end(), delay()));
    };
    forward(client, upstream, false);
    forward(upstream, client, true);
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
    setDelay(ms, direction = 'both') {
      delayMs = Math.max(0, ms);
      delayDirection = direction;
    },
    state: () => ({ mode, delayMs, delayDirection }),
    async stop() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
