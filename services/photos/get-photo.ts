import { PhotoNotFound } from '../../shared/photos/errors';
import { type ObjectStore, type PhotoStore, photoKey } from '../../shared/photos/model';
import type { PhotoLimits } from './limits';
import { type PhotoView, toPhotoView } from './views';

export interface PhotoWithDownload {
  photo: PhotoView;
  download: { url: string; expiresAt: string };
}

/** A listed photo's metadata and a short-lived URL to its bytes. Pending uploads are not visible. */
export async function getPhoto(
  deps: { photos: PhotoStore; objects: ObjectStore; limits: Pick<PhotoLimits, 'downloadUrlSeconds'> },
  query: { photoId: string },
): Promise<PhotoWithDownload> {
  const photo = await deps.photos.get(query.photoId);
  if (photo?.status !== 'ready') throw new PhotoNotFound();
  const signed = await deps.objects.presignDownload(photoKey(photo.id), { expiresInSeconds: deps.limits.downloadUrlSeconds });
  return { photo: toPhotoView(photo), download: { url: signed.url, expiresAt: signed.expiresAt } };
}
