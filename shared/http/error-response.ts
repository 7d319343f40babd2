// The one table from a thrown error to the HTTP answer a client gets and to the reason the
// WriteRefused metric counts. Errors are matched by class (`instanceof`), never by name: the
// domain throws its named errors and knows nothing of HTTP; their statuses are attached here, at
// the edge. http-errors thrown on purpose keep their status; anything else is an opaque 500,
// because its message may carry internals (SDK errors, table names, stacks).
import createHttpError from 'http-errors';
import {
  IllegalTransition,
  InvalidTransitionCommand,
  RegionIsolated,
  StaleVersion,
  StateMismatch,
  WritesFenced,
  WritesResuming,
  WrongRegion,
} from '../app-state/errors';
import { WriteDeadlinePassed } from '../app-state/write-deadline';
import { Unauthenticated } from '../auth/errors';
import { IdempotencyKeyOutOfRange, IdempotencyKeyReused, IdempotentRequestInProgress, InvalidIdempotencyKey } from '../idempotency/errors';
import {
  CommentNotFound,
  InvalidCursor,
  NotOwner,
  PhotoNotFound,
  PhotoTooLarge,
  UnsupportedImage,
  UploadAlreadyCompleted,
  UploadChanged,
  UploadDiscarded,
  UploadExpired,
  UploadNotReceived,
  UploadSizeMismatch,
} from '../photos/errors';
import { BodyTooLarge, InvalidInput, UnsupportedMediaType } from './input';
import type { ErrorBody } from './responses';

/** Why a write was not accepted, as counted by the WriteRefused metric. */
export type RefusalReason = 'WRITES_FENCED' | 'WRONG_REGION' | 'VALIDATION' | 'AUTH' | 'NOT_FOUND' | 'CONFLICT' | 'ERROR';

export interface ErrorResponse {
  statusCode: number;
  body: ErrorBody;
  headers: Record<string, string>;
  /** Not a deliberate refusal: the client got a generic answer, the details belong in the logs. */
  internal: boolean;
}

const INTERNAL_ERROR_BODY: ErrorBody = { code: 'INTERNAL_ERROR', message: 'Internal server error' };

// biome-ignore lint/suspicious/noExplicitAny: constructors of any signature; only `instanceof` is used.
type ErrorClass<E extends Error> = abstract new (...args: any[]) => E;

interface Rule<E extends Error> {
  type: ErrorClass<E>;
  status: number;
  /** The client-facing code; the application state's errors and the write lease's carry their own. */
  code?: string;
  refusal: RefusalReason;
  /** Fields the client needs besides code and message (where to write, the current version). */
  details?: (error: E) => Record<string, unknown>;
  headers?: (error: E) => Record<string, string>;
}

const rule = <E extends Error>(r: Rule<E>): Rule<Error> => r as unknown as Rule<Error>;
const retryAfter = (error: { retryAfterSeconds: number }) => ({ 'Retry-After': String(error.retryAfterSeconds) });

