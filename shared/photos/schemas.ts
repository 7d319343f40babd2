import * as z from '../zod';
import { ID_PATTERN } from './ids';
import { normaliseText, type TextRules } from './text';

/** Path ids: exactly a ULID. Traversal-like or encoded values (`../x`, `%2e%2e`) never reach storage keys. */
export const idSchema = z.string().check(z.maxLength(64), z.regex(ID_PATTERN));

export const photoPathSchema = z.strictObject({ photoId: idSchema });
export const commentPathSchema = z.strictObject({ photoId: idSchema, commentId: idSchema });

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;

/** `?limit=&cursor=` of the list routes. The cursor's own checks happen when it is decoded. */
export const listQuerySchema = z.strictObject({
  limit: z._default(
    z.pipe(
      z.pipe(
        z.string().check(z.regex(/^[0-9]{1,3}$/)),
        z.transform((raw: string) => Number(raw)),
      ),
      z.int().check(z.gte(1), z.lte(MAX_PAGE_SIZE)),
    ),
    DEFAULT_PAGE_SIZE,
  ),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(512))),
});

/** Plain text normalised by the given rules (see ./text.ts); the reason is reported, the text is not. */
export function textSchema(rules: TextRules) {
  // Bounds the work done on absurd input before normalising (4 UTF-16 units per code point at most).
  return z.pipe(
    z.string().check(z.maxLength(rules.maxLength * 4)),
    z.transform((raw: string, ctx) => {
      const checked = normaliseText(raw, rules);
      if (!checked.ok) {
        ctx.issues.push({ code: 'custom', message: checked.reason, input: raw });
        return z.NEVER;
      }
      return checked.value;
    }),
  );
}
