import fs from 'node:fs';
import net from 'node:net';

/** Linux's range for ports the OS hands out (outgoing connections, listen on 0); elsewhere its documented default. */
function ephemeralRange(): { low: number; high: number } {
  try {
    const [low, high] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low && high) return { low, high };
  } catch {
    // Not Linux.
  }
  return { low: 49152, high: 65535 };
}

function tryListen(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(null));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : null;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * A TCP port that was free a moment ago, for a server that listens on it later (DynamoDB Local's
 * JVM, an API whose URL the functions must know first). Taken below the OS's ephemeral range: a
 * port the OS picked could meanwhile be handed to any outgoing connection, and a drill's load opens
 * thousands (a run of `--all` lost a drill to EADDRINUSE that way). Falls back to the OS's pick.
 */
export async function freePort(): Promise<number> {
  const { low } = ephemeralRange();
  const floor = 10_000;
  if (low - floor > 1000) {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const port = await tryListen(floor + Math.floor(Math.random() * (low - floor)));
      if (port !== null) return port;
    }
  }
  const port = await tryListen(0);
  if (port === null) throw new Error('No free TCP port on 127.0.0.1');
  return port;
}

/** Resolves once something accepts TCP connections on the port, or rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs = 20_000, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ port, host });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`Nothing listened on ${host}:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
