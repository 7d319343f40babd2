import net from 'node:net';
import { type DelayDirection, DoorFaults, type FaultMode, type FaultState, later } from './faults';

export interface Gateway {
  port: number;
  setMode(mode: FaultMode): void;
  /** Adds latency to every chunk in each direction (a slow dependency), or to the answers alone. */
  setDelay(ms: number, direction?: DelayDirection): void;
  state(): FaultState;
  stop(): Promise<void>;
}

/**
 * A TCP front door for one regional endpoint (DynamoDB, S3). Chaos controls act here, so
 * every client, in-region or cross-region, sees the same outage: refused connections, or
 * connections that hang with no answer, as when a region's network goes dark.
 */
export async function startGateway(options: { port?: number; target: number; host?: string }): Promise<Gateway> {
  const faults = new DoorFaults();
  const server = net.createServer((client) => {
    client.on('error', () => client.destroy());
    if (!faults.accept(client)) return;
    if (faults.hanging()) {
      client.pause();
      return;
    }
    const upstream = net.connect({ port: options.target, host: options.host ?? '127.0.0.1' });
    faults.track(upstream);
    // A close follows the data it ends: a delayed answer is still delivered after its sender hung up.
    upstream.on('close', () => later(faults.responseDelayMs(), () => client.destroy()));
    client.on('close', () => later(faults.requestDelayMs(), () => upstream.destroy()));
    upstream.on('error', () => later(faults.responseDelayMs(), () => client.destroy()));
    // Each chunk is held back by the delay in force when it arrives (order is kept: same delay).
    const forward = (from: net.Socket, to: net.Socket, isResponse: boolean) => {
      const delay = () => (isResponse ? faults.responseDelayMs() : faults.requestDelayMs());
      from.on('data', (chunk) => later(delay(), () => to.writable && to.write(chunk)));
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
    setMode: (next) => faults.setMode(next),
    setDelay: (ms, direction) => faults.setDelay(ms, direction),
    state: () => faults.state(),
    async stop() {
      faults.destroyAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
