// What every acknowledged write leaves behind, so that a failover can prove it arrived and a
// failback can tell "deleted" from "not replicated yet". Pure: keys, records, time buckets.
//
// - Each data item carries the stamp of the write that made it: `writeId` (a ULID, unique per
//   write) and `stateVersion` (the application state version the write gate admitted it under:
//   the fencing token).
// - Each write also puts a journal entry into the same table, in the same transaction, under a
//   partition per minute (`JOURNAL#<yyyy-mm-ddThh:mm>`), expiring after JOURNAL_RETENTION_SECONDS.
//   The replication gate reads the journal of the region being left for the minutes since the
//   last verified point and checks each entry's item (and photo object) in the target: the cost
//   follows the recent writes, never the table size.
// - A delete leaves a tombstone (`TOMBSTONE#<pk>` / `<sk>`, same table, TTL), so reconciliation
//   never takes "absent" for "not replicated yet".
// Global tables replicate the journal and the tombstones like any other item, each on its own.
import { createHash } from 'node:crypto';

export interface ItemKey {
  pk: string;
  sk: string;
}

/** The stamp a write carries into its item, its journal entry and its tombstone. */
export interface WriteStamp {
  /** Unique per write, time-ordered (ULID). */
  writeId: string;
  /** AppState.version the write was admitted under (the fencing token). */
  stateVersion: number;
  /** ISO 8601, when the write was made. */
  at: string;
  /** The region that took the write. */
  region: string;
  /**
   * The digest of what the client request asked to write (requestDigest), for a create whose id
   * the request fixes (an Idempotency-Key): two writes carrying the same one are attempts of one
   * request, e.g. its retry in the other region after a failover (docs, "Reconciliation").
   */
  request?: string;
}

export type JournalOp = 'put' | 'delete';

/** A photo object the write created (with the ETag it must have) or removed (etag null). */
export interface JournalObject {
  key: string;
  etag: string | null;
}

export interface JournalEntry {
  /** The data item written. */
  item: ItemKey;
  op: JournalOp;
  writeId: string;
  stateVersion: number;
  at: string;
  region: string;
  objects?: JournalObject[];
  /** The write's request digest (WriteStamp.request), when it has one. */
  request?: string;
}

export const JOURNAL_PREFIX = 'JOURNAL#';
export const TOMBSTONE_PREFIX = 'TOMBSTONE#';

/**
 * How far back the gate can prove writes when no earlier gate verified a point: one hour.
 * A write older than the last verified point or than this is not re-verified (README).
 */
export const JOURNAL_RETENTION_SECONDS = 3_600;
/** A tombstone outlives any failover-to-failback period (a week). */
export const TOMBSTONE_RETENTION_SECONDS = 7 * 86_400;

/**
 * The attribute of an item created under an Idempotency-Key that holds its creation's request
 * digest, kept through later updates (a photo's completion): a failback tells the creation
 * retried in the other region from another write of the same id.
 */
export const CREATION_REQUEST = 'creationRequest';

/** Attributes of a data item that belong to this bookkeeping, not to the application. */
export const STAMP_ATTRIBUTES = ['writeId', 'stateVersion', 'writtenAt', 'writtenIn'] as const;

export function stampAttributes(stamp: WriteStamp): Record<(typeof STAMP_ATTRIBUTES)[number], string | number> {
  return { writeId: stamp.writeId, stateVersion: stamp.stateVersion, writtenAt: stamp.at, writtenIn: stamp.region };
}

/** The journal partition of a moment: one per minute. */
export function journalBucket(at: string | number | Date): string {
  return `${JOURNAL_PREFIX}${new Date(at).toISOString().slice(0, 16)}`;
}

/** Every journal partition from `from` to `to` (inclusive), oldest first. */
export function journalBuckets(from: string | number | Date, to: string | number | Date): string[] {
  const start = Math.floor(new Date(from).getTime() / 60_000);
  const end = Math.floor(new Date(to).getTime() / 60_000);
  const buckets: string[] = [];
  for (let minute = start; minute <= end; minute += 1) buckets.push(journalBucket(minute * 60_000));
  return buckets;
}

const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

export function journalKey(stamp: WriteStamp, item: ItemKey): ItemKey {
  // Time first, so one partition reads in write order; the write and the item make it unique.
  return { pk: journalBucket(stamp.at), sk: `${stamp.at}#${stamp.writeId}#${item.pk}#${item.sk}` };
}

/** The journal item of one write of one data item. */
export function journalRecord(stamp: WriteStamp, item: ItemKey, op: JournalOp, objects?: JournalObject[]): Record<string, unknown> {
  const entry: JournalEntry = {
    item,
    op,
    writeId: stamp.writeId,
    stateVersion: stamp.stateVersion,
    at: stamp.at,
    region: stamp.region,
    ...(objects && objects.length > 0 ? { objects } : {}),
    ...(stamp.request === undefined ? {} : { request: stamp.request }),
  };
  return { ...journalKey(stamp, item), ...entry, expiresAt: epochSeconds(stamp.at) + JOURNAL_RETENTION_SECONDS };
}

/**
 * A digest of the record a request creates, its own attributes only (no stamp): a retry of the
 * request, in any region, creates the same record (same id, same content) and so the same digest;
 * another request that reused the id with other content does not.
 */
export function requestDigest(record: Record<string, unknown>): string {
  const canonical = JSON.stringify(
    Object.keys(record)
      .sort()
      .map((k) => [k, record[k]]),
  );
  return createHash('sha256').update(canonical).digest('base64url');
}

export function journalEntryOf(record: Record<string, unknown>): JournalEntry {
  return {
    item: record.item as ItemKey,
    op: record.op as JournalOp,
    writeId: record.writeId as string,
    stateVersion: Number(record.stateVersion),
    at: record.at as string,
    region: record.region as string,
    ...(Array.isArray(record.objects) ? { objects: record.objects as JournalObject[] } : {}),
    ...(typeof record.request === 'string' ? { request: record.request } : {}),
  };
}

export function tombstoneKey(item: ItemKey): ItemKey {
  return { pk: `${TOMBSTONE_PREFIX}${item.pk}`, sk: item.sk };
}

export interface Tombstone {
  item: ItemKey;
  writeId: string;
  stateVersion: number;
  deletedAt: string;
  region: string;
}

export function tombstoneRecord(stamp: WriteStamp, item: ItemKey): Record<string, unknown> {
  const tombstone: Tombstone = {
    item,
    writeId: stamp.writeId,
    stateVersion: stamp.stateVersion,
    deletedAt: stamp.at,
    region: stamp.region,
  };
  return { ...tombstoneKey(item), ...tombstone, expiresAt: epochSeconds(stamp.at) + TOMBSTONE_RETENTION_SECONDS };
}

/**
 * Is the version `held` (the writeId an item or tombstone carries, or null when there is
 * neither) the write `entry` made, or a later one? WriteIds are ULIDs, so later writes sort
 * after earlier ones of the same region.
 */
export function coversWrite(held: string | null | undefined, entry: Pick<JournalEntry, 'writeId'>): boolean {
  return typeof held === 'string' && held >= entry.writeId;
}

/** The journal partition of the minute after `bucket`'s. */
export function nextJournalBucket(bucket: string): string {
  const minute = Date.parse(`${bucket.slice(JOURNAL_PREFIX.length)}:00.000Z`);
  return journalBucket(minute + 60_000);
}
