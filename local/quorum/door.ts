// One region's quorum door: an HTTP server speaking the DynamoDB JSON protocol (POST /, header
// X-Amz-Target: DynamoDB_20120810.<Operation>), so the real AWS SDK clients work against it
// unchanged. What each operation means is the store's business (store.ts); this file only
// decodes requests and writes answers.

import http from 'node:http';
import type net from 'node:net';
import { guardRequests } from '../http-guard';
import { errorAnswer, JSON_CONTENT_TYPE, TARGET_PREFIX, type WireAnswer } from './wire';

// BatchWriteItem and TransactWriteItems requests may be up to 16 MB.
const MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface QuorumDoorServer {
  region: string;
  port: number;
  url: string;
  stop(): Promise<void>;
}

export type DoorHandler = (operation: string, body: Record<string, unknown>) => Promise<WireAnswer>;

function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function decode(req: http.IncomingMessage, handle: DoorHandler): Promise<WireAnswer> {
  const target = req.headers['x-amz-target'];
  if (req.method !== 'POST' || typeof target !== 'string' || !target.startsWith(TARGET_PREFIX)) {
    return errorAnswer(
      'unknownOperation',
      `Expected POST / with X-Amz-Target: ${TARGET_PREFIX}<Operation> (got ${req.method} ${target ?? 'no target'})`,
    );
  }
  const raw = await readBody(req);
  if (raw === undefined) return errorAnswer('validation', `Request body exceeds ${MAX_BODY_BYTES} bytes`);
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8') || '{}');
  } catch {
    return errorAnswer('serialization', 'Request body is not valid JSON');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return errorAnswer('serialization', 'Request body must be a JSON object');
  return handle(target.slice(TARGET_PREFIX.length), body as Record<string, unknown>);
}

export async function startQuorumDoor(options: {
  region: string;
  port?: number;
  handle: DoorHandler;
  log?(line: string): void;
}): Promise<QuorumDoorServer> {
  let requestCount = 0;
  const send = (res: http.ServerResponse, answer: WireAnswer, requestId: string) => {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(answer.status, {
      'content-type': JSON_CONTENT_TYPE,
      'content-length': Buffer.byteLength(answer.body),
      'x-amzn-requestid': requestId,
    });
    res.end(answer.body);
  };
  // The runtime's request guard (local/http-guard.ts): a malformed path is answered 400, and no
  // request can end the process.
  const guarded = guardRequests(
    (req, res) => {
      // A plain GET / is how load balancers probe DynamoDB endpoints; answer it like one.
      if (req.method === 'GET' && (req.url ?? '/') === '/') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(`healthy: quorum door ${options.region}`);
        return;
      }
      requestCount += 1;
      const requestId = `quorum-${options.region}-${Date.now().toString(36)}-${requestCount}`;
      decode(req, options.handle)
        .catch((error: Error) => {
          options.log?.(`[quorum] ${options.region}: ${error.name}: ${error.message}`);
          return errorAnswer('internal', 'The quorum door could not process the request');
        })
        .then((answer) => send(res, answer, requestId));
    },
    {
      name: `[quorum] ${options.region} door`,
      reply: (res, status, message) =>
        send(res, errorAnswer(status === 400 ? 'validation' : 'internal', message), `quorum-${options.region}-guard`),
      ...(options.log ? { log: options.log } : {}),
    },
  );
  const server = http.createServer(guarded);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    region: options.region,
    port,
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
