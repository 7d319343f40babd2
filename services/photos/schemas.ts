import { IMAGE_TYPES } from '../../shared/photos/model';
import { textSchema } from '../../shared/photos/schemas';
import { TITLE_RULES } from '../../shared/photos/text';
import * as z from '../../shared/zod';

/**
 * POST /photos: what the client is about to upload. The size limit is checked by the use case
 * (413 PHOTO_TOO_LARGE) and both size and type are checked again against the real bytes.
 */
export const createPhotoBody = z.strictObject({
  contentType: z.enum(IMAGE_TYPES),
  size: z.int().check(z.gte(1)),
  title: z._default(textSchema(TITLE_RULES), ''),
});
