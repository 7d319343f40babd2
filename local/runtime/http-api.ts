import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import { BodyTooLarge, decodePathPart, guardRequests, type RequestTarget, readBody } from '../http-guard';
import { DoorFaults, type FaultMode } from './faults';
import type { HttpRoute, RegionTopology } from './topology';

export interface HttpApi {
  port: number;
  url: string;
  setMode(mode: FaultMode): void;
  setDelay(ms: number): void;
  state(): { mode: FaultMode; delayMs: number };
  stop(): Promise<void>;
}

export interface HttpApiOptions {
  region: string;
  port?: number;
  routes: HttpRoute[];
  cors?: RegionTopology['cors'];
  invoke(functionKey: string, event: unknown): Promise<unknown>;
  /** The httpApi JWT authorizer: claims of a valid bearer token, or null (→ 401). */
  authorize(authorizer: string, authorization: string | undefined): Promise<Record<string, unknown> | null>;
  log?(line: string): void;
}

interface CompiledRoute extends HttpRoute {
  regex: RegExp;
  params: string[];
  specificity: number;
}

function compile(route: HttpRoute): CompiledRoute {
  const params: string[] = [];
  const pattern = route.path
    .split('/')
    .map((segment) => {
      const greedy = /^\{(.+)\+\}$/.exec(segment);
      if (greedy) {
        params.push(greedy[1] as string);
        return '(.+)';
      }
      const param = /^\{(.+)\}$/.exec(segment);
      if (param) {
        params.push(param[1] as string);
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  // API Gateway prefers the most specific route: literal segments first, then fewer variables.
  const specificity = route.path.split('/').filter((s) => s && !s.startsWith('{')).length * 10 - params.length;
  return { ...route, regex: new RegExp(`^${pattern}$`), params, specificity };
}

/** API Gateway's payload limit for HTTP APIs (10 MB); a larger request is answered 413. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

function headerList(value: string[] | undefined): string | undefined {
  return value?.length ? value.join(',') : undefined;
}

/**
 * API Gateway (HTTP API, payload format 2.0) for one region: routes from serverless.yml, the
 * JWT authorizer, CORS as `provider.httpApi.cors` declares it, and fault modes for chaos.
 */
export async function startHttpApi(options: HttpApiOptions): Promise<HttpApi> {
  const routes = options.routes.map(compile).sort((a, b) => b.specificity - a.specificity);
  const faults = new DoorFaults();

  const corsHeaders = (origin: string | undefined): Record<string, string> => {
    const cors = options.cors;
    if (!cors) return {};
    const allowed = cors.allowedOrigins ?? ['*'];
    const allowOrigin = allowed.includes('*') ? '*' : origin && allowed.includes(origin) ? origin : undefined;
    if (!allowOrigin) return {};
    const exposed = (cors as { exposedResponseHeaders?: string[] }).exposedResponseHeaders;
    return {
      'access-control-allow-origin': allowOrigin,
      ...(exposed?.length ? { 'access-control-expose-headers': exposed.join(',') } : {}),
    };
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, target: RequestTarget, body: Buffer): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const origin = req.headers.origin;
    const send = (status: number, headers: Record<string, string>, payload: string | Buffer) => {
      res.writeHead(status, { ...headers, ...corsHeaders(origin) });
      res.end(payload);
    };

    if (method === 'OPTIONS' && options.cors && req.headers['access-control-request-method']) {
      const cors = options.cors;
      send(
        204,
        {
          ...corsHeaders(origin),
          'access-control-allow-methods': (cors.allowedMethods ?? ['*']).join(','),
          'access-control-allow-headers': (cors.allowedHeaders ?? ['*']).join(','),
          'access-control-max-age': String(cors.maxAge ?? 0),
        },
        '',
      );
      return;
    }

    const rawPath = target.rawPath;
    const route = routes.find((r) => (r.method === '*' || r.method === 'ANY' || r.method === method) && r.regex.test(rawPath));
    if (!route) {
      send(404, { 'content-type': 'application/json' }, JSON.stringify({ message: 'Not Found' }));
      return;
    }
    const match = route.regex.exec(rawPath) as RegExpExecArray;
    // The guard decoded every segment already, so decoding whole segments again cannot throw.
    const pathParameters = Object.fromEntries(route.params.map((name, i) => [name, decodePathPart(match[i + 1] as string)]));

    let claims: Record<string, unknown> | null = null;
    if (route.authorizer) {
      claims = await options.authorize(route.authorizer, req.headers.authorization);
      if (!claims) {
        send(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' }, JSON.stringify({ message: 'Unauthorized' }));
        return;
      }
    }

    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || name === 'cookie') continue;
      headers[name] = Array.isArray(value) ? value.join(',') : value;
    }
    const query: Record<string, string[]> = {};
    for (const [k, v] of target.query) query[k] = [...(query[k] ?? []), v];
    const contentType = headers['content-type'] ?? '';
    const textual = body.length === 0 || /^(text\/|application\/(json|x-www-form-urlencoded|xml|javascript))/.test(contentType);
    const now = new Date();
    const event = {
      version: '2.0',
      routeKey: `${route.method === '*' ? 'ANY' : route.method} ${route.path}`,
      rawPath,
      rawQueryString: target.rawQuery,
      ...(req.headers.cookie ? { cookies: req.headers.cookie.split(/;\s*/) } : {}),
      headers,
      ...(Object.keys(query).length
        ? { queryStringParameters: Object.fromEntries(Object.entries(query).map(([k, v]) => [k, headerList(v)])) }
        : {}),
      requestContext: {
        accountId: '000000000000',
        apiId: `local-${options.region}`,
        domainName: headers.host ?? 'localhost',
        domainPrefix: 'local',
        http: {
          method,
          path: rawPath,
          protocol: `HTTP/${req.httpVersion}`,
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
          userAgent: headers['user-agent'] ?? '',
        },
        requestId: randomUUID(),
        routeKey: `${route.method === '*' ? 'ANY' : route.method} ${route.path}`,
        stage: '$default',
        time: now.toISOString(),
        timeEpoch: now.getTime(),
        ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
      },
      ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
      ...(body.length ? { body: textual ? body.toString('utf8') : body.toString('base64') } : {}),
      isBase64Encoded: !textual,
    };

    let result: unknown;
    try {
      result = await options.invoke(route.functionKey, event);
    } catch (error) {
      options.log?.(`[${options.region}] ${event.routeKey} failed: ${(error as Error).name}: ${(error as Error).message}`);
      send(500, { 'content-type': 'application/json' }, JSON.stringify({ message: 'Internal Server Error' }));
      return;
    }
    if (result && typeof result === 'object' && 'statusCode' in result) {
      const r = result as {
        statusCode: number;
        headers?: Record<string, string | number | boolean>;
        body?: string;
        isBase64Encoded?: boolean;
        cookies?: string[];
      };
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(r.headers ?? {})) out[k.toLowerCase()] = String(v);
      // API Gateway's own CORS replaces the function's CORS headers.
      if (options.cors) for (const k of Object.keys(out)) if (k.startsWith('access-control-')) delete out[k];
      if (r.cookies?.length) res.setHeader('set-cookie', r.cookies);
      send(r.statusCode, out, r.body === undefined ? '' : r.isBase64Encoded ? Buffer.from(r.body, 'base64') : r.body);
    } else {
      send(200, { 'content-type': 'application/json' }, typeof result === 'string' ? result : JSON.stringify(result ?? null));
    }
  }

  const jsonError = (res: http.ServerResponse, status: number, message: string) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message }));
  };
  const server = http.createServer(
    guardRequests(
      async (req, res, target) => {
        if (faults.refusing()) {
          req.socket.destroy();
          return;
        }
        // A hanging API takes the request and never answers it.
        if (faults.hanging()) return;
        let body: Buffer;
        try {
          body = await readBody(req, MAX_PAYLOAD_BYTES);
        } catch (error) {
          if (error instanceof BodyTooLarge) return jsonError(res, 413, 'Request Entity Too Large');
          throw error;
        }
        // The api door delays whole requests (chaos allows no answers-only delay here).
        const delayMs = faults.requestDelayMs();
        if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
        await handle(req, res, target, body);
      },
      {
        name: `[${options.region}] gateway`,
        // API Gateway's own answers are {"message": "..."} with the status text.
        reply: (res, status) => jsonError(res, status, status === 400 ? 'Bad Request' : 'Internal Server Error'),
        ...(options.log ? { log: options.log } : {}),
      },
    ),
  );
  server.keepAliveTimeout = 5000;
  server.on('connection', (socket) => faults.accept(socket));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    setMode: (next) => faults.setMode(next),
    setDelay: (ms) => faults.setDelay(ms),
    state: () => {
      const { mode, delayMs } = faults.state();
      return { mode, delayMs };
    },
    async stop() {
      faults.destroyAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
