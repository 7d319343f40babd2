// The one place that builds the middy stack of an HTTP (httpApi, payload v2) handler, so that
// every route logs, traces and maps errors the same way. A handler module is then:
//   export const handler = httpHandler(async (event) => jsonResponse(200, await useCase(deps, …)));
// CORS is not answered here: the HTTP API's own CORS configuration (provider.httpApi.cors in
// serverless.yml) answers preflight requests and replaces whatever CORS headers a function returns
// ("API Gateway ignores CORS headers returned from your backend integration",
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html); the local
// gateway (local/runtime/http-api.ts) does the same.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { withWriteScope } from '../app-state/write-deadline';
import { logger, tracer } from '../powertools';
import { errorResponseOf } from './error-response';
import { type HttpResult, jsonResponse } from './responses';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpFunction<E extends HttpEvent> = (event: E, context: Context) => Promise<HttpResult>;

/** Whatever was thrown becomes the client's JSON answer (./error-response.ts), built like every other answer. */
function errorAnswers(): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    onError: async (request) => {
      if (request.response !== undefined && request.response !== null) return;
      const response = errorResponseOf(request.error);
      if (response.internal) logger.error('Request failed', request.error as Error);
      else logger.info('Request refused', { statusCode: response.statusCode, code: response.body.code });
      // An error must never be cached: the next poll after a fence lifts has to reach the function.
      request.response = jsonResponse(response.statusCode, response.body, { ...response.headers, 'Cache-Control': 'no-store' });
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

export function httpHandler<E extends HttpEvent = HttpEvent>(fn: HttpFunction<E>) {
  // middy runs `onError` in reverse order of registration: the error answer is set before the
  // tracer and the logger close the invocation.
  const handler = middy<HttpEvent, HttpResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(errorAnswers())
    .use(requestKeys())
    .use(httpHeaderNormalizer())
    .handler(fn as unknown as HttpFunction<HttpEvent>) as unknown as (event: E, context: Context) => Promise<HttpResult>;
  // Each invocation gets its own write scope: a write lease admitted in it bounds only its own writes.
  return (event: E, context: Context) => withWriteScope(() => handler(event, context));
}
