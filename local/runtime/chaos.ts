// Chaos on the running regions: which faults are in force, by cause, and how each cause reaches
// the parts it breaks (the regions' doors, their cross-region doors, the replication, the quorum).
import type { QuorumStore } from '../quorum';
import type { DelayDistribution, Replicator, SlowRule } from '../replication';
import type { DelayDirection, FaultMode } from './faults';
import { DEPENDENCIES, type Dependency, doorOf, type Regions } from './regions';

export type Outage = Exclude<FaultMode, 'up'>;

export interface Chaos {
  cut(region: string, mode?: Outage): void;
  heal(region: string): void;
  cutLink(): void;
  healLink(): void;
  /**
   * The region keeps serving its own clients and loses everything across regions: replication
   * both ways (queued, delivered on heal), the cross-region doors in both directions, and the
   * quorum (it reaches neither the peer nor the witness).
   */
  partition(region: string, mode?: Outage): void;
  healPartition(region: string): void;
  /** The regions cannot see each other (replication, cross-region doors, replica to replica); both still reach the witness. */
  partitionLink(mode?: Outage): void;
  healPartitionLink(): void;
  witnessDown(): void;
  witnessUp(): void;
  setLag(ms: number): void;
  setQuorumLatency(ms: number): void;
  /** Latency on one dependency of a region: a slow network (`both`), or slow answers alone (`responses`). */
  slow(region: string, dependency: Dependency, ms: number, direction?: DelayDirection): void;
  /** Per-change replication delays: the distribution, and rules slowing one table, key range or S3 alone. */
  setReplicationDelay(distribution: DelayDistribution): void;
  slowReplication(rule: SlowRule): void;
  clearSlowReplication(): void;
}

/**
 * The faults in force, by cause. Created before anything they act on is started: the control
 * plane and the schedules ask whether a region is cut from the start.
 */
export class FaultCauses {
  readonly cut = new Set<string>();
  readonly partitioned = new Map<string, Outage>();
  linkPartition: Outage | undefined;
  /** `cut-link`: replication alone. */
  linkCut = false;

  isCut(region: string): boolean {
    return this.cut.has(region);
  }
}

function outage(mode: FaultMode): Outage {
  if (mode !== 'refuse' && mode !== 'hang') throw new Error(`Unknown mode "${mode}" (refuse or hang)`);
  return mode;
}

export function createChaos(deps: {
  causes: FaultCauses;
  regions: Regions;
  replicator: Replicator;
  quorum: QuorumStore;
  witnessRegion: string;
  log(line: string): void;
}): Chaos {
  const { causes, regions, replicator, quorum, witnessRegion, log } = deps;
  const { cut, partitioned } = causes;

  // What replication, the cross-region doors and the quorum see, derived from every cause in
  // force, so that healing one cause never heals another one still in force.
  const syncFaults = () => {
    const replication = replicator.cuts();
    for (const p of regions.all) {
      const region = p.topology.region;
      const held = cut.has(region) || partitioned.has(region);
      if (held !== replication.regions.includes(region)) {
        if (held) replicator.cutRegion(region);
        else replicator.healRegion(region);
      }
      // A region's doors to its peer: cut when either side is partitioned or the link is.
      const peer = regions.peerOf(region);
      const mode: FaultMode = partitioned.get(region) ?? partitioned.get(peer) ?? causes.linkPartition ?? 'up';
      for (const door of Object.values(p.crossDoors)) if (door.state().mode !== mode) door.setMode(mode);
      quorum.membership.setRegionDown(region, cut.has(region));
      quorum.membership.setPartitioned(region, partitioned.has(region));
    }
    const linkHeld = causes.linkCut || causes.linkPartition !== undefined;
    if (linkHeld !== replication.link) {
      if (linkHeld) replicator.cutLink();
      else replicator.healLink();
    }
    quorum.membership.setLinkPartitioned(causes.linkPartition !== undefined);
  };

  return {
    cut(region, mode = 'refuse') {
      const p = regions.of(region);
      cut.add(region);
      for (const d of DEPENDENCIES) doorOf(p, d).setMode(outage(mode));
      syncFaults();
      log(`chaos: region ${region} cut (${mode})`);
    },
    heal(region) {
      const p = regions.of(region);
      cut.delete(region);
      for (const d of DEPENDENCIES) doorOf(p, d).setMode('up');
      syncFaults();
      log(`chaos: region ${region} healed`);
    },
    cutLink() {
      causes.linkCut = true;
      syncFaults();
    },
    healLink() {
      causes.linkCut = false;
      syncFaults();
    },
    partition(region, mode = 'refuse') {
      regions.of(region);
      partitioned.set(region, outage(mode));
      syncFaults();
      log(`chaos: region ${region} partitioned (${mode}): it serves its own clients, nothing crosses to or from it`);
    },
    healPartition(region) {
      regions.of(region);
      partitioned.delete(region);
      syncFaults();
      log(`chaos: partition of ${region} healed`);
    },
    partitionLink(mode = 'refuse') {
      causes.linkPartition = outage(mode);
      syncFaults();
      log(`chaos: link between the regions partitioned (${mode}); both still reach the witness`);
    },
    healPartitionLink() {
      causes.linkPartition = undefined;
      syncFaults();
      log('chaos: link partition healed');
    },
    witnessDown() {
      quorum.membership.setWitnessDown(true);
      log(`chaos: witness ${witnessRegion} down`);
    },
    witnessUp() {
      quorum.membership.setWitnessDown(false);
      log(`chaos: witness ${witnessRegion} up`);
    },
    setLag(ms) {
      if (!(ms >= 0)) throw new Error('lag must be a number of milliseconds ≥ 0');
      replicator.setLag(ms);
    },
    setQuorumLatency(ms) {
      if (!(ms >= 0)) throw new Error('quorum latency must be a number of milliseconds ≥ 0');
      quorum.setLatency(ms);
    },
    slow(region, dependency, ms, direction = 'both') {
      if (!DEPENDENCIES.includes(dependency)) throw new Error(`Unknown dependency "${dependency}" (${DEPENDENCIES.join(', ')})`);
      if (!(ms >= 0)) throw new Error('delay must be a number of milliseconds ≥ 0');
      if (direction !== 'both' && direction !== 'responses') throw new Error(`Unknown delay direction "${direction}" (both, responses)`);
      if (direction === 'responses' && dependency === 'api')
        throw new Error('The api door delays whole requests: slow answers are for dynamodb, s3 or quorum');
      doorOf(regions.of(region), dependency).setDelay(ms, direction);
      log(`chaos: ${region} ${dependency} ${direction === 'responses' ? 'answers' : 'traffic'} slowed by ${ms} ms`);
    },
    setReplicationDelay(distribution) {
      replicator.setDelay(distribution);
    },
    slowReplication(rule) {
      if (rule.from !== undefined) regions.of(rule.from);
      replicator.slow(rule);
    },
    clearSlowReplication() {
      replicator.clearSlow();
    },
  };
}
