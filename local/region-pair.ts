// The two regions of a stage (primary and secondary, from infra/stages/<stage>.yml through the
// topology): the runtime, the replication and the quorum each know them as a pair, and each
// asks this one function for a region's peer.

export type RegionPair = readonly [string, string];

/** A region that is neither of the pair. A RangeError, as the region is out of the pair's range. */
export class UnknownRegion extends RangeError {
  override readonly name = 'UnknownRegion';
  constructor(
    readonly region: string,
    readonly regions: RegionPair,
  ) {
    super(`Unknown region "${region}" (this stage has ${regions[0]} and ${regions[1]})`);
  }
}

export function peerOf(regions: RegionPair, region: string): string {
  if (region === regions[0]) return regions[1];
  if (region === regions[1]) return regions[0];
  throw new UnknownRegion(region, regions);
}