// Order matters only for subclasses, and none of these classes extends another.
const RULES: Array<Rule<Error>> = [
  // The write gate and the write lease: refused before anything was stored, safe to retry.
  rule({ type: WritesFenced, status: 503, refusal: 'WRITES_FENCED', headers: retryAfter }),
  rule({ type: RegionIsolated, status: 503, refusal: 'ERROR', headers: retryAfter }),
  rule({ type: WritesResuming, status: 503, refusal: 'ERROR', headers: retryAfter }),
  rule({ type: WriteDeadlinePassed, status: 503, refusal: 'ERROR', headers: () => ({ 'Retry-After': '1' }) }),
  rule({
    type: WrongRegion,
    status: 409,
    refusal: 'WRONG_REGION',
    details: (e: WrongRegion) => ({ writableRegion: e.writableRegion }),
  }),
  // Transitions of the application state.
  rule({ type: StaleVersion, status: 409, refusal: 'ERROR', details: (e: StaleVersion) => ({ currentVersion: e.actualVersion }) }),
  rule({
    type: StateMismatch,
    status: 409,
    refusal: 'ERROR',
    details: (e: StateMismatch) => ({ currentState: e.actualState, currentVersion: e.version }),
  }),
  rule({ type: IllegalTransition, status: 409, refusal: 'ERROR' }),
  rule({ type: InvalidTransitionCommand, status: 400, refusal: 'ERROR' }),
  // The request itself.
  rule({ type: InvalidInput, status: 400, code: 'VALIDATION', refusal: 'VALIDATION' }),
  rule({ type: BodyTooLarge, status: 413, code: 'PAYLOAD_TOO_LARGE', refusal: 'VALIDATION' }),
  rule({ type: UnsupportedMediaType, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', refusal: 'VALIDATION' }),
  rule({ type: InvalidCursor, status: 400, code: 'INVALID_CURSOR', refusal: 'VALIDATION' }),
  rule({ type: InvalidIdempotencyKey, status: 400, code: 'INVALID_IDEMPOTENCY_KEY', refusal: 'VALIDATION' }),
  rule({ type: IdempotencyKeyReused, status: 422, code: 'IDEMPOTENCY_KEY_REUSED', refusal: 'VALIDATION' }),
  rule({ type: IdempotencyKeyOutOfRange, status: 400, code: 'IDEMPOTENCY_KEY_OUT_OF_RANGE', refusal: 'VALIDATION' }),
  rule({ type: Unauthenticated, status: 401, code: 'UNAUTHENTICATED', refusal: 'AUTH' }),
  // Photos and comments.
  rule({ type: PhotoTooLarge, status: 413, code: 'PHOTO_TOO_LARGE', refusal: 'VALIDATION' }),
  rule({ type: UnsupportedImage, status: 415, code: 'UNSUPPORTED_IMAGE', refusal: 'VALIDATION' }),
  rule({ type: UploadSizeMismatch, status: 422, code: 'SIZE_MISMATCH', refusal: 'VALIDATION' }),
  rule({ type: NotOwner, status: 403, code: 'NOT_OWNER', refusal: 'AUTH' }),
  rule({ type: PhotoNotFound, status: 404, code: 'PHOTO_NOT_FOUND', refusal: 'NOT_FOUND' }),
  rule({ type: CommentNotFound, status: 404, code: 'COMMENT_NOT_FOUND', refusal: 'NOT_FOUND' }),
  rule({ type: UploadNotReceived, status: 409, code: 'UPLOAD_NOT_RECEIVED', refusal: 'CONFLICT' }),
  rule({ type: UploadChanged, status: 409, code: 'UPLOAD_CHANGED', refusal: 'CONFLICT' }),
  rule({ type: IdempotentRequestInProgress, status: 409, code: 'IDEMPOTENCY_IN_PROGRESS', refusal: 'CONFLICT' }),
  rule({ type: UploadExpired, status: 410, code: 'UPLOAD_EXPIRED', refusal: 'CONFLICT' }),
  rule({ type: UploadDiscarded, status: 410, code: 'UPLOAD_DISCARDED', refusal: 'CONFLICT' }),
  rule({ type: UploadAlreadyCompleted, status: 409, code: 'UPLOAD_COMPLETED', refusal: 'CONFLICT' }),
];

const ruleOf = (error: unknown): Rule<Error> | undefined => RULES.find((r) => error instanceof r.type);

const CODE_PATTERN = /^[A-Z][A-Z0-9_]{1,63}$/;
const statusText = (statusCode: number): string => createHttpError(statusCode).message;
const codeOfStatus = (statusCode: number): string =>
  statusText(statusCode)
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')
    .toUpperCase();

const internalError = (statusCode = 500, body = INTERNAL_ERROR_BODY): ErrorResponse => ({ statusCode, body, headers: {}, internal: true });

function stringHeaders(headers: unknown): Record<string, string> {
  if (typeof headers !== 'object' || headers === null) return {};
  return Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** An http-error thrown on purpose: its status, its code (or one derived from the status), its message if exposed. */
function httpErrorResponse(error: createHttpError.HttpError): ErrorResponse {
  const { statusCode } = error;
  if (statusCode < 400 || statusCode > 599) return internalError();
  const code = typeof error.code === 'string' && CODE_PATTERN.test(error.code) ? error.code : codeOfStatus(statusCode);
  if (!(error.expose ?? statusCode < 500)) {
    return internalError(statusCode, statusCode === 500 ? INTERNAL_ERROR_BODY : { code, message: statusText(statusCode) });
  }
  return { statusCode, body: { code, message: error.message }, headers: stringHeaders(error.headers), internal: false };
}

export function errorResponseOf(error: unknown): ErrorResponse {
  const found = ruleOf(error);
  if (found) {
    const e = error as Error;
    return {
      statusCode: found.status,
      body: { code: found.code ?? (e as Error & { code: string }).code, message: e.message, ...found.details?.(e) },
      headers: found.headers?.(e) ?? {},
      internal: false,
    };
  }
  if (createHttpError.isHttpError(error)) return httpErrorResponse(error);
  return internalError();
}

/** The reason a refused write is counted under (shared/http/write-metrics.ts). */
export function refusalReason(error: unknown): RefusalReason {
  const found = ruleOf(error);
  if (found) return found.refusal;
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  if (status === 401 || status === 403) return 'AUTH';
  if (typeof status === 'number' && status >= 400 && status < 500) return 'VALIDATION';
  return 'ERROR';
}
