// Signature Version 4 as Amazon S3 checks it, for the layer in front of the S3 stand-in
// (local/s3-local.ts): s3rver itself accepts any SigV4 signature, expired presigned URLs and
// anonymous writes, so without this no local test of S3 access would mean what it means on AWS.
//
// What S3 documents and this follows ("Authenticating Requests (AWS Signature Version 4)" in the
// Amazon S3 API Reference: "Signature Calculations for the Authorization Header" and
// "Authenticating Requests: Using Query Parameters"):
// - the canonical request is METHOD, the URI-encoded path (S3 does not normalise it nor encode it
//   twice), the sorted URI-encoded query (X-Amz-Signature left out), the signed headers with
//   trimmed values, their names, and the payload hash;
// - the signing key is HMAC-SHA256 of "AWS4" + secret over date, region, "s3", "aws4_request";
// - `host` and every `x-amz-*` header sent must be signed; the credential scope's date must be the
//   request's date, its service "s3" and its region the bucket's region;
// - header authentication needs x-amz-content-sha256, and a hex payload hash must match the body;
//   the request time must be within 15 minutes of the server's;
// - a presigned URL is valid from X-Amz-Date for X-Amz-Expires seconds (at most 7 days) and its
//   payload is UNSIGNED-PAYLOAD;
// - SigV2 is refused (S3 buckets created since June 2020 accept SigV4 only).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface S3AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
}

