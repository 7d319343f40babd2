// The one mapping from a thrown error to the HTTP answer a client gets. Domain errors get
// their status here, at the edge; http-errors thrown on purpose keep theirs; anything else is
// an opaque 500, because its message may carry internals (SDK errors, table names, stacks).
import createHttpError from 'http-errors';
import {
  AppStateError,
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
import type { ErrorBody } from './responses';

export interface ErrorResponse {
  statusCode: number;
  body: ErrorBody;
  headers: Record<string, string>;
  /** Not a deliberate refusal: the client got a generic answer, the details belong in the logs. */
  internal: boolean;
}

export const INTERNAL_ERROR_BODY: ErrorBody = { code: 'INTERNAL_ERROR', message: 'Internal server error' };

const CODE_PATTERN = /^[A-Z][A-Z0-9_]{1,63}$/;
const JSON_BODY_PARSER = '@middy/http-json-body-parser';

const statusText = (statusCode: number): string => createHttpError(statusCode).message;
const codeOfStatus = (statusCode: number): string =>
  statusText(statusCode)
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')
    .toUpperCase();

function refusal(statusCode: number, body: ErrorBody, headers: Record<string, string> = {}): ErrorResponse {
  return { statusCode, body, headers, internal: false };
}

function appStateResponse(error: AppStateError): ErrorResponse | undefined {
  const body = { code: error.code, message: error.message };
  if (error instanceof WritesFenced || error instanceof RegionIsolated || error instanceof WritesResuming) {
    return refusal(503, body, { 'Retry-After': String(error.retryAfterSeconds) });
  }
  if (error instanceof WrongRegion) return refusal(409, { ...body, writableRegion: error.writableRegion });
  if (error instanceof StaleVersion) return refusal(409, { ...body, currentVersion: error.actualVersion });
  if (error instanceof StateMismatch) return refusal(409, { ...body, currentState: error.actualState, currentVersion: error.version });
  if (error instanceof IllegalTransition) return refusal(409, body);
  if (error instanceof InvalidTransitionCommand) return refusal(400, body);
  return undefined;
}

function stringHeaders(headers: unknown): Record<string, string> {
  if (typeof headers !== 'object' || headers === null) return {};
  return Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

function httpErrorResponse(error: createHttpError.HttpError): ErrorResponse {
  const { statusCode } = error;
  if (statusCode < 400 || statusCode > 599) return { statusCode: 500, body: INTERNAL_ERROR_BODY, headers: {}, internal: true };
  // middy's JSON body parser answers 415 both for a wrong Content-Type and for a body that is not JSON.
  if ((error.cause as { package?: unknown } | undefined)?.package === JSON_BODY_PARSER) {
    return statusCode === 415 && error.message === 'Unsupported Media Type'
      ? refusal(415, { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Content-Type must be application/json' })
      : refusal(400, { code: 'INVALID_JSON', message: 'The request body must be valid JSON' });
  }
  const code = typeof error.code === 'string' && CODE_PATTERN.test(error.code) ? error.code : codeOfStatus(statusCode);
  if (!(error.expose ?? statusCode < 500)) {
    return {
      statusCode,
      body: statusCode === 500 ? INTERNAL_ERROR_BODY : { code, message: statusText(statusCode) },
      headers: {},
      internal: true,
    };
  }
  return refusal(statusCode, { code, message: error.message }, stringHeaders(error.headers));
}

export function errorResponseOf(error: unknown): ErrorResponse {
  // Nothing was sent to storage: safe to retry, like a refusal by the gate.
  if (error instanceof WriteDeadlinePassed) return refusal(503, { code: error.code, message: error.message }, { 'Retry-After': '1' });
  if (error instanceof AppStateError) {
    const response = appStateResponse(error);
    if (response) return response;
  }
  if (createHttpError.isHttpError(error)) return httpErrorResponse(error);
  return { statusCode: 500, body: INTERNAL_ERROR_BODY, headers: {}, internal: true };
}
