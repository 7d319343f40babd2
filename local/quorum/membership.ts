// Who reaches whom among the three participants of a multi-Region strongly consistent (MRSC)
// global table: the two regions' replicas and the witness. Pure: the chaos commands set the
// faults, the quorum doors ask whether their region holds the majority.
//
// DynamoDB developer guide, "Global table design" › "Key facts about MRSC"
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-global-table-design.html):
//   "A MRSC global table must be deployed in exactly three Regions. You can configure a MRSC
//    global table with three replicas, or with two replicas and one witness."
//   "The local Region accepts all read and write operations as long as there is a second Region
//    that hosts a replica or witness to establish quorum. If a second Region isn't available,
//    the local Region can only service eventually consistent reads."
// So a region holds the quorum when it reaches at least one of the two other participants:
// 2 of 3 votes, its own and the peer's or the witness's.

import { peerOf } from '../region-pair';
import { QuorumConfigError } from './errors';

export interface ParticipantView {
  region: string;
  /** False while the region is cut (full outage): it serves nobody, not even its own clients. */
  up: boolean;
  partitioned: boolean;
  /** The other participants this region's replica can talk to (peer region, witness region). */
  reaches: string[];
  /** Its own vote (when up) plus one per participant reached. */
  votes: number;
  of: 3;
  hasMajority: boolean;
}

export interface MembershipSnapshot {
  witness: { region: string; up: boolean };
  linkPartitioned: boolean;
  regions: ParticipantView[];
}

export class QuorumMembership {
  private readonly down = new Set<string>();
  private readonly partitioned = new Set<string>();
  private linkPartitioned = false;
  private witnessDown = false;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly replicas: readonly [string, string],
    readonly witness: string,
  ) {
    if (replicas[0] === replicas[1] || replicas.includes(witness)) {
      throw new QuorumConfigError(`an MRSC table needs three different regions (got ${replicas.join(', ')} and witness ${witness})`);
    }
  }

  /** Called after every change of the faults (catch-up starts when a region regains the majority). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** `cut <region>`: the region is dark, its replica takes part in nothing. */
  setRegionDown(region: string, down: boolean): void {
    this.toggle(this.down, this.checkReplica(region), down);
  }

  /** `partition <region>`: the region's replica reaches neither the peer nor the witness. */
  setPartitioned(region: string, partitioned: boolean): void {
    this.toggle(this.partitioned, this.checkReplica(region), partitioned);
  }

  /** `partition-link`: the two replicas cannot talk to each other; both may still reach the witness. */
  setLinkPartitioned(cut: boolean): void {
    if (this.linkPartitioned === cut) return;
    this.linkPartitioned = cut;
    this.changed();
  }

  /** `witness down|up`. */
  setWitnessDown(down: boolean): void {
    if (this.witnessDown === down) return;
    this.witnessDown = down;
    this.changed();
  }

  isUp(participant: string): boolean {
    if (participant === this.witness) return !this.witnessDown;
    return !this.down.has(this.checkReplica(participant));
  }

  /** Whether `from` and `to` (replica or witness) can exchange messages. */
  reaches(from: string, to: string): boolean {
    if (from === to) return this.isUp(from);
    if (!this.isUp(from) || !this.isUp(to)) return false;
    if (this.partitioned.has(from) || this.partitioned.has(to)) return false;
    const bothReplicas = from !== this.witness && to !== this.witness;
    return !(bothReplicas && this.linkPartitioned);
  }

  view(region: string): ParticipantView {
    this.checkReplica(region);
    const up = this.isUp(region);
    const others = [this.peerOf(region), this.witness];
    const reaches = up ? others.filter((other) => this.reaches(region, other)) : [];
    const votes = up ? 1 + reaches.length : 0;
    return { region, up, partitioned: this.partitioned.has(region), reaches, votes, of: 3, hasMajority: votes >= 2 };
  }

  hasMajority(region: string): boolean {
    return this.view(region).hasMajority;
  }

  peerOf(region: string): string {
    return peerOf(this.replicas, this.checkReplica(region));
  }

  snapshot(): MembershipSnapshot {
    return {
      witness: { region: this.witness, up: !this.witnessDown },
      linkPartitioned: this.linkPartitioned,
      regions: this.replicas.map((r) => this.view(r)),
    };
  }

  private checkReplica(region: string): string {
    if (!this.replicas.includes(region)) {
      throw new QuorumConfigError(`Unknown region "${region}" (the replicas are ${this.replicas.join(' and ')})`);
    }
    return region;
  }

  private toggle(set: Set<string>, region: string, on: boolean): void {
    if (set.has(region) === on) return;
    if (on) set.add(region);
    else set.delete(region);
    this.changed();
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
