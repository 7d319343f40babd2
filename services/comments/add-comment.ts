import { IdempotencyKeyReused } from '../../shared/idempotency/errors';
import type { IdempotentWrites } from '../../shared/idempotency/idempotent-writes';
import type { CommentRecord, CommentStore } from '../../shared/photos/comment-model';
import { PhotoNotFound } from '../../shared/photos/errors';
import type { Actor, WriteGatePort } from '../../shared/photos/model';
import { requestScopedId } from '../../shared/photos/request-ids';
import { writeStampFor } from '../../shared/photos/write-stamp';
import { requestDigest } from '../../shared/write-journal/model';
import { type CommentView, toCommentView } from './views';

export interface AddCommentDeps {
  comments: CommentStore;
  gate: WriteGatePort;
  idempotency: IdempotentWrites;
  clock: () => Date;
}

export interface AddCommentCommand {
  actor: Actor;
  photoId: string;
  /** Already normalised plain text (see shared/photos/text.ts). */
  text: string;
  idempotencyKey?: string;
}

/**
 * Adds a comment to a listed photo; a pending, rejected or deleted photo takes none. With a ULID
 * Idempotency-Key the comment's id (and so its place in the order) is fixed by the request: a
 * retry anywhere, after any failover, finds the comment its first attempt wrote and answers it.
 */
export async function addComment(deps: AddCommentDeps, command: AddCommentCommand): Promise<CommentView> {
  const admitted = await deps.gate.assertWritable();
  const scope = `${command.actor.userId}|POST /photos/{photoId}/comments`;
  const comment = await deps.idempotency.run(
    { scope, key: command.idempotencyKey, payload: { photoId: command.photoId, text: command.text } },
    async (): Promise<CommentRecord> => {
      const now = deps.clock();
      const { id, at } = requestScopedId({ scope, key: command.idempotencyKey, now });
      const record: CommentRecord = {
        id,
        photoId: command.photoId,
        authorId: command.actor.userId,
        ...(command.actor.name === undefined ? {} : { authorName: command.actor.name }),
        text: command.text,
        createdAt: at.toISOString(),
      };
      // With a key the request fixes the comment (id, content): its retry anywhere writes the same one.
      const request = command.idempotencyKey === undefined ? undefined : requestDigest({ ...record });
      const outcome = await deps.comments.addToListedPhoto(record, writeStampFor(admitted, now, request));
      if (outcome.kind === 'photo-not-listed' || outcome.kind === 'deleted') throw new PhotoNotFound();
      if (outcome.kind === 'exists') return sameRequest(outcome.existing, record);
      return record;
    },
  );
  return toCommentView(comment);
}

/** The comment an earlier attempt of this request wrote; anything else under that id is another request. */
function sameRequest(existing: CommentRecord, wanted: CommentRecord): CommentRecord {
  if (existing.authorId !== wanted.authorId || existing.photoId !== wanted.photoId || existing.text !== wanted.text) {
    throw new IdempotencyKeyReused();
  }
  return existing;
}
