// The one front door every HTTP server of the embedded runtime goes through (the control server,
// the regional APIs, the AWS APIs stand-in, the S3 stand-in): the request target is decoded once,
// here, and a malformed one is answered 400 before any handler sees it; whatever a handler throws,
// synchronously or not, is answered 500 and logged. No request can end the process.
import type http from 'node:http';

/** A request target that decoded cleanly. */
export interface RequestTarget {
  /** The path exactly as sent (percent-encoded, dot segments kept), without the query. */
  rawPath: string;
  /** The query as sent, without the `?` ('' when there is none). */
  rawQuery: string;
  /** The path's segments, percent-decoded (the first is always '' since paths start with '/'). */
  segments: string[];
  /** The query, parsed. */
  query: URLSearchParams;
}

/** How a server answers in its own format (JSON, XML…). */
export type ErrorReply = (res: http.ServerResponse, status: 400 | 500, message: string) => void;

export interface GuardOptions {
  /** Names the server in log lines. */
  name: string;
  reply: ErrorReply;
  log?(line: string): void;
}

export type GuardedListener = (req: http.IncomingMessage, res: http.ServerResponse, target: RequestTarget) => void | Promise<void>;

export const MALFORMED_TARGET = 'The request path is not valid: it must start with "/" and be percent-encoded UTF-8';

/**
 * Parses an origin-form request target (`/path?query`). Undefined when it is not one, or when a
 * path segment is not valid percent-encoded UTF-8 (`%ZZ`, a truncated multi-byte sequence).
 */
export function parseTarget(url: string | undefined): RequestTarget | undefined {
  if (!url?.startsWith('/')) return undefined;
  const mark = url.indexOf('?');
  const rawPath = mark < 0 ? url : url.slice(0, mark);
  const rawQuery = mark < 0 ? '' : url.slice(mark + 1);
  let segments: string[];
  try {
    segments = rawPath.split('/').map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined;
  }
  return { rawPath, rawQuery, segments, query: new URLSearchParams(rawQuery) };
}

/** Decodes a part of a path that parseTarget() already accepted (whole segments), so it cannot throw. */
export function decodePathPart(raw: string): string {
  return raw
    .split('/')
    .map((segment) => decodeURIComponent(segment))
    .join('/');
}

/** Wraps a request listener with the guard (see the top of this file). */
export function guardRequests(listener: GuardedListener, options: GuardOptions): http.RequestListener {
  const log = options.log ?? (() => {});
  return (req, res) => {
    // A client that goes away mid-request makes these streams emit 'error'; unhandled, that
    // would be an uncaught exception.
    req.on('error', () => {});
    res.on('error', () => {});
    const fail = (error: unknown) => {
      log(
        `${options.name}: request ${req.method ?? '?'} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      if (res.headersSent) {
        res.destroy();
        return;
      }
      try {
        options.reply(res, 500, 'Internal error');
      } catch {
        res.destroy();
      }
    };
    const target = parseTarget(req.url);
    if (!target) {
      try {
        options.reply(res, 400, MALFORMED_TARGET);
      } catch (error) {
        fail(error);
      }
      return;
    }
    try {
      const pending = listener(req, res, target);
      if (pending) pending.catch(fail);
    } catch (error) {
      fail(error);
    }
  };
}

export class BodyTooLarge extends Error {
  override readonly name = 'BodyTooLarge';
  constructor(readonly limit: number) {
    super(`The request body is larger than ${limit} bytes`);
  }
}

/**
 * The whole body, or BodyTooLarge. Past the limit the rest is read and dropped, so that the
 * answer still reaches the client.
 */
export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      outcome();
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        settle(() => reject(new BodyTooLarge(limit)));
      } else chunks.push(chunk);
    });
    req.on('end', () => settle(() => resolve(Buffer.concat(chunks))));
    req.on('error', (error) => settle(() => reject(error)));
    req.on('close', () => settle(() => reject(new Error('The client closed the connection before the body was complete'))));
  });
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Whether the Host header names this machine's loopback interface (the only one the runtime
 * listens on). A page that re-binds its own domain name to 127.0.0.1 ("DNS rebinding") is
 * same-origin for the browser, so CORS does not stop it; its Host header still names its domain.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : (host.split(':')[0] ?? '');
  return LOOPBACK_HOSTS.has(name.toLowerCase());
}
