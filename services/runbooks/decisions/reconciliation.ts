// Stranded-write reconciliation at failback. "Stranded": written in the old primary after the
// replication watermark of the failover (the newest item time the secondary held when it was
// promoted) and still absent or different in the secondary. Each one is:
//   - replayed into the secondary when the secondary's copy has not changed since the failover
//     (absent, or last modified at or before the promotion): nobody there could have seen it;
//   - reported as a conflict otherwise: both regions changed the item, and a human decides.
// Items carry no version attribute, so "last modified" is the newest of their timestamp
// attributes; see ITEM_TIME_ATTRIBUTES. Deletions leave no trace and cannot be reconciled.
import type { ConflictReport, ItemRef, ReplicatedTable } from '../model';

export type Item = Record<string, unknown>;

/** Newest wins: updatedAt when an item has it, else listedAt (photos), else createdAt. */
export const ITEM_TIME_ATTRIBUTES = ['updatedAt', 'listedAt', 'createdAt'] as const;

/** Last-modified time of an item in epoch ms, or null when it has no timestamp attribute. */
export function itemTime(item: Item): number | null {
  let newest: number | null = null;
  for (const attribute of ITEM_TIME_ATTRIBUTES) {
    const value = item[attribute];
    const ms = typeof value === 'string' ? Date.parse(value) : typeof value === 'number' ? value : Number.NaN;
    if (!Number.isNaN(ms) && (newest === null || ms > newest)) newest = ms;
  }
  return newest;
}

export function isRunbookMarker(item: Item): boolean {
  return typeof item.pk === 'string' && item.pk.startsWith('MARKER#');
}

/** Structural equality of two items as the document client returns them (sets unordered, binary by content). */
export function sameItem(a: Item, b: Item): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  return JSON.stringify(normalise(value));
}

function normalise(value: unknown): unknown {
  if (value instanceof Set)
    return {
      $set: [...value]
        .map(normalise)
        .map((v) => JSON.stringify(v))
        .sort(),
    };
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString('base64') };
  if (Array.isArray(value)) return value.map(normalise);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, normalise(v)]));
  }
  return value;
}

export interface StrandedCandidate {
  table: ReplicatedTable;
  primaryItem: Item;
  /** The secondary's copy, undefined when absent. */
  secondaryItem: Item | undefined;
}

export interface ReplayDecision extends ItemRef {
  table: ReplicatedTable;
  item: Item;
  /** What the secondary held when the decision was made (undefined: absent): the replay is conditional on it. */
  secondaryItem: Item | undefined;
}

export interface Classification {
  replay: ReplayDecision[];
  conflicts: ConflictReport[];
  converged: number;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function refOf(table: string, item: Item): ItemRef {
  return { table, pk: String(item.pk), sk: String(item.sk) };
}

/** Is this primary item newer than the failover watermark of its table (null watermark: the secondary had nothing)? */
export function isAfterWatermark(item: Item, watermark: number | null): boolean {
  if (isRunbookMarker(item)) return false;
  const time = itemTime(item);
  if (time === null) return false;
  return watermark === null || time > watermark;
}

export function classifyStrandedWrites(candidates: StrandedCandidate[], failoverAt: number): Classification {
  const result: Classification = { replay: [], conflicts: [], converged: 0 };
  for (const { table, primaryItem, secondaryItem } of candidates) {
    if (secondaryItem !== undefined && sameItem(primaryItem, secondaryItem)) {
      result.converged += 1;
      continue;
    }
    const secondaryTime = secondaryItem === undefined ? null : itemTime(secondaryItem);
    const unchangedSinceFailover = secondaryItem === undefined || (secondaryTime !== null && secondaryTime <= failoverAt);
    if (unchangedSinceFailover) {
      result.replay.push({ ...refOf(table, primaryItem), table, item: primaryItem, secondaryItem });
    } else {
      result.conflicts.push({ ...refOf(table, primaryItem), primaryTime: iso(itemTime(primaryItem)), secondaryTime: iso(secondaryTime) });
    }
  }
  return result;
}

/** Unresolved conflicts block the failback unless a human forces it (with the run's reason on record). */
export function reconciliationBlocks(conflictCount: number, force: boolean): boolean {
  return conflictCount > 0 && !force;
}

/** Folds a page of items into the newest item time seen so far (the replication watermark of a table). */
export function newestItemTime(current: number | null, items: Item[]): number | null {
  let newest = current;
  for (const item of items) {
    if (isRunbookMarker(item)) continue;
    const time = itemTime(item);
    if (time !== null && (newest === null || time > newest)) newest = time;
  }
  return newest;
}
