// What every photo and comment route does at the edge, around its use case: require the
// caller, count writes and answer JSON. Errors get their statuses in ./error-response.ts.
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { type Caller, callerFromEvent } from '../auth/caller';
import { withInvocation } from '../idempotency/invocation';
import { metrics } from '../powertools';
import { conditionalJson } from './conditional';
import { httpHandler } from './handler';
import { type HttpResult, jsonResponse } from './responses';
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
  return httpHandler<RouteEvent>(async (event) => run(event, callerFromEvent(event)));
}

/**
 * A write route: counted as accepted or refused by reason, with its latency. The body is parsed
 * by the route itself (./input.ts) so that malformed JSON is counted as a VALIDATION refusal
 * like any other bad input.
 */
export function writeRoute(operation: string, run: (event: RouteEvent, caller: Caller) => Promise<HttpResult>) {
  return httpHandler<RouteEvent>((event, context) =>
    withInvocation(context, () => measureWrite(metrics, operation, async () => run(event, callerFromEvent(event)))),
  );
}
