import * as z from '../zod';

/**
 * Request parsing at the HTTP edge: body, path and query become typed commands or one of the
 * errors below, whose messages name the field and the rule. Messages are written here rather
 * than taken from zod, so no part of the input is ever echoed back. Their statuses are in the
 * one error table (./error-response.ts).
 */

/** Input that fails validation. `issues` name the field and the rule, never echo the value. */
export class InvalidInput extends Error {
  override readonly name = 'InvalidInput';
  constructor(readonly issues: string[]) {
    super(`Invalid request: ${issues.join('; ')}`);
  }
}

/** A write whose body is not declared as JSON (Content-Type). */
export class UnsupportedMediaType extends Error {
  override readonly name = 'UnsupportedMediaType';
  constructor() {
    super('Content-Type must be application/json');
  }
}

/** JSON bodies of these routes are small; anything larger is refused before parsing. */
export const MAX_BODY_BYTES = 64 * 1024;

export class BodyTooLarge extends Error {
  override readonly name = 'BodyTooLarge';
  constructor() {
    super(`The request body must be at most ${MAX_BODY_BYTES} bytes`);
  }
}

interface EventBody {
  body?: string | null;
  isBase64Encoded?: boolean;
  headers?: Record<string, string | undefined>;
}

// application/json or a +json type, with or without parameters (charset).
const JSON_MEDIA_TYPE = /^application\/(?:[a-z0-9.+-]+\+)?json\s*(?:;|$)/i;

function contentTypeOf(headers: EventBody['headers']): string | undefined {
  return Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
}

/**
 * The JSON body of the request (API Gateway passes it as a string, base64 when binary). A body
 * sent as anything but JSON (text/plain, a form, octet-stream, no Content-Type) is refused with
 * UnsupportedMediaType rather than parsed anyway.
 */
export function jsonBody(event: EventBody): unknown {
  if (event.body === undefined || event.body === null || event.body === '') throw new InvalidInput(['body: a JSON object is required']);
  if (!JSON_MEDIA_TYPE.test(contentTypeOf(event.headers) ?? '')) throw new UnsupportedMediaType();
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) throw new BodyTooLarge();
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidInput(['body: not valid JSON']);
  }
}

/** " characters" after a string's length bound (" character" for 1), nothing after a number's. */
function unitOf(origin: string, bound: number | bigint): string {
  if (origin !== 'string') return '';
  return Number(bound) === 1 ? ' character' : ' characters';
}

function describe(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? issue.path.map(String).join('.') : 'input';
  switch (issue.code) {
    case 'invalid_type':
      return `${where}: must be ${issue.expected === 'object' ? 'a JSON object' : `a ${issue.expected}`}`;
    case 'unrecognized_keys':
      return `${where}: has ${issue.keys.length === 1 ? 'a field' : 'fields'} this request does not accept`;
    case 'too_big':
      return `${where}: must be at most ${String(issue.maximum)}${unitOf(issue.origin, issue.maximum)}`;
    case 'too_small':
      return `${where}: must be at least ${String(issue.minimum)}${unitOf(issue.origin, issue.minimum)}`;
    case 'invalid_value':
      return `${where}: must be one of ${issue.values.map((v) => String(v)).join(', ')}`;
    case 'invalid_format':
      return `${where}: is not in the expected format`;
    case 'custom':
      // Custom refinements in this codebase write their own safe messages.
      return `${where}: ${issue.message}`;
    default:
      return `${where}: is not valid`;
  }
}

/** Parses with the schema or throws InvalidInput listing every problem. */
export function parseInput<S extends z.ZodMiniType>(schema: S, value: unknown): z.output<S> {
  const result = z.safeParse(schema, value);
  if (!result.success) throw new InvalidInput(result.error.issues.map(describe));
  return result.data;
}
