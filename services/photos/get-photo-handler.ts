import { parseInput } from '../../shared/http/input';
import { json, readRoute } from '../../shared/http/routes';
import { photoPathSchema } from '../../shared/photos/schemas';
import { objectStore, photoStore } from '../../shared/photos/wiring';
import { getPhoto } from './get-photo';
import { downloadLimits } from './limits';

const deps = { photos: photoStore(), objects: objectStore(), limits: downloadLimits };

/** GET /photos/{photoId} */
export const handler = readRoute(async (event) => {
  const { photoId } = parseInput(photoPathSchema, event.pathParameters ?? {});
  return json(200, await getPhoto(deps, { photoId }));
});
