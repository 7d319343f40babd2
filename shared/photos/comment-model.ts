// A photo's comments: the record, where a page of them ends, and the store port
// (./adapters/dynamo-comment-store.ts implements it).
import type { Creation, OwnedRemoval, Page, WriteStamp } from './model';

export interface CommentRecord {
  id: string;
  photoId: string;
  authorId: string;
  authorName?: string;
  text: string;
  createdAt: string;
}

/** Where a page of a photo's comments ended (the last comment returned). */
export interface CommentListPosition {
  id: string;
}

export interface CommentStore {
  /** Stores the comment only if its photo is listed at that moment, and only if its id is new. */
  addToListedPhoto(comment: CommentRecord, stamp: WriteStamp): Promise<Creation<CommentRecord> | { kind: 'photo-not-listed' }>;
  removeOwned(photoId: string, commentId: string, authorId: string, stamp: WriteStamp): Promise<OwnedRemoval>;
  list(photoId: string, options: { limit: number; after?: CommentListPosition }): Promise<Page<CommentRecord, CommentListPosition>>;
  /** Removes every comment of a photo (after the photo itself is gone). */
  removeAllOf(photoId: string, stamp: WriteStamp): Promise<void>;
}
