import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import { issueDevToken } from '../../shared/auth/dev-identity';
import { BodyTooLarge, guardRequests, isLoopbackHost, type RequestTarget, readBody } from '../http-guard';
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
  action:
    | 'cut'
    | 'heal'
    | 'cut-link'
    | 'heal-link'
    | 'lag'
    | 'slow'
    | 'partition'
    | 'heal-partition'
    | 'partition-link'
    | 'heal-partition-link'
    | 'witness-down'
    | 'witness-up'
    | 'quorum-latency'
    | 'slow-replication'
    | 'clear-slow-replication';
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
  /** slow: delay the dependency's answers alone (the request acts at once) rather than all its traffic. */
  responses?: boolean;
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
      runtime.chaos.slow(needRegion(), request.dependency ?? 'dynamodb', Number(request.ms), request.responses ? 'responses' : 'both');
      return `${request.region} ${request.dependency ?? 'dynamodb'} ${request.responses ? 'answers' : 'traffic'} slowed by ${request.ms} ms`;
    case 'partition':
      runtime.chaos.partition(needRegion(), request.mode ?? 'refuse');
      return `region ${request.region} partitioned (${request.mode ?? 'refuse'}): it serves its own clients; replication, cross-region calls and the quorum are cut`;
    case 'heal-partition':
      runtime.chaos.healPartition(needRegion());
      return `partition of ${request.region} healed: queued replication is being delivered, its quorum copy catches up`;
    case 'partition-link':
      runtime.chaos.partitionLink(request.mode ?? 'refuse');
      return `the regions cannot see each other (${request.mode ?? 'refuse'}); both still reach the witness`;
    case 'heal-partition-link':
      runtime.chaos.healPartitionLink();
      return 'link partition healed';
    case 'witness-down':
      runtime.chaos.witnessDown();
      return `witness ${runtime.quorum.membership.witness} down`;
    case 'witness-up':
      runtime.chaos.witnessUp();
      return `witness ${runtime.quorum.membership.witness} up`;
    case 'quorum-latency':
      runtime.chaos.setQuorumLatency(Number(request.ms));
      return `quorum cross-region latency set to ${request.ms} ms`;
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
        `Unknown action "${(request as { action: string }).action}": cut, heal, cut-link, heal-link, lag, slow, partition, heal-partition, ` +
          'partition-link, heal-partition-link, witness-down, witness-up, quorum-latency, slow-replication, clear-slow-replication',
      );
  }
}

const MAX_BODY_BYTES = 64 * 1024;

/** The header that carries the control token (see startControlServer). */
export const CONTROL_TOKEN_HEADER = 'x-switchyard-control-token';

/** Why a request to the control server was refused, with the status it is answered with. */
class ControlRequestRefused extends Error {
  override readonly name = 'ControlRequestRefused';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const isJson = (contentType: string | undefined): boolean => /^application\/json\s*(;|$)/i.test(contentType ?? '');

function sameToken(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The runtime's own endpoint: status and chaos for people and drills, and the web app's
 * static files with a config.json telling it where each region's API is.
 *
 * It refuses cross-site requests: a web page open in the developer's browser can send simple
 * requests (a text/plain or form POST, no preflight) to any local port. So every request must
 * name this machine in Host (defeats DNS rebinding), every POST must carry Content-Type
 * application/json (which a cross-site page cannot send without a CORS preflight, and this
 * server answers none) and, when the browser says where it comes from, come from this server's
 * own origin. Chaos also needs the control token: `npm start` prints it and writes it to
 * .switchyard/runtime.json (readable by its owner only), where `npm run chaos` reads it.
 */
export async function startControlServer(
  runtime: Runtime,
  options: { port?: number; webDir?: string; token?: string; log?(line: string): void },
): Promise<{ url: string; port: number; token: string; stop(): Promise<void> }> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  let port = 0;
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body, null, 2));
  };

  /** The JSON body of a state-changing request, once the request is known to be same-site. */
  const sameSiteJson = async (req: http.IncomingMessage): Promise<unknown> => {
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://127.0.0.1:${port}` && origin !== `http://localhost:${port}`) {
      throw new ControlRequestRefused(403, 'Cross-site requests are refused');
    }
    if (!isJson(req.headers['content-type'])) throw new ControlRequestRefused(415, 'Content-Type must be application/json');
    const raw = (await readBody(req, MAX_BODY_BYTES)).toString('utf8');
    try {
      return JSON.parse(raw || '{}') as unknown;
    } catch {
      throw new ControlRequestRefused(400, 'The body must be JSON');
    }
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, target: RequestTarget): Promise<void> => {
    const pathname = target.rawPath;
    if (!isLoopbackHost(req.headers.host))
      throw new ControlRequestRefused(403, 'This server answers only requests addressed to 127.0.0.1 or localhost');
    if (pathname === '/__switchyard/status' && req.method === 'GET') return json(res, 200, runtime.status());
    if (pathname === '/__switchyard/chaos' && req.method === 'POST') {
      const body = await sameSiteJson(req);
      if (!sameToken(req.headers[CONTROL_TOKEN_HEADER], token)) {
        throw new ControlRequestRefused(401, `Chaos needs the control token in ${CONTROL_TOKEN_HEADER} (npm start prints it)`);
      }
      try {
        return json(res, 200, { ok: true, message: applyChaos(runtime, (body ?? {}) as ChaosRequest) });
      } catch (error) {
        throw new ControlRequestRefused(400, (error as Error).message);
      }
    }
    // Local development sign-in for the web app: a token from the committed dev issuer, which only
    // the local runtime trusts (shared/auth/dev-identity.ts). There is no such endpoint on AWS.
    if (pathname === '/__switchyard/dev-token' && req.method === 'POST') {
      const body = await sameSiteJson(req);
      const name = (body as { name?: unknown } | null)?.name;
      const display = typeof name === 'string' ? name.trim() : '';
      if (display.length < 1 || display.length > 40) throw new ControlRequestRefused(400, 'name must be 1 to 40 characters');
      const sub = `dev-${
        display
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-|-$/g, '') || 'user'
      }`;
      return json(res, 200, { token: await issueDevToken({ sub, name: display, ttlSeconds: 8 * 3600 }), sub, name: display });
    }
    if (pathname === '/config.json') {
      return json(res, 200, {
        stage: runtime.stage,
        regions: runtime.regions.map((r) => ({ region: r.region, role: r.role, apiUrl: r.apiUrl })),
        auth: { mode: 'local-dev' },
      });
    }
    if (options.webDir && req.method === 'GET') {
      const rel = pathname === '/' ? 'index.html' : target.segments.slice(1).join('/');
      const root = path.resolve(options.webDir);
      const file = path.resolve(root, rel);
      if (file.startsWith(`${root}${path.sep}`) && fs.existsSync(file) && fs.statSync(file).isFile()) {
        res.writeHead(200, { 'content-type': STATIC_TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
        fs.createReadStream(file)
          .on('error', () => res.destroy())
          .pipe(res);
        return;
      }
    }
    json(res, 404, { message: 'Not found' });
  };

  const server = http.createServer(
    guardRequests(
      (req, res, target) =>
        handle(req, res, target).catch((error: unknown) => {
          if (error instanceof ControlRequestRefused) return json(res, error.status, { ok: false, message: error.message });
          if (error instanceof BodyTooLarge) return json(res, 413, { ok: false, message: error.message });
          throw error;
        }),
      {
        name: 'control server',
        reply: (res, status, message) => json(res, status, { ok: false, message }),
        ...(options.log ? { log: options.log } : {}),
      },
    ),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    token,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
