// The replication gate's proof. Markers only show that replication moves: global tables
// replicate each item on its own and in no order, so a marker can arrive while earlier writes
// of a hot partition are still on their way. The proof is per write: every entry of the write
// journal (shared/write-journal/model.ts) the region being left wrote since the last verified
// point must find its item in the target with that write's id or a later one (a delete: no item
// and its tombstone), and its photo object with the same ETag (a removal: no object). The cost
// follows the writes since that point, not the table size. Pure: the step reads the journal and
// the target and hands both here.
import { coversWrite, type ItemKey, type JournalEntry, type JournalObject, journalBucket } from '../../../shared/write-journal/model';

export type DataTable = 'photos' | 'comments';
export const JOURNALLED_TABLES: readonly DataTable[] = ['photos', 'comments'];

/** What the target holds of one item: the writeId its item carries and its tombstone's (null: none). */
export interface HeldVersion {
  itemWriteId: string | null;
  tombstoneWriteId: string | null;
}

/** ETag of an object in the target's bucket (null: absent, undefined: not looked up). */
export type ObjectLookup = (key: string) => string | null | undefined;

export interface JournalCursor {
  /** Journal partition being read (JOURNAL#<minute>). */
  bucket: string;
  /** Sort key of the last entry read in it (null: from its start). */
  afterSk: string | null;
  /** Known to hold entries from afterSk on (a skip found them): read it, do not look for it again. */
  holdsEntries?: true;
}

export interface MissingWrite {
  table: DataTable;
  item: ItemKey;
  op: JournalEntry['op'];
  writeId: string;
  at: string;
  objects?: JournalObject[];
  reason: string;
}

/** The gate's journal check (`$.gate.journal`), carried from one CheckReplication to the next. */
export interface JournalProgress {
  /** Writes from here on are verified: the last verified point (minus a margin), or the journal's retention. */
  since: string;
  /** Writes after this are not this gate's (catch-up: the source still writes); null: up to the journal's end. */
  until: string | null;
  cursors: Record<DataTable, JournalCursor>;
  /** Read, and not (yet) in the target. Capped: reading stops while this many are missing. */
  missing: MissingWrite[];
  verified: { items: number; objects: number };
  entriesRead: number;
  /** The last check read every table's journal to its end (or to `until`) and found nothing missing. */
  complete: boolean;
  /** When the completing check started: every write journalled before it is verified. */
  verifiedThrough: string | null;
}

/** More missing writes than this are not listed; reading waits until these arrive. */
export const MISSING_CAP = 50;
/** Writers' clocks differ from the runbook's: re-verify a minute before the last verified point. */
export const VERIFIED_POINT_MARGIN_MS = 60_000;

export function startJournalVerification(args: { since: string; until: string | null }): JournalProgress {
  const cursor = { bucket: journalBucket(args.since), afterSk: null };
  return {
    since: args.since,
    until: args.until,
    cursors: { photos: { ...cursor }, comments: { ...cursor } },
    missing: [],
    verified: { items: 0, objects: 0 },
    entriesRead: 0,
    complete: false,
    verifiedThrough: null,
  };
}

/** Where a gate starts verifying: just before the last verified point, or as far back as the journal keeps. */
export function verificationStart(lastVerified: string | null, now: number, retentionSeconds: number): string {
  const oldest = now - retentionSeconds * 1000;
  const fromPoint = lastVerified === null ? Number.NEGATIVE_INFINITY : Date.parse(lastVerified) - VERIFIED_POINT_MARGIN_MS;
  return new Date(Math.max(oldest, fromPoint)).toISOString();
}

export const itemId = (table: string, item: ItemKey): string => `${table}|${item.pk}|${item.sk}`;

/**
 * Why the target does not show this write, or null when it does (or shows a later write of the
 * same item, which has its own journal entry). Objects are checked only for the item's latest
 * write: a later write may have replaced or removed them.
 */
export function missingReason(entry: JournalEntry, held: HeldVersion, objectEtag: ObjectLookup): string | null {
  if (entry.op === 'put') {
    if (coversWrite(held.tombstoneWriteId, entry) && held.itemWriteId === null) return null; // deleted since
    if (!coversWrite(held.itemWriteId, entry)) {
      return held.itemWriteId === null ? 'item not in the target' : 'the target holds an older version of the item';
    }
    if (held.itemWriteId !== entry.writeId) return null;
  } else {
    if (held.itemWriteId !== null && held.itemWriteId > entry.writeId) return null; // written again since
    if (held.itemWriteId !== null) return 'deleted item still in the target';
    if (!coversWrite(held.tombstoneWriteId, entry)) return 'tombstone of the delete not in the target';
  }
  for (const object of entry.objects ?? []) {
    const etag = objectEtag(object.key);
    if (etag === undefined) return `photo object ${object.key} could not be checked`;
    if (object.etag === null && etag !== null) return `removed photo object ${object.key} still in the target`;
    if (object.etag !== null && etag === null) return `photo object ${object.key} not in the target`;
    if (object.etag !== null && etag !== null && stripQuotes(etag) !== stripQuotes(object.etag)) {
      return `photo object ${object.key} differs in the target`;
    }
  }
  return null;
}

const stripQuotes = (etag: string) => etag.replace(/"/g, '');

export function missingWrite(table: DataTable, entry: JournalEntry, reason: string): MissingWrite {
  return {
    table,
    item: entry.item,
    op: entry.op,
    writeId: entry.writeId,
    at: entry.at,
    ...(entry.objects ? { objects: entry.objects } : {}),
    reason,
  };
}

/** Adds newly found missing writes; a later write of an item replaces its earlier one. */
export function mergeMissing(current: MissingWrite[], found: MissingWrite[]): MissingWrite[] {
  const byItem = new Map(current.map((m) => [itemId(m.table, m.item), m]));
  for (const m of found) {
    const previous = byItem.get(itemId(m.table, m.item));
    if (!previous || previous.writeId <= m.writeId) byItem.set(itemId(m.table, m.item), m);
  }
  return [...byItem.values()];
}

/** "3 write(s) still missing in us-west-2: comments PHOTO#…/COMMENT#… (item not in the target), …" */
export function describeJournal(progress: JournalProgress, target: string): string {
  const verified = `journal since ${progress.since}: ${progress.verified.items} write(s) and ${progress.verified.objects} photo object(s) verified in ${target}`;
  if (progress.missing.length === 0) return progress.complete ? `${verified}, none missing` : `${verified}, still reading`;
  const listed = progress.missing
    .slice(0, 5)
    .map((m) => `${m.table} ${m.item.pk}/${m.item.sk} ${m.op} at ${m.at} (${m.reason})`)
    .join('; ');
  const more = progress.missing.length >= MISSING_CAP ? ' (at least; reading waits for them)' : '';
  return `${verified}; ${progress.missing.length} still missing${more}: ${listed}${progress.missing.length > 5 ? '; …' : ''}`;
}
