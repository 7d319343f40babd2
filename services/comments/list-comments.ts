import type { CommentListPosition, CommentStore } from '../../shared/photos/comment-model';
import { decodeCursor, encodeCursor } from '../../shared/photos/cursor';
import { PhotoNotFound } from '../../shared/photos/errors';
import { ID_PATTERN } from '../../shared/photos/ids';
import type { PhotoStore } from '../../shared/photos/model';
import * as z from '../../shared/zod';
import { type CommentView, toCommentView } from './views';

const position = z.strictObject({ id: z.string().check(z.regex(ID_PATTERN)) });
// The photo is part of the scope: a cursor from one photo's comments is refused on another's.
const scopeOf = (photoId: string) => `comments:${photoId}`;

export interface ListCommentsQuery {
  photoId: string;
  limit: number;
  cursor?: string;
}

export interface CommentList {
  items: CommentView[];
  nextCursor: string | null;
}

/** A listed photo's comments, oldest first. Reads are served in every application state. */
export async function listComments(deps: { photos: PhotoStore; comments: CommentStore }, query: ListCommentsQuery): Promise<CommentList> {
  const after: CommentListPosition | undefined =
    query.cursor === undefined ? undefined : decodeCursor(query.cursor, scopeOf(query.photoId), position);
  const photo = await deps.photos.get(query.photoId);
  if (photo?.status !== 'ready') throw new PhotoNotFound();
  const page = await deps.comments.list(query.photoId, { limit: query.limit, ...(after ? { after } : {}) });
  return {
    items: page.items.map(toCommentView),
    nextCursor: page.next ? encodeCursor(scopeOf(query.photoId), { id: page.next.id }) : null,
  };
}
