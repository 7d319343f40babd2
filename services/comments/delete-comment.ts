import type { IdempotentWrites } from '../../shared/idempotency/idempotent-writes';
import type { CommentStore } from '../../shared/photos/comment-model';
import { CommentNotFound, NotOwner } from '../../shared/photos/errors';
import type { Actor, WriteGatePort } from '../../shared/photos/model';
import { writeStampFor } from '../../shared/photos/write-stamp';

export interface DeleteCommentDeps {
  comments: CommentStore;
  gate: WriteGatePort;
  idempotency: IdempotentWrites;
  clock: () => Date;
}

export interface DeleteCommentCommand {
  actor: Actor;
  photoId: string;
  commentId: string;
  idempotencyKey?: string;
}

/** Deletes a comment, by its author only. */
export async function deleteComment(deps: DeleteCommentDeps, command: DeleteCommentCommand): Promise<{ deleted: string }> {
  const admitted = await deps.gate.assertWritable();
  return deps.idempotency.run(
    {
      scope: `${command.actor.userId}|DELETE /photos/{photoId}/comments/{commentId}`,
      key: command.idempotencyKey,
      payload: { photoId: command.photoId, commentId: command.commentId },
    },
    async () => {
      const stamp = writeStampFor(admitted, deps.clock());
      const removal = await deps.comments.removeOwned(command.photoId, command.commentId, command.actor.userId, stamp);
      if (removal === 'missing') throw new CommentNotFound();
      if (removal === 'not-owner') throw new NotOwner('delete-comment');
      return { deleted: command.commentId };
    },
  );
}
