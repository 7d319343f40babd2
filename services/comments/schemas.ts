import * as z from 'zod';
import { textSchema } from '../../shared/photos/schemas';
import { COMMENT_RULES } from '../../shared/photos/text';

/** POST /photos/{photoId}/comments. HTML is stored verbatim as plain text: it is text, not markup. */
export const addCommentBody = z.strictObject({ text: textSchema(COMMENT_RULES) });
