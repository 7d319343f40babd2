import { parseInput } from '../../shared/http/input';
import { listJson, readRoute } from '../../shared/http/routes';
import { listQuerySchema, photoPathSchema } from '../../shared/photos/schemas';
import { commentStore, photoStore } from '../../shared/photos/wiring';
import { listComments } from './list-comments';

const deps = { photos: photoStore(), comments: commentStore() };

/** GET /photos/{photoId}/comments?limit&cursor */
export const handler = readRoute(async (event) => {
  const { photoId } = parseInput(photoPathSchema, event.pathParameters ?? {});
  const query = parseInput(listQuerySchema, event.queryStringParameters ?? {});
  return listJson(event, await listComments(deps, { photoId, ...query }));
});
