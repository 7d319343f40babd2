// A DynamoDB endpoint in front of a real DynamoDB Local that forwards every request except the
// operations named, which it accepts and never answers: a region that is reachable but hangs,
// the slow failure a best-effort step must not wait on (a closed port fails fast instead).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StallingProxy {
  endpoint: string;
  /** Requests of a stalled operation received so far. */
  stalled: string[];
  stop(): Promise<void>;
}

export async function startStallingProxy(target: string, stallOperations: string[]): Promise<StallingProxy> {
  const stalled: string[] = [];
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      if (stallOperations.includes(operation)) {
        stalled.push(operation);
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([name]) => !['host', 'connection', 'content-length'].includes(name)),
      ) as Record<string, string>;
      fetch(`${target}${req.url ?? '/'}`, { method: req.method ?? 'POST', headers, body: Buffer.concat(chunks) })
        .then(async (answer) => {
          const body = Buffer.from(await answer.arrayBuffer());
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/x-amz-json-1.0' });
          res.end(body);
        })
        .catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stalled,
    stop: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
