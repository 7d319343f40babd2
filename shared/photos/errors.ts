// Domain errors of the photos and comments services. Their HTTP status is attached at the
// edge (./http-errors.ts); messages are written for clients and never carry internals.

/** Input that fails validation. `issues` name the field and the rule, never echo the value. */
export class InvalidInput extends Error {
  override readonly name = 'InvalidInput';
  constructor(readonly issues: string[]) {
    super(`Invalid request: ${issues.join('; ')}`);
  }
}

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

/** Deleting someone else's photo or comment. */
export class NotOwner extends Error {
  override readonly name = 'NotOwner';
  constructor(what: 'photo' | 'comment') {
    super(what === 'photo' ? 'Only the owner may delete this photo' : 'Only the author may delete this comment');
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

/** The object changed while it was being checked (re-uploaded concurrently). */
export class UploadChanged extends Error {
  override readonly name = 'UploadChanged';
  constructor() {
    super('The uploaded file changed while it was being checked; try again');
  }
}
