import * as z from 'zod';
import { ID_PATTERN } from './ids';
import { normaliseText, type TextRules } from './text';

/** Path ids: exactly a ULID. Traversal-like or encoded values (`../x`, `%2e%2e`) never reach storage keys. */
export const idSchema = z.string().max(64).regex(ID_PATTERN);

export const photoPathSchema = z.strictObject({ photoId: idSchema });
export const commentPathSchema = z.strictObject({ photoId: idSchema, commentId: idSchema });

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;

/** `?limit=&cursor=` of the list routes. The cursor's own checks happen when it is decoded. */
export const listQuerySchema = z.strictObject({
  limit: z
    .string()
    .regex(/^[0-9]{1,3}$/)
    .transform(Number)
    .pipe(z.int().min(1).max(MAX_PAGE_SIZE))
    .default(DEFAULT_PAGE_SIZE),
  cursor: z.string().min(1).max(512).optional(),
});

/** Plain text normalised by the given rules (see ./text.ts); the reason is reported, the text is not. */
export function textSchema(rules: TextRules) {
  // Bounds the work done on absurd input before normalising (4 UTF-16 units per code point at most).
  return z
    .string()
    .max(rules.maxLength * 4)
    .transform((raw, ctx) => {
      const checked = normaliseText(raw, rules);
      if (!checked.ok) {
        ctx.addIssue({ code: 'custom', message: checked.reason });
        return z.NEVER;
      }
      return checked.value;
    });
}
