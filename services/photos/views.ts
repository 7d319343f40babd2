import type { PhotoRecord } from '../../shared/photos/model';

/** A photo as clients see it: storage details (keys, deadlines) stay inside. */
export interface PhotoView {
  id: string;
  ownerId: string;
  ownerName?: string;
  title: string;
  contentType: string;
  size: number;
  status: 'pending' | 'ready';
  createdAt: string;
  listedAt?: string;
}

export function toPhotoView(photo: PhotoRecord): PhotoView {
  return {
    id: photo.id,
    ownerId: photo.ownerId,
    ...(photo.ownerName === undefined ? {} : { ownerName: photo.ownerName }),
    title: photo.title,
    contentType: photo.contentType,
    size: photo.declaredSize,
    status: photo.status,
    createdAt: photo.createdAt,
    ...(photo.listedAt === undefined ? {} : { listedAt: photo.listedAt }),
  };
}
