// Raw calls to DynamoDB Local in its JSON protocol (awsJson1_0), for the parts of the embedded
// runtime that run on its main thread and call DynamoDB Local all the time: the quorum door (every
// MRSC call of both regions) and the replicator (8 stream tails and every replicated write).
// Measured with `--cpu-prof` of `npm run bench -- --load` (2026-12-01): fetch (undici, web streams)
// was about a quarter of that thread, and the AWS SDK's middleware stack, serialisers, signing and
// log filter a third; a plain keep-alive request is several times cheaper. Values stay in wire form
// (binary attributes as base64 strings). The functions themselves keep using the real SDK.
import http from 'node:http';
import { LOCAL_CREDENTIALS } from './dynamodb-local';

export const DYNAMODB_TARGET = 'DynamoDB_20120810';
export const STREAMS_TARGET = 'DynamoDBStreams_20120810';
export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';

export interface WireAnswer {
  status: number;
  body: string;
}

/** A non-2xx answer: `code` is the exception's short name (`ResourceNotFoundException`, …). */
export class DynamoWireError extends Error {
  override readonly name = 'DynamoWireError';
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

// DynamoDB Local checks that a request is signed but not the signature (the runtime's DynamoDB
// Locals run with sharedDb, so the credentials do not pick a database either).
const LOCAL_AUTHORIZATION = `AWS4-HMAC-SHA256 Credential=${LOCAL_CREDENTIALS.accessKeyId}/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-target, Signature=0`;

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const endpoints = new Map<string, URL>();

export interface WireCallOptions {
  signal?: AbortSignal;
  /** No answer within this (ms): the call fails with a TimeoutError. Default: none. */
  timeoutMs?: number;
}

function send(url: URL, target: string, payload: string, options: WireCallOptions, retried: boolean): Promise<WireAnswer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        agent,
        headers: {
          'content-type': JSON_CONTENT_TYPE,
          'x-amz-target': target,
          authorization: LOCAL_AUTHORIZATION,
          'content-length': Buffer.byteLength(payload),
        },
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    if (options.timeoutMs !== undefined) {
      request.setTimeout(options.timeoutMs, () => {
        const timeout = new Error(`${target} on ${url.host}: no answer within ${options.timeoutMs} ms`);
        timeout.name = 'TimeoutError';
        request.destroy(timeout);
      });
    }
    request.on('error', (error: NodeJS.ErrnoException) => {
      // A kept-alive connection the server closed meanwhile: the request never reached it, so it
      // is sent once more on a new one (the pattern of Node's http docs, "request.reusedSocket").
      if (!retried && request.reusedSocket && error.code === 'ECONNRESET') {
        send(url, target, payload, options, true).then(resolve, reject);
      } else reject(error);
    });
    request.end(payload);
  });
}

/** One call, answered in wire form whatever its status. `target`: e.g. `DynamoDB_20120810.PutItem`. */
export function postDynamo(endpoint: string, target: string, body: unknown, options: WireCallOptions = {}): Promise<WireAnswer> {
  let url = endpoints.get(endpoint);
  if (!url) {
    url = new URL(endpoint);
    endpoints.set(endpoint, url);
  }
  return send(url, target, JSON.stringify(body), options, false);
}

/** One call whose non-2xx answer throws a DynamoWireError; the parsed body otherwise. */
export async function callDynamoWire<T>(
  endpoint: string,
  service: typeof DYNAMODB_TARGET | typeof STREAMS_TARGET,
  operation: string,
  body: unknown,
  options: WireCallOptions = {},
): Promise<T> {
  const answer = await postDynamo(endpoint, `${service}.${operation}`, body, options);
  if (answer.status >= 200 && answer.status < 300) return JSON.parse(answer.body || '{}') as T;
  let code = `HTTP_${answer.status}`;
  let message = answer.body.slice(0, 300);
  try {
    const parsed = JSON.parse(answer.body) as { __type?: string; message?: string; Message?: string };
    if (parsed.__type) code = parsed.__type.slice(parsed.__type.lastIndexOf('#') + 1);
    message = parsed.message ?? parsed.Message ?? message;
  } catch {
    // Not JSON: keep the status and the start of the body.
  }
  throw new DynamoWireError(code, answer.status, `${operation} on ${endpoint}: ${code}: ${message}`);
}
