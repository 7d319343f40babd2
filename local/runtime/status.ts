import type { ControlPlane } from '../control-plane';
import type { QuorumStatus, QuorumStore } from '../quorum';
import { meanDelayMs, type Replicator } from '../replication';
import type { FaultCauses } from './chaos';
import type { DelayDirection, FaultMode } from './faults';
import { DEPENDENCIES, type Dependency, doorOf, type Regions } from './regions';

export interface RuntimeStatus {
  stage: string;
  regions: Array<{
    region: string;
    role: string;
    apiUrl: string;
    cut: boolean;
    partitioned: boolean;
    faults: Record<Dependency, { mode: FaultMode; delayMs: number; delayDirection?: DelayDirection }>;
    /** This region's doors to the peer (its Lambdas' cross-region calls). */
    crossRegion: { to: string; doors: Record<Dependency, { url: string; mode: FaultMode }> };
  }>;
  partitions: { regions: string[]; link: boolean };
  replication: {
    /** `cut-link` (replication alone); a link partition holds replication too, see `partitions`. */
    linkCut: boolean;
    /** Mean delay per change, ms. */
    lagMs: number;
    delays: ReturnType<Replicator['delays']>;
    stats: ReturnType<Replicator['stats']>;
  };
  quorum: QuorumStatus;
  alarms: ReturnType<ControlPlane['alarmStates']>;
  executions: ReturnType<ControlPlane['executions']>;
}

export function runtimeStatus(parts: {
  stage: string;
  regions: Regions;
  causes: FaultCauses;
  replicator: Replicator;
  quorum: QuorumStore;
  controlPlane: ControlPlane;
}): RuntimeStatus {
  const { stage, regions, causes, replicator, quorum, controlPlane } = parts;
  const delays = replicator.delays();
  // Published as the door's chaos gateway, not the door server behind it.
  const q = quorum.status();
  return {
    stage,
    regions: regions.all.map((p) => ({
      region: p.topology.region,
      role: p.topology.role,
      apiUrl: p.api.url,
      cut: causes.cut.has(p.topology.region),
      partitioned: causes.partitioned.has(p.topology.region),
      faults: Object.fromEntries(DEPENDENCIES.map((d) => [d, doorOf(p, d).state()])) as RuntimeStatus['regions'][number]['faults'],
      crossRegion: {
        to: regions.peerOf(p.topology.region),
        doors: Object.fromEntries(
          Object.entries(p.crossDoors).map(([d, door]) => [d, { url: `http://127.0.0.1:${door.port}`, mode: door.state().mode }]),
        ) as Record<Dependency, { url: string; mode: FaultMode }>,
      },
    })),
    partitions: { regions: [...causes.partitioned.keys()], link: causes.linkPartition !== undefined },
    replication: { linkCut: causes.linkCut, lagMs: meanDelayMs(delays.distribution), delays, stats: replicator.stats() },
    quorum: {
      ...q,
      regions: q.regions.map((r) => ({ ...r, door: `http://127.0.0.1:${regions.of(r.region).quorumGateway.port}` })),
    },
    alarms: controlPlane.alarmStates(),
    executions: controlPlane.executions(),
  };
}
