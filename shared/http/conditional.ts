// Conditional requests (RFC 9110, section 13.1.2): If-None-Match uses the weak comparison, so
// W/"x" matches "x", and "*" matches any current representation.
import { createHash } from 'node:crypto';
import { type HttpResult, jsonResponse, notModified } from './responses';

const opaque = (tag: string): string => (tag.startsWith('W/') ? tag.slice(2) : tag);

/** True when If-None-Match names the current ETag, i.e. the client may be answered 304. */
export function ifNoneMatchMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const wanted = opaque(etag.trim());
  return ifNoneMatch
    .split(',')
    .map((tag) => tag.trim())
    .some((tag) => tag === '*' || opaque(tag) === wanted);
}

/**
 * A validator for a representation that has no version of its own (a page of a list): a weak
 * ETag over the bytes sent, so an unchanged page is answered 304 without a body. Weak because
 * equal bytes are all a client polling a list needs (RFC 9110, section 8.8.1).
 */
export function contentEtag(body: string): string {
  return `W/"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/**
 * 200 with the JSON body and its ETag, or a body-less 304 when If-None-Match already names it.
 * The ETag is the representation's own version when it has one, else a tag over the bytes sent.
 */
export function conditionalJson(
  ifNoneMatch: string | undefined,
  body: unknown,
  headers: Record<string, string> = {},
  etag?: string,
): HttpResult {
  const response = jsonResponse(200, body, headers);
  const withTag = { ...headers, ETag: etag ?? contentEtag(response.body as string) };
  if (ifNoneMatchMatches(ifNoneMatch, withTag.ETag)) return notModified(withTag);
  return { ...response, headers: { ...response.headers, ETag: withTag.ETag } };
}
