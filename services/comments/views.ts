import type { CommentRecord } from '../../shared/photos/comment-model';

/** A comment as clients see it. `text` is plain text, returned exactly as stored: render it as text. */
export interface CommentView {
  id: string;
  photoId: string;
  authorId: string;
  authorName?: string;
  text: string;
  createdAt: string;
}

export function toCommentView(comment: CommentRecord): CommentView {
  return {
    id: comment.id,
    photoId: comment.photoId,
    authorId: comment.authorId,
    ...(comment.authorName === undefined ? {} : { authorName: comment.authorName }),
    text: comment.text,
    createdAt: comment.createdAt,
  };
}
