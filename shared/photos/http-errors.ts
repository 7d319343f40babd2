import createHttpError, { type HttpError } from 'http-errors';

/** Why a write was not accepted, as counted by the WriteRefused metric. */
export type RefusalReason = 'WRITES_FENCED' | 'WRONG_REGION' | 'VALIDATION' | 'AUTH' | 'NOT_FOUND' | 'CONFLICT' | 'ERROR';

interface Rule {
  status: number;
  code: string;
  refusal: RefusalReason;
}

/**
 * The one table from domain error (by class name) to HTTP status, client-facing code and metric
 * reason. WritesFenced and WrongRegion are mapped to their responses by shared/http; they appear
 * here only to be counted.
 */
const RULES: Record<string, Rule> = {
  InvalidInput: { status: 400, code: 'VALIDATION', refusal: 'VALIDATION' },
  BodyTooLarge: { status: 413, code: 'PAYLOAD_TOO_LARGE', refusal: 'VALIDATION' },
  UnsupportedMediaType: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', refusal: 'VALIDATION' },
  InvalidCursor: { status: 400, code: 'INVALID_CURSOR', refusal: 'VALIDATION' },
  InvalidIdempotencyKey: { status: 400, code: 'INVALID_IDEMPOTENCY_KEY', refusal: 'VALIDATION' },
  IdempotencyKeyReused: { status: 422, code: 'IDEMPOTENCY_KEY_REUSED', refusal: 'VALIDATION' },
  IdempotencyKeyOutOfRange: { status: 400, code: 'IDEMPOTENCY_KEY_OUT_OF_RANGE', refusal: 'VALIDATION' },
  PhotoTooLarge: { status: 413, code: 'PHOTO_TOO_LARGE', refusal: 'VALIDATION' },
  UnsupportedImage: { status: 415, code: 'UNSUPPORTED_IMAGE', refusal: 'VALIDATION' },
  UploadSizeMismatch: { status: 422, code: 'SIZE_MISMATCH', refusal: 'VALIDATION' },
  Unauthenticated: { status: 401, code: 'UNAUTHENTICATED', refusal: 'AUTH' },
  NotOwner: { status: 403, code: 'NOT_OWNER', refusal: 'AUTH' },
  PhotoNotFound: { status: 404, code: 'PHOTO_NOT_FOUND', refusal: 'NOT_FOUND' },
  CommentNotFound: { status: 404, code: 'COMMENT_NOT_FOUND', refusal: 'NOT_FOUND' },
  UploadNotReceived: { status: 409, code: 'UPLOAD_NOT_RECEIVED', refusal: 'CONFLICT' },
  UploadChanged: { status: 409, code: 'UPLOAD_CHANGED', refusal: 'CONFLICT' },
  IdempotentRequestInProgress: { status: 409, code: 'IDEMPOTENCY_IN_PROGRESS', refusal: 'CONFLICT' },
  UploadExpired: { status: 410, code: 'UPLOAD_EXPIRED', refusal: 'CONFLICT' },
  UploadDiscarded: { status: 410, code: 'UPLOAD_DISCARDED', refusal: 'CONFLICT' },
  UploadAlreadyCompleted: { status: 409, code: 'UPLOAD_COMPLETED', refusal: 'CONFLICT' },
  WritesFenced: { status: 503, code: 'WRITES_FENCED', refusal: 'WRITES_FENCED' },
  WrongRegion: { status: 409, code: 'WRONG_REGION', refusal: 'WRONG_REGION' },
};

const nameOf = (error: unknown): string | undefined => (error instanceof Error ? error.name : undefined);

export function refusalReason(error: unknown): RefusalReason {
  const rule = RULES[nameOf(error) ?? ''];
  if (rule) return rule.refusal;
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  if (status === 401 || status === 403) return 'AUTH';
  if (typeof status === 'number' && status >= 400 && status < 500) return 'VALIDATION';
  return 'ERROR';
}

/**
 * The http-errors equivalent of a domain error (status, code, the domain message), or the
 * error unchanged when it is not one of ours: shared/http answers those itself (the gate's
 * errors) or as an opaque 500.
 */
export function toHttpError(error: unknown): unknown {
  const name = nameOf(error);
  if (name === undefined || name === 'WritesFenced' || name === 'WrongRegion') return error;
  const rule = RULES[name];
  if (!rule) return error;
  const httpError: HttpError = createHttpError(rule.status, (error as Error).message, { code: rule.code, expose: true });
  return httpError;
}
