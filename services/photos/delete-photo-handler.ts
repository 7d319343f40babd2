import { parseInput } from '../../shared/http/input';
import { noContent, writeRoute } from '../../shared/http/routes';
import { idempotencyKeyFrom } from '../../shared/idempotency/idempotent-writes';
import { photoPathSchema } from '../../shared/photos/schemas';
import { clock, commentStore, idempotentWrites, objectStore, photoStore, writeGate } from '../../shared/photos/wiring';
import { deletePhoto } from './delete-photo';

const deps = {
  photos: photoStore(),
  comments: commentStore(),
  objects: objectStore(),
  gate: writeGate(),
  idempotency: idempotentWrites('deletePhoto'),
  clock,
};

/** DELETE /photos/{photoId} */
export const handler = writeRoute('deletePhoto', async (event, caller) => {
  const idempotencyKey = idempotencyKeyFrom(event.headers);
  const { photoId } = parseInput(photoPathSchema, event.pathParameters ?? {});
  await deletePhoto(deps, { actor: caller, photoId, idempotencyKey });
  return noContent();
});
