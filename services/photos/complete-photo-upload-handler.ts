import { parseInput } from '../../shared/http/input';
import { json, writeRoute } from '../../shared/http/routes';
import { idempotencyKeyFrom } from '../../shared/idempotency/idempotent-writes';
import { photoPathSchema } from '../../shared/photos/schemas';
import { clock, idempotentWrites, objectStore, photoStore, writeGate } from '../../shared/photos/wiring';
import { completePhotoUpload } from './complete-photo-upload';
import { loadPhotoLimits } from './limits';

const deps = {
  photos: photoStore(),
  objects: objectStore(),
  gate: writeGate(),
  idempotency: idempotentWrites('completePhotoUpload'),
  clock,
  limits: loadPhotoLimits(),
};

/** POST /photos/{photoId}/complete */
export const handler = writeRoute('completePhotoUpload', async (event, caller) => {
  const idempotencyKey = idempotencyKeyFrom(event.headers);
  const { photoId } = parseInput(photoPathSchema, event.pathParameters ?? {});
  return json(200, { photo: await completePhotoUpload(deps, { actor: caller, photoId, idempotencyKey }) });
});
