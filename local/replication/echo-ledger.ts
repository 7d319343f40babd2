import { compareStamps, type Stamp } from './stamps';

export interface EchoExpectation {
  token: number;
  region: string;
  key: string;
  fingerprint: string;
  stamp: Stamp;
}

/**
 * The replicator's own writes into a region come back on that region's change feed. Each
 * write is announced here before it is issued; a change whose content matches an announced
 * write is its echo and must not be replicated back. Matching is by content, not by a marker
 * attribute, so items stay exactly as the application wrote them.
 */
export class EchoLedger {
  private readonly byItem = new Map<string, EchoExpectation[]>();
  private nextToken = 1;

  private static id(region: string, key: string): string {
    return `${region}\u0000${key}`;
  }

  expect(region: string, key: string, fingerprint: string, stamp: Stamp): EchoExpectation {
    const expectation = { token: this.nextToken++, region, key, fingerprint, stamp };
    const id = EchoLedger.id(region, key);
    const list = this.byItem.get(id) ?? [];
    list.push(expectation);
    this.byItem.set(id, list);
    return expectation;
  }

  /**
   * The expectation this change is the echo of, removed from the ledger, or undefined for a
   * change the application made. Writes into one item are issued one at a time, so their
   * echoes arrive in the same order: announced writes before the match produced no change
   * record and are dropped with it.
   */
  match(region: string, key: string, fingerprint: string): EchoExpectation | undefined {
    const id = EchoLedger.id(region, key);
    const list = this.byItem.get(id);
    if (!list) return undefined;
    const index = list.findIndex((e) => e.fingerprint === fingerprint);
    if (index < 0) return undefined;
    const [found] = list.splice(0, index + 1).slice(-1);
    if (list.length === 0) this.byItem.delete(id);
    return found;
  }

  /** Withdraws an announcement whose write failed or produced no change record. True if it was still pending. */
  cancel(expectation: EchoExpectation): boolean {
    const id = EchoLedger.id(expectation.region, expectation.key);
    const list = this.byItem.get(id);
    const index = list?.findIndex((e) => e.token === expectation.token) ?? -1;
    if (!list || index < 0) return false;
    list.splice(index, 1);
    if (list.length === 0) this.byItem.delete(id);
    return true;
  }

  isPending(expectation: EchoExpectation): boolean {
    return this.byItem.get(EchoLedger.id(expectation.region, expectation.key))?.some((e) => e.token === expectation.token) ?? false;
  }

  /** The newest write still awaiting its echo in that region, if any. */
  newestPending(region: string, key: string): Stamp | undefined {
    let best: Stamp | undefined;
    for (const e of this.byItem.get(EchoLedger.id(region, key)) ?? []) {
      if (best === undefined || compareStamps(e.stamp, best) > 0) best = e.stamp;
    }
    return best;
  }

  get size(): number {
    let n = 0;
    for (const list of this.byItem.values()) n += list.length;
    return n;
  }
}
