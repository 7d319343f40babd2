import { jsonBody, parseInput } from '../../shared/http/input';
import { json, writeRoute } from '../../shared/http/routes';
import { idempotencyKeyFrom } from '../../shared/idempotency/idempotent-writes';
import { photoPathSchema } from '../../shared/photos/schemas';
import { clock, commentStore, idempotentWrites, writeGate } from '../../shared/photos/wiring';
import { addComment } from './add-comment';
import { addCommentBody } from './schemas';

const deps = { comments: commentStore(), gate: writeGate(), idempotency: idempotentWrites('addComment'), clock };

/** POST /photos/{photoId}/comments */
export const handler = writeRoute('addComment', async (event, caller) => {
  const idempotencyKey = idempotencyKeyFrom(event.headers);
  const { photoId } = parseInput(photoPathSchema, event.pathParameters ?? {});
  const { text } = parseInput(addCommentBody, jsonBody(event));
  return json(201, await addComment(deps, { actor: caller, photoId, text, idempotencyKey }));
});
