// Conditional requests (RFC 9110, section 13.1.2): If-None-Match uses the weak comparison, so
// W/"x" matches "x", and "*" matches any current representation.

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
