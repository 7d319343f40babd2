// One region's S3 stand-in as it runs inside its worker thread (./s3-worker.ts, started by
// startS3Local in ./s3-local.ts): s3rver behind the layer that checks requests as S3 does.
import { randomUUID } from 'node:crypto';
import http, { type Server } from 'node:http';
import type net from 'node:net';
import { BodyTooLarge, guardRequests, type RequestTarget, readBody } from './http-guard';
import { S3RequestRefused, verifyS3Request } from './s3-signature';

/** The one key pair the S3 stand-in knows (s3rver's default account); requests must be signed with it. */
export const S3_LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** Bodies are held in memory while their signature and hash are checked. S3's own limit for one PUT is 5 GB. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** What serverless.yml's `CorsConfiguration.CorsRules` entries say, in CloudFormation's spelling. */
export interface S3CorsRule {
  AllowedMethods: string[];
  AllowedOrigins: string[];
  AllowedHeaders?: string[];
  ExposedHeaders?: string[];
  MaxAge?: number;
}

/** The browser PUTs to presigned URLs and reads photos back, from any local origin. */
export const PERMISSIVE_CORS: S3CorsRule[] = [
  { AllowedMethods: ['GET', 'PUT', 'HEAD'], AllowedOrigins: ['*'], AllowedHeaders: ['*'], ExposedHeaders: ['ETag'], MaxAge: 300 },
];

/** One stored object changed. Fired before the S3 response that caused it is sent. */
export interface S3ObjectEvent {
  bucket: string;
  key: string;
  kind: 'created' | 'removed';
  /** Epoch milliseconds at which s3rver stored the change. */
  at: number;
  /** Unquoted MD5 of the stored body, for creations. */
  eTag?: string;
  size?: number;
}

/** Where and how one region's S3 stand-in serves (see local/s3-local.ts for the caller's side). */
export interface S3ServerOptions {
  /** 0: chosen by the OS. */
  port: number;
  /** The region of these buckets: signatures must be scoped to it, as S3 requires. Default: any region. */
  region?: string;
  /** Created by the caller, who also removes it. */
  dataDir: string;
  buckets: string[];
  cors: S3CorsRule[];
}

/**
 * How the server reports changes: `publish` is called for each change as s3rver stores it (a
 * removal: as s3rver's answer to the delete arrives, see removedKeys);
 * `beforeAnswer` is called when s3rver's answer to a request arrives at the access layer, and
 * the answer is held until the promise it returns (if any) resolves, so that whoever receives
 * the published changes has taken them before the client hears of them.
 */
export interface S3ServerHooks {
  publish(event: S3ObjectEvent): void;
  beforeAnswer(): Promise<void> | undefined;
}

export interface S3Server {
  port: number;
  stop(): Promise<void>;
}

