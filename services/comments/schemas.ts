import { textSchema } from '../../shared/photos/schemas';
import { COMMENT_RULES } from '../../shared/photos/text';
import * as z from '../../shared/zod';

/** POST /photos/{photoId}/comments. HTML is stored verbatim as plain text: it is text, not markup. */
export const addCommentBody = z.strictObject({ text: textSchema(COMMENT_RULES) });