/** An S3 error answer (code and status as S3 documents them in "Error responses"). */
export class S3RequestRefused extends Error {
  override readonly name = 'S3RequestRefused';
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface IncomingS3Request {
  method: string;
  /** As sent, percent-encoded, without the query. */
  rawPath: string;
  /** As sent, without the `?`. */
  rawQuery: string;
  /** Lower-case names; every value of a repeated header (Node's `headersDistinct`). */
  headers: Record<string, string[] | undefined>;
  body: Buffer;
}

export interface VerifyOptions {
  keys: S3AccessKey[];
  /** The region of the buckets served; when given, the credential scope must name it. */
  region?: string;
  now: Date;
}

/** The access key that signed the request, or null for an anonymous (unsigned) request. */
export type Principal = { accessKeyId: string } | null;

const ALGORITHM = 'AWS4-HMAC-SHA256';
const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGNED_SECONDS = 7 * 24 * 3600;
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const HEX_SHA256 = /^[0-9a-f]{64}$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding, as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ is %XX (upper case). */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function parseAmzDate(value: string | undefined): Date | undefined {
  const m = AMZ_DATE.exec(value ?? '');
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

interface QueryParam {
  name: string;
  value: string;
}

function parseQuery(rawQuery: string): QueryParam[] {
  if (rawQuery === '') return [];
  try {
    return rawQuery
      .split('&')
      .filter((part) => part !== '')
      .map((part) => {
        const eq = part.indexOf('=');
        const name = eq < 0 ? part : part.slice(0, eq);
        const value = eq < 0 ? '' : part.slice(eq + 1);
        return { name: decodeURIComponent(name), value: decodeURIComponent(value) };
      });
  } catch {
    throw new S3RequestRefused('InvalidURI', "Couldn't parse the specified URI.", 400);
  }
}

function canonicalQuery(params: QueryParam[]): string {
  return params
    .filter((p) => p.name !== 'X-Amz-Signature')
    .map((p) => [uriEncode(p.name), uriEncode(p.value)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function canonicalPath(rawPath: string): string {
  // The guard in front (local/http-guard.ts) has checked that every segment decodes.
  return rawPath
    .split('/')
    .map((segment) => uriEncode(decodeURIComponent(segment)))
    .join('/');
}

const headerValue = (values: string[] | undefined): string => (values ?? []).map((v) => v.trim().replace(/\s+/g, ' ')).join(',');

interface Authorization {
  accessKeyId: string;
  scope: { date: string; region: string; service: string; terminator: string };
  signedHeaders: string[];
  signature: string;
  requestTime: Date;
  payloadHash: string;
  presigned: boolean;
  /** X-Amz-Expires of a presigned URL. */
  expiresSeconds?: number;
}

function malformed(presigned: boolean, detail: string): S3RequestRefused {
  return presigned
    ? new S3RequestRefused('AuthorizationQueryParametersError', detail, 400)
    : new S3RequestRefused('AuthorizationHeaderMalformed', `The authorization header is malformed; ${detail}`, 400);
}

function parseCredential(credential: string | undefined, presigned: boolean): Pick<Authorization, 'accessKeyId' | 'scope'> {
  const parts = (credential ?? '').split('/');
  const [accessKeyId, date, region, service, terminator] = parts;
  if (parts.length !== 5 || !accessKeyId || !date || !region || !service || !terminator) {
    throw malformed(presigned, 'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".');
  }
  return { accessKeyId, scope: { date, region, service, terminator } };
}

function fromHeader(request: IncomingS3Request): Authorization {
  const header = headerValue(request.headers.authorization);
  if (!header.startsWith(`${ALGORITHM} `)) {
    throw new S3RequestRefused(
      'InvalidRequest',
      'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
      400,
    );
  }
  const fields = new Map(
    header
      .slice(ALGORITHM.length + 1)
      .split(',')
      .map((field) => field.trim())
      .map((field) => [field.slice(0, field.indexOf('=')), field.slice(field.indexOf('=') + 1)] as const),
  );
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!credential || !signedHeaders || !signature) {
    throw malformed(false, 'the authorization header requires three components: Credential, SignedHeaders, and Signature.');
  }
  const amzDate = request.headers['x-amz-date']?.[0];
  const requestTime = amzDate === undefined ? new Date(request.headers.date?.[0] ?? '') : parseAmzDate(amzDate);
  if (!requestTime || Number.isNaN(requestTime.getTime())) {
    throw new S3RequestRefused('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header', 403);
  }
  const payloadHash = request.headers['x-amz-content-sha256']?.[0];
  if (payloadHash === undefined) {
    throw new S3RequestRefused('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256', 400);
  }
  return {
    ...parseCredential(credential, false),
    signedHeaders: signedHeaders.split(';'),
    signature,
    requestTime,
    payloadHash,
    presigned: false,
  };
}

function fromQuery(request: IncomingS3Request, params: QueryParam[]): Authorization {
  const get = (name: string) => params.find((p) => p.name === name)?.value;
  if (get('X-Amz-Algorithm') !== ALGORITHM) throw malformed(true, 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  const credential = get('X-Amz-Credential');
  const signedHeaders = get('X-Amz-SignedHeaders');
  const signature = get('X-Amz-Signature');
  const requestTime = parseAmzDate(get('X-Amz-Date'));
  const expires = get('X-Amz-Expires');
  if (!credential || !signedHeaders || !signature || !requestTime || expires === undefined) {
    throw malformed(
      true,
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  }
  if (!/^[0-9]{1,7}$/.test(expires)) throw malformed(true, 'X-Amz-Expires should be a number');
  if (Number(expires) > MAX_PRESIGNED_SECONDS) {
    throw malformed(true, `X-Amz-Expires must be less than a week (in seconds) that is ${MAX_PRESIGNED_SECONDS}`);
  }
  return {
    ...parseCredential(credential, true),
    signedHeaders: signedHeaders.split(';'),
    signature,
    requestTime,
    payloadHash: request.headers['x-amz-content-sha256']?.[0] ?? get('X-Amz-Content-Sha256') ?? UNSIGNED_PAYLOAD,
    presigned: true,
    expiresSeconds: Number(expires),
  };
}

const formatAmzDate = (date: Date): string =>
  date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/**
 * Checks the request's SigV4 signature as S3 would. Returns who signed it, or null when it is not
 * signed at all (what S3 then allows is the bucket's decision); throws S3RequestRefused otherwise.
 */
export function verifyS3Request(request: IncomingS3Request, options: VerifyOptions): Principal {
  const params = parseQuery(request.rawQuery);
  const byHeader = request.headers.authorization !== undefined;
  const byQuery = params.some((p) => p.name === 'X-Amz-Algorithm');
  const bySigV2 = params.some((p) => p.name === 'Signature' || p.name === 'AWSAccessKeyId');
  if ([byHeader, byQuery, bySigV2].filter(Boolean).length > 1) {
    throw new S3RequestRefused(
      'InvalidArgument',
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
      400,
    );
  }
  if (bySigV2) {
    throw new S3RequestRefused(
      'InvalidRequest',
      'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
      400,
    );
  }
  if (!byHeader && !byQuery) return null;

  const auth = byHeader ? fromHeader(request) : fromQuery(request, params);
  const { scope } = auth;
  if (scope.date !== formatAmzDate(auth.requestTime).slice(0, 8)) {
    throw malformed(auth.presigned, 'Invalid credential date. Date is not the same as X-Amz-Date.');
  }
  if (scope.service !== 's3') throw malformed(auth.presigned, `the service '${scope.service}' is wrong; expecting 's3'`);
  if (scope.terminator !== 'aws4_request') throw malformed(auth.presigned, "the Credential's terminator must be 'aws4_request'");
  if (options.region !== undefined && scope.region !== options.region) {
    throw malformed(auth.presigned, `the region '${scope.region}' is wrong; expecting '${options.region}'`);
  }

  const now = options.now.getTime();
  if (auth.presigned) {
    const expiresSeconds = auth.expiresSeconds ?? 0;
    if (auth.requestTime.getTime() - now > MAX_SKEW_MS) throw new S3RequestRefused('AccessDenied', 'Request is not valid yet', 403);
    if (now > auth.requestTime.getTime() + expiresSeconds * 1000) throw new S3RequestRefused('AccessDenied', 'Request has expired', 403);
  } else if (Math.abs(now - auth.requestTime.getTime()) > MAX_SKEW_MS) {
    throw new S3RequestRefused('RequestTimeTooSkewed', "The difference between the request time and the server's time is too large.", 403);
  }

  const key = options.keys.find((k) => k.accessKeyId === auth.accessKeyId);
  if (!key) {
    throw new S3RequestRefused('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', 403);
  }

  const signed = new Set(auth.signedHeaders);
  const unsigned = Object.keys(request.headers).filter(
    (name) => name.startsWith('x-amz-') && !signed.has(name) && !(auth.presigned && name === 'x-amz-content-sha256'),
  );
  if (!signed.has('host') || unsigned.length > 0) {
    throw new S3RequestRefused('AccessDenied', 'There were headers present in the request which were not signed', 403);
  }

  const canonicalRequest = [
    request.method,
    canonicalPath(request.rawPath),
    canonicalQuery(params),
    ...auth.signedHeaders.map((name) => `${name}:${headerValue(request.headers[name])}`),
    '',
    auth.signedHeaders.join(';'),
    auth.payloadHash,
  ].join('\n');
  const credentialScope = [scope.date, scope.region, scope.service, scope.terminator].join('/');
  const stringToSign = [ALGORITHM, formatAmzDate(auth.requestTime), credentialScope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = [scope.date, scope.region, scope.service, scope.terminator].reduce<Buffer | string>(
    (k, part) => hmac(k, part),
    `AWS4${key.secretAccessKey}`,
  );
  const expected = Buffer.from(createHmac('sha256', signingKey).update(stringToSign).digest('hex'));
  const given = Buffer.from(auth.signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new S3RequestRefused(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      403,
    );
  }

  if (auth.payloadHash.startsWith('STREAMING-')) {
    throw new S3RequestRefused('NotImplemented', 'The local S3 stand-in does not implement aws-chunked (streaming) uploads', 501);
  }
  if (auth.payloadHash !== UNSIGNED_PAYLOAD) {
    if (!HEX_SHA256.test(auth.payloadHash)) {
      throw new S3RequestRefused(
        'InvalidArgument',
        'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, or a valid sha256 value.',
        400,
      );
    }
    if (auth.payloadHash !== sha256Hex(request.body)) {
      throw new S3RequestRefused(
        'XAmzContentSHA256Mismatch',
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
        400,
      );
    }
  }
  return { accessKeyId: key.accessKeyId };
}
