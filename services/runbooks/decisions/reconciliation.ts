// Stranded-write reconciliation at failback, decided per item from the write journals (no table
// is scanned) and the fencing tokens the writes carry (shared/write-journal/model.ts):
//   - stranded: the old primary's latest write of an item since the last verified point, admitted
//     under a state version older than the failover's promotion (the token, not a wall clock);
//   - changed since the failover: the secondary's latest write of the item, admitted under the
//     promotion's version or later.
// Each stranded write is then
//   - converged when the secondary holds that write (or a later one, or its later delete), or
//     when the secondary's write is the same request retried there (the same request digest,
//     shared/write-journal/model.ts) and it holds one of the two, or, for a photo whose stranded
//     write is its creation, when the secondary holds the photo that same request created there
//     (pending or completed since: its `creationRequest`);
//   - a conflict when the secondary changed the item too: reported with what last-writer-wins
//     has made of it so far (never counted as converged), and blocking unless a human forces it;
//   - replayed into the secondary otherwise (a put: the primary's item; a delete: the delete and
//     its tombstone), conditional on the secondary's copy still being the one judged;
// and a comment whose photo the secondary no longer has is removed there (the delete wins): no
// comment is ever left on a deleted photo. A tombstone tells "deleted" from "not replicated
// yet", so a delete is never undone by a replay.
import type { ItemKey, JournalEntry } from '../../../shared/write-journal/model';
import { CREATION_REQUEST, coversWrite } from '../../../shared/write-journal/model';
import type { ConflictReport } from '../model';
import type { DataTable } from './journal-verification';

export type Item = Record<string, unknown>;

export interface StrandedCase {
  table: DataTable;
  key: ItemKey;
  /** The old primary's latest write of the item admitted before the promotion. */
  stranded: JournalEntry;
  /** The secondary's latest write of the item admitted at or after the promotion, if any. */
  changedSince: JournalEntry | undefined;
  primaryItem: Item | undefined;
  secondaryItem: Item | undefined;
  /** WriteId of the secondary's tombstone of the item, if it has one. */
  secondaryTombstone: string | undefined;
  /** Comments only: does the secondary still hold the comment's photo, listed (and not tombstoned)? */
  photoInSecondary?: boolean;
}

export type Verdict =
  | { kind: 'converged' }
  | { kind: 'replay-put'; item: Item; expectedWriteId: string | null }
  | { kind: 'replay-delete'; expectedWriteId: string }
  /** A comment on a photo the secondary deleted: removed there (and kept from ever arriving). */
  | { kind: 'remove-orphan' }
  | { kind: 'conflict'; resolution: ConflictReport['resolution'] }
  /** The primary no longer holds the write it journalled (changed again by replication): nothing to replay. */
  | { kind: 'untraceable' };

const writeIdOf = (item: Item | undefined): string | null =>
  item === undefined ? null : typeof item.writeId === 'string' ? item.writeId : '';

/** What the secondary holds now: its item's writeId, else its tombstone's, else null. */
function heldIn(item: Item | undefined, tombstone: string | undefined): string | null {
  return item !== undefined ? writeIdOf(item) : (tombstone ?? null);
}

/** Two puts of one request (the same request digest): an idempotent retry, not two writes. */
function sameRequest(a: JournalEntry, b: JournalEntry): boolean {
  return a.op === 'put' && b.op === 'put' && a.request !== undefined && a.request === b.request;
}

/**
 * Only a photo's creation carries a request digest (a completion or a removal does not), so a
 * stranded put with one is the creation; the secondary's photo names the request that created it.
 */
function strandedCreationHeld(c: StrandedCase): boolean {
  return (
    c.stranded.op === 'put' &&
    c.stranded.request !== undefined &&
    c.secondaryItem !== undefined &&
    c.secondaryItem[CREATION_REQUEST] === c.stranded.request
  );
}

export function judgeStranded(c: StrandedCase): Verdict {
  if (c.table === 'comments' && c.photoInSecondary === false && c.stranded.op === 'put') return { kind: 'remove-orphan' };

  if (c.changedSince && sameRequest(c.stranded, c.changedSince)) {
    // One request written in both regions: its attempt in the old primary was stranded (its answer
    // lost at the cut) and the client retried it in the secondary. The two writes are one write
    // (same record, requestDigest); whichever the secondary holds, nothing was lost.
    const secondaryNow = heldIn(c.secondaryItem, c.secondaryTombstone);
    if (secondaryNow === c.changedSince.writeId || secondaryNow === c.stranded.writeId) return { kind: 'converged' };
  }

  if (c.changedSince && c.table === 'photos' && strandedCreationHeld(c)) {
    // The photo's creation was stranded in the old primary (its answer lost at the cut); the client
    // retried it in the secondary, where the same request created the photo, and may have completed
    // its upload there since. What the client was told of the stranded attempt (a pending photo and
    // its upload URL) is what the secondary holds, or further along: nothing was lost.
    return { kind: 'converged' };
  }

  if (c.changedSince) {
    // Both regions wrote the item. Which write holds in each region now?
    const secondaryNow = heldIn(c.secondaryItem, c.secondaryTombstone);
    const primaryNow = writeIdOf(c.primaryItem);
    const same = secondaryNow === primaryNow || (c.secondaryItem === undefined && c.primaryItem === undefined);
    if (!same) return { kind: 'conflict', resolution: 'pending' };
    if (secondaryNow === c.changedSince.writeId) return { kind: 'conflict', resolution: 'secondary-kept' };
    if (secondaryNow === c.stranded.writeId) return { kind: 'conflict', resolution: 'stranded-write-kept' };
    return { kind: 'conflict', resolution: 'pending' };
  }

  const secondaryWriteId = writeIdOf(c.secondaryItem);
  if (c.stranded.op === 'put') {
    if (coversWrite(secondaryWriteId, c.stranded)) return { kind: 'converged' };
    if (c.secondaryItem === undefined && coversWrite(c.secondaryTombstone, c.stranded)) return { kind: 'converged' };
    if (!c.primaryItem || !coversWrite(writeIdOf(c.primaryItem), c.stranded)) return { kind: 'untraceable' };
    return { kind: 'replay-put', item: c.primaryItem, expectedWriteId: secondaryWriteId };
  }
  if (c.secondaryItem === undefined) return { kind: 'converged' };
  if (secondaryWriteId !== null && secondaryWriteId > c.stranded.writeId) return { kind: 'converged' };
  return { kind: 'replay-delete', expectedWriteId: secondaryWriteId ?? '' };
}

/** Unresolved conflicts block the failback unless a human forces it (with the run's reason on record). */
export function reconciliationBlocks(conflictCount: number, force: boolean): boolean {
  return conflictCount > 0 && !force;
}

/** Keeps, per item, the latest of its journal entries (writeIds are time-ordered). */
export function latestPerItem<T extends { entry: JournalEntry }>(entries: Iterable<T>, idOf: (e: T) => string): Map<string, T> {
  const latest = new Map<string, T>();
  for (const e of entries) {
    const id = idOf(e);
    const previous = latest.get(id);
    if (!previous || previous.entry.writeId <= e.entry.writeId) latest.set(id, e);
  }
  return latest;
}
