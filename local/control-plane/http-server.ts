import { randomUUID } from 'node:crypto';
import http from 'node:http';
import zlib from 'node:zlib';
import { guardRequests, isLoopbackHost } from '../http-guard';
import { AwsServiceError } from './errors';

export type Operation = (region: string, input: Record<string, unknown>) => unknown;

/** One AWS API as the SDK sees it: how it is addressed and encoded, and what it can do. */
export interface ServiceApi {
  /** X-Amz-Target prefix for JSON protocols, SigV4 signing name for awsQuery. */
  address: string;
  protocol: 'json-1.0' | 'json-1.1' | 'query';
  /** CloudWatch's JSON protocol still carries awsQuery error codes in a header. */
  queryCompatible?: boolean;
  xmlNamespace?: string;
  operations: Record<string, Operation>;
}

export interface HttpServerOptions {
  port: number;
  apis: ServiceApi[];
  isRegionDown(region: string): boolean;
  log(line: string): void;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** `Credential=AKID/20260101/us-west-2/ssm/aws4_request` → region and signing name. */
export function credentialScope(authorization: string | undefined): { region: string; service: string } | undefined {
  const match = /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request/.exec(authorization ?? '');
  return match?.[1] && match[2] ? { region: match[1], service: match[2] } : undefined;
}

export async function startHttpServer(options: HttpServerOptions): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer(
    guardRequests((req, res) => handle(options, req, res), {
      name: 'control-plane',
      log: options.log,
      reply: (res, status, message) => {
        const failure =
          status === 400 ? new AwsServiceError('InvalidRequest', message) : new AwsServiceError('InternalFailure', message, 500);
        res.writeHead(failure.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ __type: failure.code, message: failure.message }));
      },
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : options.port };
}

/**
 * SDK clients never send Origin, and name 127.0.0.1 in Host; a browser page sends Origin on every
 * cross-origin request and, re-binding its own domain to 127.0.0.1, still names that domain in
 * Host. Either way the request comes from a web page, not from a part of the runtime or a CLI.
 */
function crossSiteRefusal(req: http.IncomingMessage): AwsServiceError | undefined {
  if (req.headers.origin !== undefined || !isLoopbackHost(req.headers.host)) {
    return new AwsServiceError('AccessDeniedException', 'The local AWS APIs do not answer requests from web pages', 403);
  }
  return undefined;
}

async function handle(options: HttpServerOptions, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  let body: Buffer;
  try {
    const refusal = crossSiteRefusal(req);
    if (refusal) throw refusal;
    body = await readBody(req);
  } catch (error) {
    const failure = asServiceError(error, options.log);
    res.writeHead(failure.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ __type: failure.code, message: failure.message }));
    return;
  }
  const scope = credentialScope(req.headers.authorization);
  if (scope && options.isRegionDown(scope.region)) {
    // What a client sees of a region that is unreachable: the connection just dies.
    req.socket.destroy();
    return;
  }
  const target = req.headers['x-amz-target'];
  const isForm = String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
  const requestId = randomUUID();
  if (typeof target === 'string' || !isForm) {
    const [prefix = '', operation = ''] = typeof target === 'string' ? splitTarget(target) : [];
    const api = options.apis.find((a) => a.protocol !== 'query' && a.address === prefix);
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, {
        'content-type': `application/x-amz-${api?.protocol ?? 'json-1.0'}`,
        'x-amzn-requestid': requestId,
        ...headers,
      });
      res.end(JSON.stringify(payload));
    };
    try {
      const run = api?.operations[operation];
      if (!api || !run) throw unknownOperation(typeof target === 'string' ? target : `${req.method} ${req.url}`);
      if (!scope) throw missingSignature();
      send(200, (await run(scope.region, parseJson(body))) ?? {});
    } catch (error) {
      const failure = asServiceError(error, options.log);
      const compat: Record<string, string> = api?.queryCompatible
        ? { 'x-amzn-query-error': `${failure.queryCode ?? failure.code};Sender` }
        : {};
      send(failure.status, { __type: failure.code, message: failure.message }, compat);
    }
    return;
  }
  const form = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
  const operation = form.Action ?? '';
  const api = options.apis.find((a) => a.protocol === 'query' && a.address === scope?.service);
  const xmlns = api?.xmlNamespace ?? 'https://aws.amazon.com/doc/';
  try {
    const run = api?.operations[operation];
    if (!api || !run) throw unknownOperation(`${scope?.service ?? 'unknown service'}:${operation || '(no Action)'}`);
    if (!scope) throw missingSignature();
    const result = (await run(scope.region, form)) as Record<string, string>;
    const fields = Object.entries(result ?? {})
      .map(([k, v]) => `<${k}>${escapeXml(String(v))}</${k}>`)
      .join('');
    res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
    res.end(
      `<${operation}Response xmlns="${xmlns}"><${operation}Result>${fields}</${operation}Result>` +
        `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`,
    );
  } catch (error) {
    const failure = asServiceError(error, options.log);
    res.writeHead(failure.status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
    res.end(
      `<ErrorResponse xmlns="${xmlns}"><Error><Type>Sender</Type><Code>${escapeXml(failure.code)}</Code>` +
        `<Message>${escapeXml(failure.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    );
  }
}

function splitTarget(target: string): [string, string] {
  const dot = target.lastIndexOf('.');
  return dot < 0 ? [target, ''] : [target.slice(0, dot), target.slice(dot + 1)];
}

function unknownOperation(what: string): AwsServiceError {
  return new AwsServiceError('UnknownOperationException', `The local control plane does not implement ${what}`);
}

function missingSignature(): AwsServiceError {
  return new AwsServiceError('IncompleteSignature', 'The request must be signed with SigV4: its credential scope names the region');
}

function parseJson(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new AwsServiceError('SerializationException', 'The request body is not a JSON object');
}

function asServiceError(error: unknown, log: (line: string) => void): AwsServiceError {
  if (error instanceof AwsServiceError) return error;
  log(`control-plane: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return new AwsServiceError('InternalFailure', 'The local control plane failed to process the request', 500);
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new AwsServiceError('RequestEntityTooLarge', 'The request body is larger than 4 MB', 413);
    chunks.push(chunk as Buffer);
  }
  const raw = Buffer.concat(chunks);
  // PutMetricData bodies of 10 KB and more arrive gzipped.
  if (req.headers['content-encoding'] !== 'gzip') return raw;
  try {
    return zlib.gunzipSync(raw);
  } catch {
    throw new AwsServiceError('SerializationException', 'The request body says Content-Encoding: gzip but is not gzip');
  }
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
