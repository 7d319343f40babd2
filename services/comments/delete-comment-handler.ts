import { parseInput } from '../../shared/http/input';
import { noContent, writeRoute } from '../../shared/http/routes';
import { idempotencyKeyFrom } from '../../shared/idempotency/idempotent-writes';
import { commentPathSchema } from '../../shared/photos/schemas';
import { clock, commentStore, idempotentWrites, writeGate } from '../../shared/photos/wiring';
import { deleteComment } from './delete-comment';

const deps = { comments: commentStore(), gate: writeGate(), idempotency: idempotentWrites('deleteComment'), clock };

/** DELETE /photos/{photoId}/comments/{commentId} */
export const handler = writeRoute('deleteComment', async (event, caller) => {
  const idempotencyKey = idempotencyKeyFrom(event.headers);
  const { photoId, commentId } = parseInput(commentPathSchema, event.pathParameters ?? {});
  await deleteComment(deps, { actor: caller, photoId, commentId, idempotencyKey });
  return noContent();
});
