import { decodeCursor, encodeCursor } from '../../shared/photos/cursor';
import { ID_PATTERN } from '../../shared/photos/ids';
import type { PhotoListPosition, PhotoStore } from '../../shared/photos/model';
import * as z from '../../shared/zod';
import { type PhotoView, toPhotoView } from './views';

const SCOPE = 'photos';
const position = z.strictObject({ listedAt: z.iso.datetime(), id: z.string().check(z.regex(ID_PATTERN)) });

export interface ListPhotosQuery {
  limit: number;
  cursor?: string;
}

export interface PhotoList {
  items: PhotoView[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** Listed photos, newest first. Reads are served in every application state. */
export async function listPhotos(deps: { photos: PhotoStore }, query: ListPhotosQuery): Promise<PhotoList> {
  const after: PhotoListPosition | undefined = query.cursor === undefined ? undefined : decodeCursor(query.cursor, SCOPE, position);
  const page = await deps.photos.listReady({ limit: query.limit, ...(after ? { after } : {}) });
  return {
    items: page.items.map(toPhotoView),
    nextCursor: page.next ? encodeCursor(SCOPE, { listedAt: page.next.listedAt, id: page.next.id }) : null,
  };
}
