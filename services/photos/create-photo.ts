import type { IdempotentWrites } from '../../shared/idempotency/idempotent-writes';
import { PhotoTooLarge, UploadAlreadyCompleted, UploadDiscarded, UploadExpired } from '../../shared/photos/errors';
import {
  type Actor,
  type ImageType,
  type ObjectStore,
  type PhotoRecord,
  type PhotoStore,
  type PresignedRequest,
  uploadKey,
  type WriteGatePort,
} from '../../shared/photos/model';
import type { PhotoLimits } from './limits';
import { type PhotoView, toPhotoView } from './views';

export interface CreatePhotoDeps {
  photos: PhotoStore;
  objects: ObjectStore;
  gate: WriteGatePort;
  idempotency: IdempotentWrites;
  clock: () => Date;
  ids: () => string;
  limits: PhotoLimits;
}

export interface CreatePhotoCommand {
  actor: Actor;
  idempotencyKey?: string;
  contentType: ImageType;
  size: number;
  title: string;
}

export interface CreatedPhoto {
  photo: PhotoView;
  upload: PresignedRequest;
}

/**
 * Step 1 of an upload: records a pending photo and hands out a presigned PUT to this region's
 * bucket. The photo is not listed until completePhotoUpload has checked the real bytes.
 */
export async function createPhoto(deps: CreatePhotoDeps, command: CreatePhotoCommand): Promise<CreatedPhoto> {
  await deps.gate.assertWritable();
  if (command.size > deps.limits.maxBytes) throw new PhotoTooLarge(deps.limits.maxBytes);
  let created = false;
  const recorded = await deps.idempotency.run(
    {
      scope: `${command.actor.userId}|POST /photos`,
      key: command.idempotencyKey,
      payload: { contentType: command.contentType, size: command.size, title: command.title },
    },
    async (): Promise<PhotoRecord> => {
      const now = deps.clock();
      const record: PhotoRecord = {
        id: deps.ids(),
        ownerId: command.actor.userId,
        ...(command.actor.name === undefined ? {} : { ownerName: command.actor.name }),
        title: command.title,
        contentType: command.contentType,
        declaredSize: command.size,
        status: 'pending',
        createdAt: now.toISOString(),
        uploadDeadline: new Date(now.getTime() + deps.limits.uploadUrlSeconds * 1000).toISOString(),
      };
      await deps.photos.createPending(record);
      created = true;
      return record;
    },
  );
  const photo = created ? recorded : await stillOpen(deps, recorded);
  // Signed after the idempotent part, so that a retry gets a working URL rather than a stored one.
  const remainingSeconds = Math.floor((Date.parse(photo.uploadDeadline) - deps.clock().getTime()) / 1000);
  if (remainingSeconds < 1) throw new UploadExpired();
  const upload = await deps.objects.presignUpload(uploadKey(photo.id), {
    contentType: photo.contentType,
    contentLength: photo.declaredSize,
    expiresInSeconds: remainingSeconds,
  });
  return { photo: toPhotoView(photo), upload };
}

/**
 * A replay (same Idempotency-Key) gets the stored answer's photo as it is now: one whose upload
 * was rejected, discarded or deleted since, or already completed, gets no new upload URL (an
 * object uploaded with it would belong to no photo).
 */
async function stillOpen(deps: CreatePhotoDeps, recorded: PhotoRecord): Promise<PhotoRecord> {
  const current = await deps.photos.get(recorded.id);
  if (!current) throw new UploadDiscarded();
  if (current.status !== 'pending') throw new UploadAlreadyCompleted();
  return current;
}