// s3rver 3.7.1 ships no type declarations: this is the slice of its API used here
// (lib/s3rver.js).
interface S3rverNotification {
  Records: Array<{
    eventName: string;
    eventTime: string;
    s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string } };
  }>;
}
interface S3rverInstance {
  httpServer?: Server;
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
  on(event: 'event', listener: (notification: S3rverNotification) => void): unknown;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;
// s3rver is CommonJS without types; the interfaces above type the part used here.
const S3rver = require('s3rver') as S3rverConstructor;

function escapeXml(value: string): string {
  return value.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function corsXml(rules: S3CorsRule[]): string {
  const rule = (r: S3CorsRule): string =>
    [
      ...r.AllowedOrigins.map((o) => `<AllowedOrigin>${escapeXml(o)}</AllowedOrigin>`),
      ...r.AllowedMethods.map((m) => `<AllowedMethod>${escapeXml(m)}</AllowedMethod>`),
      ...(r.AllowedHeaders ?? []).map((h) => `<AllowedHeader>${escapeXml(h)}</AllowedHeader>`),
      ...(r.ExposedHeaders ?? []).map((h) => `<ExposeHeader>${escapeXml(h)}</ExposeHeader>`),
      ...(r.MaxAge === undefined ? [] : [`<MaxAgeSeconds>${r.MaxAge}</MaxAgeSeconds>`]),
    ].join('');
  return `<CORSConfiguration>${rules.map((r) => `<CORSRule>${rule(r)}</CORSRule>`).join('')}</CORSConfiguration>`;
}

function s3ErrorXml(code: string, message: string, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message><RequestId>${requestId}</RequestId></Error>`;
}

/** The CORS headers the bucket's rules give a request from `origin` (S3 adds them to error answers too). */
function corsHeaders(rules: S3CorsRule[], origin: string | undefined, method: string): Record<string, string> {
  if (!origin) return {};
  const rule = rules.find(
    (r) => (r.AllowedOrigins.includes('*') || r.AllowedOrigins.includes(origin)) && r.AllowedMethods.includes(method),
  );
  if (!rule) return {};
  return {
    'access-control-allow-origin': rule.AllowedOrigins.includes('*') ? '*' : origin,
    ...(rule.ExposedHeaders?.length ? { 'access-control-expose-headers': rule.ExposedHeaders.join(', ') } : {}),
    vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
  };
}

/** Methods that change no object in s3rver (every change is a PUT, POST or DELETE). */
const READ_ONLY_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'expect', 'content-length', 'upgrade', 'te', 'trailer']);

/** The objects a request deletes. */
export interface Removal {
  bucket: string;
  keys: string[];
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (entity, name: string) => {
    if (name[0] !== '#') return XML_ENTITIES[name.toLowerCase()] ?? entity;
    const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
    return Number.isInteger(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
  });
}

/**
 * The keys a request deletes, as S3 counts them (path-style requests: /bucket/key): a simple
 * DELETE of one object (not of a version, its tags or a multipart upload), or every key of a
 * multi-object delete (POST /bucket?delete). In a versioned bucket, and replication needs
 * versioning, a simple DELETE adds a delete marker whether or not the key holds an object
 * (S3 User Guide, "Working with delete markers", DeleteMarker.html), and delete marker
 * replication, which infra/resources/buckets.yml enables, sends that marker to the peer
 * ("Replicating delete markers between buckets", delete-marker-replication.html). s3rver stores
 * nothing for a key it does not hold and says nothing, so a delete of an object whose replica
 * was still on its way would never replicate, and the late copy would bring the deleted object
 * back in both regions. Counted here, every delete is a change the replicator sees.
 */
export function removedKeys(method: string, target: Pick<RequestTarget, 'segments' | 'query'>, body: Buffer): Removal | undefined {
  const [, bucket, ...rest] = target.segments;
  if (!bucket) return undefined;
  if (method === 'DELETE' && rest.length > 0) {
    const key = rest.join('/');
    const { query } = target;
    if (key === '' || query.has('versionId') || query.has('uploadId') || query.has('tagging')) return undefined;
    return { bucket, keys: [key] };
  }
  // The SDK sends a bucket's requests path-style as /bucket/ (a trailing slash), others as /bucket.
  if (method === 'POST' && rest.join('') === '' && target.query.has('delete')) {
    // The body is <Delete><Object><Key>…</Key>[<VersionId>…</VersionId>]</Object>…</Delete>.
    const keys = [...body.toString('utf8').matchAll(/<Key>([\s\S]*?)<\/Key>/g)].map((m) => unescapeXml(m[1] as string));
    return keys.length > 0 ? { bucket, keys } : undefined;
  }
  return undefined;
}

/**
 * The layer in front of s3rver: checks every request as S3 checks a private bucket's requests
 * (local/s3-signature.ts: signature, scope, expiry, signed headers, payload hash; an unsigned
 * request is AccessDenied, except CORS preflights), then hands it to s3rver unchanged.
 */
async function startAccessLayer(options: {
  port: number;
  upstreamPort: number;
  region?: string;
  cors: S3CorsRule[];
  publish: S3ServerHooks['publish'];
  beforeAnswer: S3ServerHooks['beforeAnswer'];
}): Promise<{ server: Server; port: number; agent: http.Agent }> {
  const agent = new http.Agent({ keepAlive: true });
  const fail = (res: http.ServerResponse, error: S3RequestRefused, cors: Record<string, string>) => {
    const requestId = randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
    const xml = s3ErrorXml(error.code, error.message, requestId);
    res.writeHead(error.status, { 'content-type': 'application/xml', 'x-amz-request-id': requestId, ...cors });
    res.end(res.req.method === 'HEAD' ? undefined : xml);
  };
  const forward = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, removes: Removal | undefined) =>
    new Promise<void>((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
      headers['content-length'] = String(body.length);
      const upstream = http.request(
        { host: '127.0.0.1', port: options.upstreamPort, method: req.method, path: req.url, headers, agent },
        (answer) => {
          let failed = false;
          answer.on('error', (error) => {
            failed = true;
            reject(error);
          });
          const send = () => {
            // The answer broke, or the client left, while it was held: nothing is left to send.
            if (failed || res.headersSent || res.destroyed) {
              answer.destroy();
              resolve();
              return;
            }
            const out: http.OutgoingHttpHeaders = {};
            for (const [name, value] of Object.entries(answer.headers))
              if (!HOP_BY_HOP.has(name) || name === 'content-length') out[name] = value;
            res.writeHead(answer.statusCode ?? 502, out);
            answer.pipe(res);
            answer.on('end', resolve);
            res.on('close', resolve);
          };
          // s3rver has stored (and published) every creation of this request before it answers;
          // its removals are published here, before the answer goes on. A GET, HEAD or OPTIONS
          // changes nothing, so it never waits for other requests' changes.
          const status = answer.statusCode ?? 502;
          if (removes && status >= 200 && status < 300) {
            const at = Date.now();
            for (const key of removes.keys) options.publish({ bucket: removes.bucket, key, kind: 'removed', at });
          }
          const held = READ_ONLY_METHODS.has(req.method ?? 'GET') ? undefined : options.beforeAnswer();
          if (held) held.then(send).catch(reject);
          else send();
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, target: RequestTarget): Promise<void> => {
    const method = req.method ?? 'GET';
    const cors = corsHeaders(
      options.cors,
      req.headers.origin,
      method === 'OPTIONS' ? String(req.headers['access-control-request-method']) : method,
    );
    let body: Buffer;
    try {
      body = await readBody(req, MAX_BODY_BYTES);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        return fail(
          res,
          new S3RequestRefused('EntityTooLarge', `The local S3 stand-in takes bodies of at most ${MAX_BODY_BYTES} bytes`, 400),
          cors,
        );
      }
      throw error;
    }
    // A browser's CORS preflight carries no credentials; s3rver answers it from the bucket's CORS rules.
    if (method !== 'OPTIONS') {
      try {
        const principal = verifyS3Request(
          { method, rawPath: target.rawPath, rawQuery: target.rawQuery, headers: req.headersDistinct, body },
          { keys: [S3_LOCAL_CREDENTIALS], now: new Date(), ...(options.region ? { region: options.region } : {}) },
        );
        // The buckets are private (Block Public Access, no public policy): anonymous requests are refused.
        if (!principal) throw new S3RequestRefused('AccessDenied', 'Access Denied', 403);
      } catch (error) {
        if (error instanceof S3RequestRefused) return fail(res, error, cors);
        throw error;
      }
    }
    await forward(req, res, body, removedKeys(method, target, body));
  };

  const server = http.createServer(
    guardRequests(handle, {
      name: 's3',
      reply: (res, status, message) =>
        fail(
          res,
          new S3RequestRefused(
            status === 400 ? 'InvalidURI' : 'InternalError',
            status === 400 ? "Couldn't parse the specified URI." : message,
            status,
          ),
          {},
        ),
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return { server, port: (server.address() as net.AddressInfo).port, agent };
}

/**
 * s3rver logs every request even when `silent`: koa-logger formats each line and counts every
 * response body through a stream of its own, and winston formats each controller message before
 * its silent transport drops it. Idle, the probes' S3 checks made that a tenth of the runtime's
 * CPU (README, performance). Requests and answers are unchanged: only the logging goes.
 */
function quietS3rver(server: S3rverInstance): void {
  const app = server as unknown as { middleware: Array<{ name?: string }>; context: { logger: unknown } };
  const index = app.middleware.findIndex((fn) => fn.name === 'logger');
  if (index >= 0) app.middleware.splice(index, 1);
  const quiet = () => undefined;
  app.context.logger = { error: quiet, warn: quiet, info: quiet, debug: quiet, log: quiet };
}

/**
 * Starts s3rver (a filesystem-backed S3 stand-in) with the given buckets, each with CORS so a
 * browser can PUT to presigned URLs, behind a layer that checks requests as S3 does (see
 * startAccessLayer), in the calling thread.
 */
export async function startS3Server(options: S3ServerOptions, hooks: S3ServerHooks): Promise<S3Server> {
  const { dataDir } = options;
  const server = new S3rver({
    address: '127.0.0.1',
    // Port 0 lets the OS pick, with no window in which another process can take the port.
    // Only the access layer talks to s3rver; clients use the layer's port.
    port: 0,
    silent: true,
    directory: dataDir,
    vhostBuckets: false,
    configureBuckets: options.buckets.map((name) => ({ name, configs: [corsXml(options.cors)] })),
  });
  quietS3rver(server);

  // Creations come from s3rver's documented 'event' notifications (Put, Post, Copy,
  // CompleteMultipartUpload), before s3rver answers. Removals are counted by the access layer
  // from the requests (removedKeys, above): s3rver raises no notification for the multi-object
  // DeleteObjects call, nor for a delete of a key it does not hold; its single-delete
  // notification is ignored so that each removal is reported exactly once.
  server.on('event', (notification) => {
    for (const record of notification.Records) {
      if (!record.eventName.startsWith('ObjectCreated:')) continue;
      const parsed = Date.parse(record.eventTime);
      hooks.publish({
        bucket: record.s3.bucket.name,
        key: record.s3.object.key,
        kind: 'created',
        at: Number.isNaN(parsed) ? Date.now() : parsed,
        ...(record.s3.object.eTag === undefined ? {} : { eTag: record.s3.object.eTag }),
        ...(record.s3.object.size === undefined ? {} : { size: Number(record.s3.object.size) }),
      });
    }
  });

  const address = await server.run();
  const front = await startAccessLayer({
    port: options.port,
    upstreamPort: address.port,
    cors: options.cors,
    publish: hooks.publish,
    beforeAnswer: hooks.beforeAnswer,
    ...(options.region ? { region: options.region } : {}),
  }).catch(async (error: unknown) => {
    await server.close();
    throw error;
  });
  let stopped = false;
  return {
    port: front.port,
    async stop() {
      if (stopped) return;
      stopped = true;
      front.server.closeAllConnections();
      await new Promise<void>((resolve) => front.server.close(() => resolve()));
      front.agent.destroy();
      const closing = server.close();
      // SDK clients keep sockets alive; without this, close() waits for them to time out.
      server.httpServer?.closeAllConnections();
      await closing;
      // A request cut off by closeAllConnections may still open its object file a moment later;
      // removing the folder under it would fail, or leave the folder behind.
      await new Promise((resolve) => setTimeout(resolve, 250));
    },
  };
}
