import type { IdempotentWrites } from '../../shared/idempotency/idempotent-writes';
import type { CommentStore } from '../../shared/photos/comment-model';
import { NotOwner, PhotoNotFound } from '../../shared/photos/errors';
import { type Actor, type ObjectStore, type PhotoStore, photoKey, uploadKey, type WriteGatePort } from '../../shared/photos/model';
import { writeStampFor } from '../../shared/photos/write-stamp';

export interface DeletePhotoDeps {
  photos: PhotoStore;
  comments: CommentStore;
  objects: ObjectStore;
  gate: WriteGatePort;
  idempotency: IdempotentWrites;
  clock: () => Date;
}

export interface DeletePhotoCommand {
  actor: Actor;
  photoId: string;
  idempotencyKey?: string;
}

/**
 * Deletes a photo, by its owner only. The item goes first (so the photo is unlisted and new
 * comments are refused at once), then its bytes and comments.
 */
export async function deletePhoto(deps: DeletePhotoDeps, command: DeletePhotoCommand): Promise<{ deleted: string }> {
  const admitted = await deps.gate.assertWritable();
  return deps.idempotency.run(
    { scope: `${command.actor.userId}|DELETE /photos/{photoId}`, key: command.idempotencyKey, payload: { photoId: command.photoId } },
    async () => {
      const photo = await deps.photos.get(command.photoId);
      if (!photo || (photo.status === 'pending' && photo.ownerId !== command.actor.userId)) throw new PhotoNotFound();
      const stamp = writeStampFor(admitted, deps.clock());
      const objectKeys = [uploadKey(command.photoId), photoKey(command.photoId)];
      const removal = await deps.photos.removeOwned(command.photoId, command.actor.userId, stamp, objectKeys);
      if (removal === 'missing') throw new PhotoNotFound();
      if (removal === 'not-owner') throw new NotOwner('delete-photo');
      await deps.objects.remove(objectKeys);
      await deps.comments.removeAllOf(command.photoId, stamp);
      return { deleted: command.photoId };
    },
  );
}
