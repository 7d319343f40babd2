// What every photo and comment route does at the edge, around its use case: require the
// caller, count writes, attach statuses to domain errors (./http-errors.ts) and answer JSON.
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { type Caller, callerFromEvent } from '../auth/caller';
import { conditionalJson } from '../http/conditional';
import { httpHandler } from '../http/handler';
import { type HttpResult, jsonResponse } from '../http/responses';
import { withInvocation } from '../idempotency/invocation';
import { metrics } from '../powertools';
import { toHttpError } from './http-errors';
import { measureWrite } from './write-metrics';

export type RouteEvent = APIGatewayProxyEventV2WithJWTAuthorizer;

// Answers carry presigned URLs or per-user views: no shared cache may keep them.
const NO_STORE = { 'Cache-Control': 'no-store' };

export const json = (statusCode: number, body: unknown): HttpResult => jsonResponse(statusCode, body, NO_STORE);
/** A list page: clients poll it with If-None-Match, and an unchanged page is a body-less 304. */
export const listJson = (event: RouteEvent, body: unknown): HttpResult => conditionalJson(event.headers['if-none-match'], body, NO_STORE);
export const noContent = (): HttpResult => ({ statusCode: 204, headers: NO_STORE });

/** A read route: any application state, any region; only a verified caller. */
export function readRoute(run: (event: RouteEvent, caller: Caller) => Promise<HttpResult>) {
  return httpHandler<RouteEvent>(async (event) => run(event, callerFromEvent(event)), { mapError: toHttpError });
}

/**
 * A write route: counted as accepted or refused by reason, with its latency. The body is parsed
 * by the route itself (shared/photos/edge.ts) so that malformed JSON is counted as a VALIDATION
 * refusal like any other bad input.
 */
export function writeRoute(operation: string, run: (event: RouteEvent, caller: Caller) => Promise<HttpResult>) {
  return httpHandler<RouteEvent>(
    (event, context) => withInvocation(context, () => measureWrite(metrics, operation, async () => run(event, callerFromEvent(event)))),
    { mapError: toHttpError },
  );
}
