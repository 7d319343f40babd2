/**
 * Last-writer-wins ordering. The replicator is the single arbiter of both regions, so it
 * stamps every write it observes and keeps the stamps in memory; nothing is stored in the
 * items themselves (the application must not see replication attributes).
 */
export interface Stamp {
  /** Epoch milliseconds: when the write was observed in its region (see nextLocalStamp). */
  ts: number;
  /** Region the write was made in. Breaks ties between regions deterministically. */
  region: string;
  /** Observation order inside the arbiter: breaks ties within one region. */
  seq: number;
}

/**
 * > 0 when `a` is the newer write, < 0 when `b` is, 0 for the same write. Equal times go to
 * the region whose name sorts first (us-east-1 over us-west-2), so both regions pick the same
 * winner whatever order the arbiter hears about the two writes in.
 */
export function compareStamps(a: Stamp, b: Stamp): number {
  if (a.ts !== b.ts) return a.ts - b.ts;
  if (a.region !== b.region) return a.region < b.region ? 1 : -1;
  return a.seq - b.seq;
}

export function isNewer(a: Stamp, than: Stamp | undefined): boolean {
  return than === undefined || compareStamps(a, than) > 0;
}

export function newest(a: Stamp | undefined, b: Stamp | undefined): Stamp | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compareStamps(a, b) >= 0 ? a : b;
}

/**
 * Stamp for a write made in `region` on top of the version the region held before it
 * (`previous`, in the region's own stream order). A write always outranks what it replaced,
 * even when that version came from the peer with a later clock reading: the writer saw it.
 */
export function nextLocalStamp(previous: Stamp | undefined, observedAt: number, region: string, seq: number): Stamp {
  const ts = previous === undefined ? observedAt : Math.max(observedAt, previous.ts + 1);
  return { ts, region, seq };
}
