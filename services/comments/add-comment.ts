import type { IdempotentWrites } from '../../shared/idempotency/idempotent-writes';
import { PhotoNotFound } from '../../shared/photos/errors';
import type { Actor, CommentRecord, CommentStore, WriteGatePort } from '../../shared/photos/model';
import { type CommentView, toCommentView } from './views';

export interface AddCommentDeps {
  comments: CommentStore;
  gate: WriteGatePort;
  idempotency: IdempotentWrites;
  clock: () => Date;
  ids: () => string;
}

export interface AddCommentCommand {
  actor: Actor;
  photoId: string;
  /** Already normalised plain text (see shared/photos/text.ts). */
  text: string;
  idempotencyKey?: string;
}

/** Adds a comment to a listed photo; a pending, rejected or deleted photo takes none. */
export async function addComment(deps: AddCommentDeps, command: AddCommentCommand): Promise<CommentView> {
  await deps.gate.assertWritable();
  const comment = await deps.idempotency.run(
    {
      scope: `${command.actor.userId}|POST /photos/{photoId}/comments`,
      key: command.idempotencyKey,
      payload: { photoId: command.photoId, text: command.text },
    },
    async (): Promise<CommentRecord> => {
      const record: CommentRecord = {
        id: deps.ids(),
        photoId: command.photoId,
        authorId: command.actor.userId,
        ...(command.actor.name === undefined ? {} : { authorName: command.actor.name }),
        text: command.text,
        createdAt: deps.clock().toISOString(),
      };
      if (!(await deps.comments.addToListedPhoto(record))) throw new PhotoNotFound();
      return record;
    },
  );
  return toCommentView(comment);
}
