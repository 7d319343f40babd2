// The photo model, what photos and comments share (pages, creations, the admitted state, the
// actor), and the narrow ports their use cases need. Comments have their own file
// (./comment-model.ts). Adapters (./adapters/) implement the ports; use cases never import the
// AWS SDK; the composition root (./wiring.ts) puts the two together.
import type { WriteStamp } from '../write-journal/model';

export type { WriteStamp } from '../write-journal/model';

export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];

export type PhotoStatus = 'pending' | 'ready';

export interface PhotoRecord {
  id: string;
  ownerId: string;
  ownerName?: string;
  title: string;
  contentType: ImageType;
  /** Bytes announced when the upload was requested; the real object must match it. */
  declaredSize: number;
  status: PhotoStatus;
  createdAt: string;
  /** When the upload URL stops working: a pending photo past it can never become ready. */
  uploadDeadline: string;
  /** Set when the photo became ready, i.e. listed. Orders the list (newest first). */
  listedAt?: string;
}

/** Where a page of the photo list ended (the last photo returned). */
export interface PhotoListPosition {
  listedAt: string;
  id: string;
}

export interface Page<T, P> {
  items: T[];
  /** Position after which the next page starts; absent on the last page. */
  next?: P;
}

export type OwnedRemoval = 'removed' | 'missing' | 'not-owner';

/**
 * Creating an item whose id the request fixed (shared/photos/request-ids.ts): it may already
 * exist (an earlier attempt of the same request, possibly made in the other region), or have
 * existed and been deleted since (its tombstone is there).
 */
export type Creation<T> = { kind: 'created' } | { kind: 'exists'; existing: T } | { kind: 'deleted' };

/*
 * Every write below carries the stamp of its admission (shared/write-journal/model.ts): the
 * adapters store it on the item and write a journal entry (and, for a delete, a tombstone) in
 * the same transaction.
 */
export interface PhotoStore {
  /** Conditional on the id being new: never overwrites. */
  createPending(photo: PhotoRecord, stamp: WriteStamp): Promise<Creation<PhotoRecord>>;
  get(photoId: string): Promise<PhotoRecord | undefined>;
  /**
   * pending → ready, which is what lists the photo; `object` is its copied image (journalled with
   * its ETag, for the replication gate). Returns undefined when the photo is gone or not pending.
   */
  markReady(photoId: string, listedAt: string, stamp: WriteStamp, object: { key: string; etag: string }): Promise<PhotoRecord | undefined>;
  /** Removes the photo only when `ownerId` owns it; `objectKeys` are its images, removed right after. */
  removeOwned(photoId: string, ownerId: string, stamp: WriteStamp, objectKeys: string[]): Promise<OwnedRemoval>;
  /** Removes a pending photo (a rejected or abandoned upload), never a listed one. */
  discardPending(photoId: string, stamp: WriteStamp): Promise<void>;
  listReady(options: { limit: number; after?: PhotoListPosition }): Promise<Page<PhotoRecord, PhotoListPosition>>;
}

export interface StoredObject {
  size: number;
  /** Identifies this version of the bytes, so later steps act on exactly what was checked. */
  etag: string;
}

export interface PresignedRequest {
  url: string;
  method: 'PUT' | 'GET';
  /** Headers the client must send with the request (they are part of the signature). */
  headers: Record<string, string>;
  expiresAt: string;
}

export interface ObjectStore {
  presignUpload(
    key: string,
    options: { contentType: ImageType; contentLength: number; expiresInSeconds: number },
  ): Promise<PresignedRequest>;
  presignDownload(key: string, options: { expiresInSeconds: number }): Promise<PresignedRequest>;
  /** Size and version of the object, or undefined when there is none. */
  inspect(key: string): Promise<StoredObject | undefined>;
  /** The first `length` bytes of exactly that version; throws UploadChanged if it was replaced. */
  readStart(key: string, version: StoredObject, length: number): Promise<Uint8Array>;
  /** Copies exactly that version; throws UploadChanged if it was replaced. Returns the copy's ETag. */
  copy(fromKey: string, version: StoredObject, toKey: string, contentType: ImageType): Promise<{ etag: string }>;
  remove(keys: string[]): Promise<void>;
}

/** Storage keys: uploads land under uploads/ and only checked bytes are copied to photos/. */
export function uploadKey(photoId: string): string {
  return `uploads/${photoId}`;
}

export function photoKey(photoId: string): string {
  return `photos/${photoId}`;
}

/** What a write needs of the state it was admitted under: its version is the write's fencing token. */
export interface AdmittedState {
  version: number;
  activeRegion: string;
}

/** The part of the write gate (shared/app-state/write-gate.ts) a write needs: it throws WritesFenced or WrongRegion. */
export interface WriteGatePort {
  assertWritable(): Promise<AdmittedState>;
}

/** Who asks (from the verified JWT). */
export interface Actor {
  userId: string;
  name?: string;
}
