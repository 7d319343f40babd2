import { jsonBody, parseInput } from '../../shared/http/input';
import { json, writeRoute } from '../../shared/http/routes';
import { idempotencyKeyFrom } from '../../shared/idempotency/idempotent-writes';
import { clock, idempotentWrites, objectStore, photoStore, writeGate } from '../../shared/photos/wiring';
import { createPhoto } from './create-photo';
import { loadPhotoLimits } from './limits';
import { createPhotoBody } from './schemas';

const deps = {
  photos: photoStore(),
  objects: objectStore(),
  gate: writeGate(),
  idempotency: idempotentWrites('createPhoto'),
  clock,
  limits: loadPhotoLimits(),
};

/** POST /photos */
export const handler = writeRoute('createPhoto', async (event, caller) => {
  const idempotencyKey = idempotencyKeyFrom(event.headers);
  const body = parseInput(createPhotoBody, jsonBody(event));
  return json(201, await createPhoto(deps, { actor: caller, idempotencyKey, ...body }));
});
