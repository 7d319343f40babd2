import { parseInput } from '../../shared/http/input';
import { listJson, readRoute } from '../../shared/http/routes';
import { listQuerySchema } from '../../shared/photos/schemas';
import { photoStore } from '../../shared/photos/wiring';
import { listPhotos } from './list-photos';

const deps = { photos: photoStore() };

/** GET /photos?limit&cursor */
export const handler = readRoute(async (event) => {
  const query = parseInput(listQuerySchema, event.queryStringParameters ?? {});
  return listJson(event, await listPhotos(deps, query));
});
