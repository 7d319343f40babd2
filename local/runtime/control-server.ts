import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import { issueDevToken } from '../../shared/auth/dev-identity';
import type { Dependency, Runtime } from './index';

const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
};

export interface ChaosRequest {
  action: 'cut' | 'heal' | 'cut-link' | 'heal-link' | 'lag' | 'slow' | 'slow-replication' | 'clear-slow-replication';
  region?: string;
  mode?: 'refuse' | 'hang';
  ms?: number;
  dependency?: Dependency;
  /** slow-replication: a table name (or its suffix, e.g. "comments") or "s3". */
  target?: string;
  /** slow-replication: only items whose partition key (object key for s3) starts with this. */
  keyPrefix?: string;
  /** lag: a fixed delay for every change instead of a mean. */
  fixed?: boolean;
}

/** Applies one chaos request; throws with a message fit for the person who sent it. */
export function applyChaos(runtime: Runtime, request: ChaosRequest): string {
  const needRegion = () => {
    if (!request.region) throw new Error(`"${request.action}" needs a region (${runtime.regions.map((r) => r.region).join(' or ')})`);
    return request.region;
  };
  switch (request.action) {
    case 'cut':
      runtime.chaos.cut(needRegion(), request.mode ?? 'refuse');
      return `region ${request.region} cut (${request.mode ?? 'refuse'}): its endpoints fail, its replication and schedules stop`;
    case 'heal':
      runtime.chaos.heal(needRegion());
      return `region ${request.region} healed: queued replication is being delivered`;
    case 'cut-link':
      runtime.chaos.cutLink();
      return 'replication link cut (both directions); regions stay up';
    case 'heal-link':
      runtime.chaos.healLink();
      return 'replication link healed';
    case 'lag':
      if (request.fixed) runtime.chaos.setReplicationDelay({ kind: 'fixed', ms: Number(request.ms) });
      else runtime.chaos.setLag(Number(request.ms));
      return `replication delay per change: ${runtime.status().replication.delays.describe}`;
    case 'slow':
      runtime.chaos.slow(needRegion(), request.dependency ?? 'dynamodb', Number(request.ms));
      return `${request.region} ${request.dependency ?? 'dynamodb'} slowed by ${request.ms} ms`;
    case 'slow-replication': {
      if (!request.target) throw new Error('"slow-replication" needs a target: a table name (or its suffix, e.g. comments) or s3');
      const rule = {
        target: request.target,
        extraMs: Number(request.ms),
        ...(request.keyPrefix ? { keyPrefix: request.keyPrefix } : {}),
        ...(request.region ? { from: request.region } : {}),
      };
      runtime.chaos.slowReplication(rule);
      const rules = runtime.status().replication.delays.slowRules;
      return `replication slow rules in force: ${rules.length > 0 ? rules.map((r) => r.describe).join('; ') : 'none'}`;
    }
    case 'clear-slow-replication':
      runtime.chaos.clearSlowReplication();
      return 'replication slow rules cleared';
    default:
      throw new Error(
        `Unknown action "${(request as { action: string }).action}": cut, heal, cut-link, heal-link, lag, slow, slow-replication, clear-slow-replication`,
      );
  }
}

function readBody(req: http.IncomingMessage, limit = 64 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * The runtime's own endpoint: status and chaos for people and drills, and the web app's
 * static files with a config.json telling it where each region's API is.
 */
export async function startControlServer(
  runtime: Runtime,
  options: { port?: number; webDir?: string },
): Promise<{ url: string; port: number; stop(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body, null, 2));
    };
    if (url.pathname === '/__switchyard/status' && req.method === 'GET') return json(200, runtime.status());
    if (url.pathname === '/__switchyard/chaos' && req.method === 'POST') {
      readBody(req)
        .then((raw) => json(200, { ok: true, message: applyChaos(runtime, JSON.parse(raw || '{}') as ChaosRequest) }))
        .catch((error: Error) => json(400, { ok: false, message: error.message }));
      return;
    }
    // Local development sign-in for the web app: a token from the committed dev issuer, which only
    // the local runtime trusts (shared/auth/dev-identity.ts). There is no such endpoint on AWS.
    if (url.pathname === '/__switchyard/dev-token' && req.method === 'POST') {
      readBody(req)
        .then(async (raw) => {
          const { name } = JSON.parse(raw || '{}') as { name?: unknown };
          const display = typeof name === 'string' ? name.trim() : '';
          if (display.length < 1 || display.length > 40) return json(400, { message: 'name must be 1 to 40 characters' });
          const sub = `dev-${
            display
              .toLowerCase()
              .replace(/[^a-z0-9]+/g, '-')
              .replace(/^-|-$/g, '') || 'user'
          }`;
          json(200, { token: await issueDevToken({ sub, name: display, ttlSeconds: 8 * 3600 }), sub, name: display });
        })
        .catch(() => json(400, { message: 'body must be JSON: {"name": "..."}' }));
      return;
    }
    if (url.pathname === '/config.json') {
      return json(200, {
        stage: runtime.stage,
        regions: runtime.regions.map((r) => ({ region: r.region, role: r.role, apiUrl: r.apiUrl })),
        auth: { mode: 'local-dev' },
      });
    }
    if (options.webDir && req.method === 'GET') {
      const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
      const file = path.resolve(options.webDir, rel);
      if (file.startsWith(path.resolve(options.webDir)) && fs.existsSync(file) && fs.statSync(file).isFile()) {
        res.writeHead(200, { 'content-type': STATIC_TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
        fs.createReadStream(file).pipe(res);
        return;
      }
    }
    json(404, { message: 'Not found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
