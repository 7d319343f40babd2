// Domain errors of photos and comments. Their HTTP status is attached at the edge, in the one
// error table (shared/http/error-response.ts); messages are written for clients and never
// carry internals.

export class InvalidCursor extends Error {
  override readonly name = 'InvalidCursor';
  constructor() {
    super('The cursor is not valid for this list');
  }
}

export class PhotoNotFound extends Error {
  override readonly name = 'PhotoNotFound';
  constructor() {
    super('No such photo');
  }
}

export class CommentNotFound extends Error {
  override readonly name = 'CommentNotFound';
  constructor() {
    super('No such comment');
  }
}

/** What only a photo's owner or a comment's author may do. */
export type OwnerOnlyAction = 'delete-photo' | 'complete-upload' | 'delete-comment';

const OWNER_ONLY: Record<OwnerOnlyAction, string> = {
  'delete-photo': 'Only the owner may delete this photo',
  'complete-upload': "Only the owner may complete this photo's upload",
  'delete-comment': 'Only the author may delete this comment',
};

/** Acting on someone else's photo or comment; the message names the action that was refused. */
export class NotOwner extends Error {
  override readonly name = 'NotOwner';
  constructor(readonly action: OwnerOnlyAction) {
    super(OWNER_ONLY[action]);
  }
}

export class PhotoTooLarge extends Error {
  override readonly name = 'PhotoTooLarge';
  constructor(readonly maxBytes: number) {
    super(`Photos may be at most ${maxBytes} bytes`);
  }
}

/** The uploaded bytes are not the image type that was declared, or not an allowed image at all. */
export class UnsupportedImage extends Error {
  override readonly name = 'UnsupportedImage';
  constructor(message = 'The uploaded file is not a JPEG, PNG, WebP or GIF image of the declared type') {
    super(message);
  }
}

/** The uploaded object's size differs from the size declared when the upload was requested. */
export class UploadSizeMismatch extends Error {
  override readonly name = 'UploadSizeMismatch';
  constructor() {
    super('The uploaded file does not have the declared size');
  }
}

/** Completion was asked for before the bytes arrived; the client may upload and ask again. */
export class UploadNotReceived extends Error {
  override readonly name = 'UploadNotReceived';
  constructor() {
    super('The photo has not been uploaded yet');
  }
}

/** The upload window closed without the bytes arriving; the photo was discarded. */
export class UploadExpired extends Error {
  override readonly name = 'UploadExpired';
  constructor() {
    super('The upload window for this photo has closed; start a new upload');
  }
}

/** A replayed upload request (same Idempotency-Key) whose photo was rejected, discarded or deleted since. */
export class UploadDiscarded extends Error {
  override readonly name = 'UploadDiscarded';
  constructor() {
    super("This photo's upload is closed (rejected, discarded or deleted); start a new upload with a new Idempotency-Key");
  }
}

/** A replayed upload request (same Idempotency-Key) whose photo is already uploaded and listed. */
export class UploadAlreadyCompleted extends Error {
  override readonly name = 'UploadAlreadyCompleted';
  constructor() {
    super("This photo's upload is complete: there is nothing left to upload");
  }
}

/** The object changed while it was being checked (re-uploaded concurrently). */
export class UploadChanged extends Error {
  override readonly name = 'UploadChanged';
  constructor() {
    super('The uploaded file changed while it was being checked; try again');
  }
}
