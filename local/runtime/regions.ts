// The two regions' stores and doors: per region a real DynamoDB Local and an s3rver, each behind
// a chaos-controlled door (./gateway.ts), the region's quorum door, the API, and the doors of the
// region's own calls to its peer. Ports: see portLayout.
import fs from 'node:fs';
import path from 'node:path';
import { localDynamoClient } from '../clients';
import { type DynamoDbLocal, ensureTables, startDynamoDbLocal } from '../dynamodb-local';
import type { QuorumStore } from '../quorum';
import { peerOf, type RegionPair, UnknownRegion } from '../region-pair';
import { type S3Local, startS3Local } from '../s3-local';
import { type Gateway, startGateway } from './gateway';
import type { HttpApi } from './http-api';
import type { RegionTopology } from './topology';

export type Dependency = 'api' | 'dynamodb' | 's3' | 'quorum';

/** Every dependency a region exposes, each behind its own chaos-controlled door. */
export const DEPENDENCIES: readonly Dependency[] = ['api', 'dynamodb', 's3', 'quorum'];

/**
 * The fixed ports of a port base (README): base + 1 the control plane; per region i (0 primary,
 * 1 secondary) base + 10i + 10..13 the API, DynamoDB, S3 and quorum doors, and base + 10i + 14..17
 * the region's cross-region doors (to the peer's api, dynamodb, s3, quorum). Base 0: every port
 * chosen by the OS.
 */
export function portLayout(base: number) {
  const port = (offset: number) => (base ? base + offset : 0);
  return {
    controlPlane: port(1),
    /** undefined with base 0: the API port is chosen (freePort) before the functions learn it. */
    api: (i: number) => (base ? base + 10 + 10 * i : undefined),
    dynamodb: (i: number) => port(11 + 10 * i),
    s3: (i: number) => port(12 + 10 * i),
    quorum: (i: number) => port(13 + 10 * i),
    crossDoor: (i: number, d: Dependency) => port(14 + 10 * i + DEPENDENCIES.indexOf(d)),
  };
}
export type PortLayout = ReturnType<typeof portLayout>;

/** A region's DynamoDB Local and S3, each behind its door. */
export interface RegionStores {
  topology: RegionTopology;
  dynamo: DynamoDbLocal;
  s3: S3Local;
  dynamoGateway: Gateway;
  s3Gateway: Gateway;
}

/** A region's stores with its quorum door and the port its API will have. */
export interface RegionEndpoints extends RegionStores {
  quorumGateway: Gateway;
  apiPort: number;
}

/** Every door of a region but its API (which needs the functions, which need to know the doors). */
export interface RegionDoors extends RegionEndpoints {
  /** This region's doors to the peer, one per dependency (runbook writes to the peer's replica, the probe's peer checks). */
  crossDoors: Record<Dependency, Gateway>;
}

/** Everything of one region, once started. */
export interface RegionParts extends RegionDoors {
  api: HttpApi;
}

type Stop = (stop: () => Promise<void>) => void;

export async function startRegionStores(options: {
  topology: RegionTopology;
  index: number;
  ports: PortLayout;
  dataDir?: string;
  /** Tables created as plain tables (not the MRSC ones, which only the quorum doors serve). */
  tables: RegionTopology['tables'];
  onStop: Stop;
}): Promise<RegionStores> {
  const { topology, index: i, ports, onStop } = options;
  const dir = options.dataDir ? path.resolve(options.dataDir, topology.region) : undefined;
  if (dir) {
    fs.mkdirSync(path.join(dir, 'dynamodb'), { recursive: true });
    fs.mkdirSync(path.join(dir, 's3'), { recursive: true });
  }
  const [dynamo, s3] = await Promise.all([
    startDynamoDbLocal(dir ? { dataDir: path.join(dir, 'dynamodb') } : {}),
    startS3Local({ buckets: [topology.bucket], region: topology.region, ...(dir ? { dataDir: path.join(dir, 's3') } : {}) }),
  ]);
  onStop(() => dynamo.stop());
  onStop(() => s3.stop());
  await ensureTables(localDynamoClient(dynamo.endpoint, topology.region), options.tables);
  const dynamoGateway = await startGateway({ port: ports.dynamodb(i), target: dynamo.port });
  const s3Gateway = await startGateway({ port: ports.s3(i), target: s3.port });
  onStop(() => dynamoGateway.stop());
  onStop(() => s3Gateway.stop());
  return { topology, dynamo, s3, dynamoGateway, s3Gateway };
}

