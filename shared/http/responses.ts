import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** What an HTTP handler returns (httpApi payload v2, structured form). */
export type HttpResult = APIGatewayProxyStructuredResultV2;

/** Every error body: a stable machine-readable code and a message written for the client. */
export interface ErrorBody {
  code: string;
  message: string;
  [detail: string]: unknown;
}

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return { statusCode, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** 304: the client's copy is current; only the validators and caching headers are sent. */
export function notModified(headers: Record<string, string>): HttpResult {
  return { statusCode: 304, headers };
}
