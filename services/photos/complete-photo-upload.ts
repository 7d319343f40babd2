import type { IdempotentWrites } from '../../shared/idempotency/idempotent-writes';
import {
  NotOwner,
  PhotoNotFound,
  PhotoTooLarge,
  UnsupportedImage,
  UploadExpired,
  UploadNotReceived,
  UploadSizeMismatch,
} from '../../shared/photos/errors';
import {
  type Actor,
  type AdmittedState,
  type ObjectStore,
  type PhotoRecord,
  type PhotoStore,
  photoKey,
  uploadKey,
  type WriteGatePort,
} from '../../shared/photos/model';
import { writeStampFor } from '../../shared/photos/write-stamp';
import { SNIFF_LENGTH, sniffImageType } from './image-type';
import type { PhotoLimits } from './limits';
import { type PhotoView, toPhotoView } from './views';

export interface CompletePhotoUploadDeps {
  photos: PhotoStore;
  objects: ObjectStore;
  gate: WriteGatePort;
  idempotency: IdempotentWrites;
  clock: () => Date;
  limits: PhotoLimits;
}

export interface CompletePhotoUploadCommand {
  actor: Actor;
  photoId: string;
  idempotencyKey?: string;
}

/**
 * Step 2 of an upload: checks the bytes that arrived (size, then type by magic number against
 * the declared type), copies exactly that version to its final key and lists the photo.
 * A bad upload is removed together with its pending photo, so nothing half-way remains.
 * Completing an already listed photo returns it unchanged (safe to retry) and removes any
 * upload object a late PUT left behind.
 */
export async function completePhotoUpload(deps: CompletePhotoUploadDeps, command: CompletePhotoUploadCommand): Promise<PhotoView> {
  const admitted = await deps.gate.assertWritable();
  return deps.idempotency.run(
    {
      scope: `${command.actor.userId}|POST /photos/{photoId}/complete`,
      key: command.idempotencyKey,
      payload: { photoId: command.photoId },
    },
    () => complete(deps, command, admitted),
  );
}

async function complete(deps: CompletePhotoUploadDeps, command: CompletePhotoUploadCommand, admitted: AdmittedState): Promise<PhotoView> {
  const photo = await deps.photos.get(command.photoId);
  // Someone else's unfinished upload is not visible at all; their listed photo is, but is not theirs to complete.
  if (!photo || (photo.status === 'pending' && photo.ownerId !== command.actor.userId)) throw new PhotoNotFound();
  if (photo.ownerId !== command.actor.userId) throw new NotOwner('complete-upload');
  if (photo.status === 'ready') {
    // The upload URL stays valid until its deadline, and S3 cannot revoke it: a PUT after the
    // completion lands in uploads/ again. A repeated completion removes it; one never followed by
    // a completion is removed by the bucket's lifecycle rule for uploads/ (on AWS).
    await removeQuietly(deps.objects, uploadKey(photo.id));
    return toPhotoView(photo);
  }

  const source = uploadKey(photo.id);
  const reject = async (error: Error): Promise<never> => {
    await deps.objects.remove([source]);
    await deps.photos.discardPending(photo.id, writeStampFor(admitted, deps.clock()));
    throw error;
  };

  const uploaded = await deps.objects.inspect(source);
  if (!uploaded) {
    if (deps.clock().getTime() > Date.parse(photo.uploadDeadline)) return reject(new UploadExpired());
    throw new UploadNotReceived();
  }
  if (uploaded.size > deps.limits.maxBytes) return reject(new PhotoTooLarge(deps.limits.maxBytes));
  if (uploaded.size !== photo.declaredSize) return reject(new UploadSizeMismatch());
  const actualType = sniffImageType(await deps.objects.readStart(source, uploaded, SNIFF_LENGTH));
  if (actualType !== photo.contentType) return reject(new UnsupportedImage());

  const copied = await deps.objects.copy(source, uploaded, photoKey(photo.id), actualType);
  const now = deps.clock();
  const listed = await deps.photos.markReady(photo.id, now.toISOString(), writeStampFor(admitted, now), {
    key: photoKey(photo.id),
    etag: copied.etag,
  });
  if (!listed) return settleLostRace(deps, photo);
  await removeQuietly(deps.objects, source);
  return toPhotoView(listed);
}

/** markReady found the photo no longer pending: a concurrent completion listed it, or its owner deleted it. */
async function settleLostRace(deps: CompletePhotoUploadDeps, photo: PhotoRecord): Promise<PhotoView> {
  const now = await deps.photos.get(photo.id);
  if (now?.status === 'ready') return toPhotoView(now);
  await deps.objects.remove([uploadKey(photo.id), photoKey(photo.id)]);
  throw new PhotoNotFound();
}

async function removeQuietly(objects: ObjectStore, key: string): Promise<void> {
  try {
    await objects.remove([key]);
  } catch {
    // The photo is listed from its copy; a leftover upload object is never served and only costs
    // storage, so it must not turn a successful completion into an error.
  }
}
