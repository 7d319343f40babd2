import { IdempotencyKeyReused } from '../../shared/idempotency/errors';
import type { IdempotentWrites } from '../../shared/idempotency/idempotent-writes';
import { PhotoNotFound, PhotoTooLarge, UploadAlreadyCompleted, UploadDiscarded, UploadExpired } from '../../shared/photos/errors';
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
import { requestScopedId } from '../../shared/photos/request-ids';
import { writeStampFor } from '../../shared/photos/write-stamp';
import { requestDigest } from '../../shared/write-journal/model';
import type { PhotoLimits } from './limits';
import { type PhotoView, toPhotoView } from './views';

export interface CreatePhotoDeps {
  photos: PhotoStore;
  objects: ObjectStore;
  gate: WriteGatePort;
  idempotency: IdempotentWrites;
  clock: () => Date;
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
 * bucket. The photo is not listed until completePhotoUpload has checked the real bytes. With a
 * ULID Idempotency-Key the photo's id is fixed by the request (shared/photos/request-ids.ts), so
 * a retry in the other region after a failover finds the same photo.
 */
export async function createPhoto(deps: CreatePhotoDeps, command: CreatePhotoCommand): Promise<CreatedPhoto> {
  const admitted = await deps.gate.assertWritable();
  if (command.size > deps.limits.maxBytes) throw new PhotoTooLarge(deps.limits.maxBytes);
  const scope = `${command.actor.userId}|POST /photos`;
  let created = false;
  const recorded = await deps.idempotency.run(
    { scope, key: command.idempotencyKey, payload: { contentType: command.contentType, size: command.size, title: command.title } },
    async (): Promise<PhotoRecord> => {
      const now = deps.clock();
      const { id, at } = requestScopedId({ scope, key: command.idempotencyKey, now });
      const record: PhotoRecord = {
        id,
        ownerId: command.actor.userId,
        ...(command.actor.name === undefined ? {} : { ownerName: command.actor.name }),
        title: command.title,
        contentType: command.contentType,
        declaredSize: command.size,
        status: 'pending',
        createdAt: at.toISOString(),
        uploadDeadline: new Date(now.getTime() + deps.limits.uploadUrlSeconds * 1000).toISOString(),
      };
      // With a key the request fixes the photo (id, createdAt, what was announced); only its upload
      // deadline counts from each attempt, so it stays out of the digest: a retry anywhere is the
      // same creation (reconciliation at failback, services/runbooks/decisions/reconciliation.ts).
      const { uploadDeadline: _perAttempt, ...fixed } = record;
      const request = command.idempotencyKey === undefined ? undefined : requestDigest(fixed);
      const outcome = await deps.photos.createPending(record, writeStampFor(admitted, now, request));
      if (outcome.kind === 'deleted') throw new PhotoNotFound();
      if (outcome.kind === 'exists') return sameRequest(outcome.existing, record);
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

/** The photo an earlier attempt of this request created; anything else under that id is another request. */
function sameRequest(existing: PhotoRecord, wanted: PhotoRecord): PhotoRecord {
  const same =
    existing.ownerId === wanted.ownerId &&
    existing.title === wanted.title &&
    existing.contentType === wanted.contentType &&
    existing.declaredSize === wanted.declaredSize;
  if (!same) throw new IdempotencyKeyReused();
  return existing;
}