/** Each region's quorum door behind its chaos gateway. */
export async function startQuorumGateways(stores: RegionStores[], quorum: QuorumStore, ports: PortLayout, onStop: Stop) {
  return Promise.all(
    stores.map(async (p, i) => {
      const gateway = await startGateway({ port: ports.quorum(i), target: quorum.doorOf(p.topology.region).port });
      onStop(() => gateway.stop());
      return gateway;
    }),
  );
}

/** The API ports, fixed before the Lambda environment is built, since functions learn them from it. */
export async function apiPorts(ports: PortLayout): Promise<[number, number]> {
  const chosen = async (i: number) => ports.api(i) ?? (await import('../ports')).freePort();
  return Promise.all([chosen(0), chosen(1)]);
}

const url = (port: number) => `http://127.0.0.1:${port}`;

function ownPort(p: RegionEndpoints, d: Dependency): number {
  return d === 'api' ? p.apiPort : d === 'dynamodb' ? p.dynamoGateway.port : d === 's3' ? p.s3Gateway.port : p.quorumGateway.port;
}

/**
 * Cross-region doors: a region's calls to its peer go through doors of their own, one per caller
 * region and dependency, so a partition can cut them while each region's own clients keep the
 * direct ports.
 */
export async function startCrossDoors(
  regions: readonly [RegionEndpoints, RegionEndpoints],
  ports: PortLayout,
  onStop: Stop,
): Promise<[Record<Dependency, Gateway>, Record<Dependency, Gateway>]> {
  const pair = new Regions(regions);
  const doorsOf = async (i: number) => {
    const peer = pair.of(pair.peerOf(regions[i]?.topology.region as string));
    const doors = {} as Record<Dependency, Gateway>;
    for (const d of DEPENDENCIES) {
      const door = await startGateway({ port: ports.crossDoor(i, d), target: ownPort(peer, d) });
      doors[d] = door;
      onStop(() => door.stop());
    }
    return doors;
  };
  return Promise.all([doorsOf(0), doorsOf(1)]);
}

/** The region's own endpoints, direct. */
export function directEndpoints(p: RegionEndpoints): Record<Dependency, string> {
  return Object.fromEntries(DEPENDENCIES.map((d) => [d, url(ownPort(p, d))])) as Record<Dependency, string>;
}

/** The peer's endpoints as `p` reaches them: through p's cross-region doors. */
export function crossEndpoints(p: RegionDoors): Record<Dependency, string> {
  return Object.fromEntries(DEPENDENCIES.map((d) => [d, url(p.crossDoors[d].port)])) as Record<Dependency, string>;
}

/** The two regions, looked up by name. */
export class Regions<P extends RegionStores = RegionParts> {
  readonly pair: RegionPair;

  constructor(readonly all: readonly [P, P]) {
    this.pair = [all[0].topology.region, all[1].topology.region];
  }

  of(region: string): P {
    const p = this.all.find((x) => x.topology.region === region);
    if (!p) throw new UnknownRegion(region, this.pair);
    return p;
  }

  peerOf(region: string): string {
    return peerOf(this.pair, region);
  }
}

/** A dependency's door as the region's own clients reach it. */
export function doorOf(p: RegionParts, d: Dependency): HttpApi | Gateway {
  return d === 'api' ? p.api : d === 'dynamodb' ? p.dynamoGateway : d === 's3' ? p.s3Gateway : p.quorumGateway;
}
