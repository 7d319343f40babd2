// The one place that builds the middy stack of an HTTP (httpApi, payload v2) handler, so that
// every route logs, answers CORS and maps errors the same way. A handler module is then:
//   export const handler = httpHandler(async (event) => jsonResponse(200, await useCase(deps, …)));
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import httpCors from '@middy/http-cors';
import httpErrorHandler from '@middy/http-error-handler';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import createHttpError from 'http-errors';
import { withWriteScope } from '../app-state/write-deadline';
import { logger } from '../powertools';
import { errorResponseOf, INTERNAL_ERROR_BODY } from './error-response';
import type { HttpResult } from './responses';

export interface HttpHandlerOptions {
  /** Parse a JSON body (Content-Type application/json required); event.body is then the parsed value. */
  jsonBody?: boolean;
  /**
   * Turns a service's own domain errors into http-errors (status, `code`, client message) before
   * the shared mapping runs; errors it does not know must be returned unchanged.
   */
  mapError?: (error: unknown) => unknown;
  /** Origins allowed to call the API from a browser (default: any, '*'), mainly for tests. */
  corsOrigins?: string[];
}

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpFunction<E extends HttpEvent> = (event: E, context: Context) => Promise<HttpResult>;

const ANY_ORIGIN = ['*'];

/** Headers a browser script may read: the state's ETag and the fence's Retry-After. */
const EXPOSED_HEADERS = 'ETag, Retry-After';

/** Turns whatever was thrown into an http-error carrying the client's JSON body, for http-error-handler to send. */
function edgeErrors(mapError: HttpHandlerOptions['mapError']): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    onError: async (request) => {
      if (request.response !== undefined && request.response !== null) return;
      let error: unknown = request.error;
      if (mapError) {
        try {
          error = mapError(error);
        } catch (mappingFailure) {
          logger.error('mapError threw; answering the original error', mappingFailure as Error);
        }
      }
      const response = errorResponseOf(error);
      if (response.internal) logger.error('Request failed', request.error as Error);
      else logger.info('Request refused', { statusCode: response.statusCode, code: response.body.code });
      request.error = createHttpError(response.statusCode, JSON.stringify(response.body), {
        expose: true,
        // An error must never be cached: the next poll after a fence lifts has to reach the function.
        headers: { ...response.headers, 'Cache-Control': 'no-store' },
      });
    },
  };
}

function requestKeys(): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    before: async (request) => {
      const { routeKey, requestContext } = request.event;
      logger.appendKeys({ routeKey, requestId: requestContext?.requestId });
    },
  };
}

export function httpHandler<E extends HttpEvent = HttpEvent>(fn: HttpFunction<E>, options: HttpHandlerOptions = {}) {
  // middy runs `onError` and `after` in reverse order of registration: the error mapping must
  // run before http-error-handler builds the response, and CORS after it, so that error
  // responses carry CORS headers too.
  const stack = middy<HttpEvent, HttpResult>();
  stack
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpCors({ origins: options.corsOrigins ?? ANY_ORIGIN, exposeHeaders: EXPOSED_HEADERS }))
    .use(httpErrorHandler({ logger: false, fallbackMessage: JSON.stringify(INTERNAL_ERROR_BODY) }))
    .use(edgeErrors(options.mapError))
    .use(requestKeys())
    .use(httpHeaderNormalizer());
  if (options.jsonBody) stack.use(httpJsonBodyParser());
  const handler = stack.handler(fn as unknown as HttpFunction<HttpEvent>) as unknown as (event: E, context: Context) => Promise<HttpResult>;
  // Each invocation gets its own write scope: a write lease admitted in it bounds only its own writes.
  return (event: E, context: Context) => withWriteScope(() => handler(event, context));
}
