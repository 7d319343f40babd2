import * as z from '../zod';
import { InvalidCursor } from './errors';

/**
 * Pagination cursors are opaque to clients but not secret: base64url of the last item's
 * position and the query it belongs to. They cannot be tampered into another query because
 * (1) the scope (which list, which photo) must equal the request's, and (2) the position is
 * validated field by field and the server rebuilds the storage key from it: partition keys
 * and index names never come from the cursor. At worst an edited cursor starts the same list
 * at another position, which the caller could read anyway.
 */
const MAX_CURSOR_LENGTH = 512;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const VERSION = 1;

export function encodeCursor(scope: string, position: Record<string, string>): string {
  return Buffer.from(JSON.stringify({ v: VERSION, s: scope, p: position }), 'utf8').toString('base64url');
}

export function decodeCursor<T>(cursor: string, scope: string, position: z.ZodMiniType<T>): T {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !BASE64URL.test(cursor)) throw new InvalidCursor();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursor();
  }
  const envelope = z.safeParse(z.strictObject({ v: z.literal(VERSION), s: z.string(), p: position }), parsed);
  if (!envelope.success || envelope.data.s !== scope) throw new InvalidCursor();
  return envelope.data.p;
}
