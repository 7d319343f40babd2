import '../polyfills';
import fs from 'node:fs';
import path from 'node:path';
import { bearerToken, DEV_AUDIENCE, DEV_ISSUER, verifyJwt } from '../../shared/auth/dev-identity';
import { LOCAL_ACCOUNT_ID } from '../cfn';
import { localDynamoClient } from '../clients';
import { type ControlPlane, startControlPlane } from '../control-plane';
import { type DynamoDbLocal, ensureTables, startDynamoDbLocal } from '../dynamodb-local';
import { type QuorumStatus, type QuorumStore, startQuorumStore } from '../quorum';
import { createReplicator, type DelayDistribution, type Replicator, type SlowRule } from '../replication';
import { S3_LOCAL_CREDENTIALS, type S3Local, startS3Local } from '../s3-local';
import { loadServiceDefinition, PROJECT_ROOT } from '../service-definition';
import type { DelayDirection, FaultMode } from './faults';
import { type Gateway, startGateway } from './gateway';
import { type HttpApi, startHttpApi } from './http-api';
import { type LambdaPool, startLambdaPool } from './lambda-pool';
import { scaledFunctionEnv, timeScaleOf } from './time-scale';
import { buildRegionTopology, type RegionTopology } from './topology';

export interface RuntimeOptions {
  stage?: string;
  /** First of a block of ports (see README); 0 → every port chosen by the OS. Default 0. */
  portBase?: number;
  /** Keep DynamoDB and S3 data in this folder across restarts (default: in memory). */
  dataDir?: string;
  /** Mean replication delay per change between the regions, ms (default 200; each change draws its own). */
  lagMs?: number;
  /** One cross-region round trip of the quorum store, added to its writes and strong reads, ms (default 15). */
  quorumLatencyMs?: number;
  /** How often schedules (the health probe) run locally, ms (default 1000). */
  scheduleIntervalMs?: number;
  /** Run serverless.yml schedules at all (default true). */
  schedules?: boolean;
  progress?(line: string): void;
  log?(line: string): void;
}

export type Dependency = 'api' | 'dynamodb' | 's3' | 'quorum';

/** Every dependency a region exposes, each behind its own chaos-controlled door. */
const DEPENDENCIES: readonly Dependency[] = ['api', 'dynamodb', 's3', 'quorum'];

export interface RuntimeRegion {
  region: string;
  role: 'primary' | 'secondary';
  apiUrl: string;
  dynamodbEndpoint: string;
  s3Endpoint: string;
  /** The region's quorum door: DynamoDB's JSON protocol for the MRSC tables (local/quorum). */
  quorumEndpoint: string;
  bucket: string;
  topology: RegionTopology;
}

export interface Runtime {
  stage: string;
  regions: RuntimeRegion[];
  primary: RuntimeRegion;
  secondary: RuntimeRegion;
  controlPlane: ControlPlane;
  replicator: Replicator;
  /** The MRSC tables' emulation: membership (who reaches whom), doors, catch-up (`settled()`). */
  quorum: QuorumStore;
  lambdas: LambdaPool;
  /**
   * Environment of a process IN `region` (its Lambdas): AWS_ENDPOINT_URL_* and credentials for
   * the region's own endpoints, and SWITCHYARD_REGION_ENDPOINTS with the region's own endpoints
   * direct and the peer's through this region's cross-region doors (which partitions cut).
   */
  clientEnv(region: string): Record<string, string>;
  /**
   * Environment of a process OUTSIDE both regions (on-call CLIs, the runtime file): like
   * clientEnv, but SWITCHYARD_REGION_ENDPOINTS reaches every region directly, as an operator on
   * the internet would, whatever the partitions between the regions.
   */
  operatorEnv(region: string): Record<string, string>;
  chaos: Chaos;
  /** Local seconds per AWS second for durations counted in probe rounds (0.1: probe every 1 s instead of 10 s). */
  timeScale: number;
  /** The write lease and the waits built on it, as the functions were given them (docs/fencing.md). */
  fencing: { writeLeaseMs: number; clockSkewMarginMs: number; stateWriteTimeoutMs: number };
  status(): RuntimeStatus;
  /** Operating-system processes this runtime started (the DynamoDB Local JVMs). */
  childPids(): number[];
  stop(): Promise<void>;
}

export interface Chaos {
  cut(region: string, mode?: Exclude<FaultMode, 'up'>): void;
  heal(region: string): void;
  cutLink(): void;
  healLink(): void;
  /**
   * The region keeps serving its own clients and loses everything across regions: replication
   * both ways (queued, delivered on heal), the cross-region doors in both directions, and the
   * quorum (it reaches neither the peer nor the witness).
   */
  partition(region: string, mode?: Exclude<FaultMode, 'up'>): void;
  healPartition(region: string): void;
  /** The regions cannot see each other (replication, cross-region doors, replica to replica); both still reach the witness. */
  partitionLink(mode?: Exclude<FaultMode, 'up'>): void;
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
    linkCut: boolean;
    lagMs: number;
    delays: ReturnType<Replicator['delays']>;
    stats: ReturnType<Replicator['stats']>;
  };
  quorum: QuorumStatus;
  alarms: ReturnType<ControlPlane['alarmStates']>;
  executions: ReturnType<ControlPlane['executions']>;
}

interface RegionParts {
  topology: ReturnType<typeof buildRegionTopology>;
  dynamo: DynamoDbLocal;
  s3: S3Local;
  dynamoGateway: Gateway;
  s3Gateway: Gateway;
  quorumGateway?: Gateway;
  /** Doors for this region's calls to the peer, one per dependency (see startRuntime). */
  crossDoors?: Record<Dependency, Gateway>;
  api?: HttpApi;
}

/**
 * Both regions of a stage on this machine: per region a real DynamoDB Local, an s3rver, the
 * functions of serverless.yml behind an API Gateway stand-in, schedules; between them
 * global-table and bucket replication; one control plane (SSM, CloudWatch, Step Functions,
 * SNS) running the ASL in state-machines/. Everything it starts, stop() stops.
 */
export async function startRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const stage = options.stage ?? 'dev';
  const progress = options.progress ?? (() => {});
  const log = options.log ?? (() => {});
  const base = options.portBase ?? 0;
  const port = (offset: number) => (base ? base + offset : 0);
  const stoppers: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stoppers.reverse()) await stop().catch((e: Error) => log(`stop: ${e.message}`));
    stoppers.length = 0;
  };

  try {
    progress('Reading serverless.yml for both regions');
    const { loadStageConfig } = await import('../../infra/stage-config.cjs');
    const config = loadStageConfig(stage);
    const [primaryDef, secondaryDef] = await Promise.all([
      loadServiceDefinition(stage, config.primaryRegion),
      loadServiceDefinition(stage, config.secondaryRegion),
    ]);
    const topologies = [buildRegionTopology(primaryDef, primaryDef), buildRegionTopology(secondaryDef, primaryDef)];
    // MRSC tables exist only behind the quorum doors (local/quorum): not as plain tables that a
    // client could reach around the quorum, and not in the eventually consistent replication.
    const strongTables = topologies[0]?.strongTables ?? [];
    const witnessRegion = strongTables[0]?.witnessRegion;
    if (!witnessRegion)
      throw new Error('serverless.yml declares no MRSC table (MultiRegionConsistency: STRONG): the quorum store needs one');
    const strongNames = new Set(strongTables.map((t) => t.tableName));
    const isStrong = (table: { TableName?: string }) => strongNames.has(table.TableName ?? '');

    progress('Starting DynamoDB Local and S3 for both regions');
    const parts: RegionParts[] = await Promise.all(
      topologies.map(async (topology, i) => {
        const dir = options.dataDir ? path.resolve(options.dataDir, topology.region) : undefined;
        if (dir) {
          fs.mkdirSync(path.join(dir, 'dynamodb'), { recursive: true });
          fs.mkdirSync(path.join(dir, 's3'), { recursive: true });
        }
        const [dynamo, s3] = await Promise.all([
          startDynamoDbLocal(dir ? { dataDir: path.join(dir, 'dynamodb') } : {}),
          startS3Local({ buckets: [topology.bucket], region: topology.region, ...(dir ? { dataDir: path.join(dir, 's3') } : {}) }),
        ]);
        stoppers.push(
          () => dynamo.stop(),
          () => s3.stop(),
        );
        await ensureTables(
          localDynamoClient(dynamo.endpoint, topology.region),
          topology.tables.filter((t) => !isStrong(t)),
        );
        const dynamoGateway = await startGateway({ port: port(11 + 10 * i), target: dynamo.port });
        const s3Gateway = await startGateway({ port: port(12 + 10 * i), target: s3.port });
        stoppers.push(
          () => dynamoGateway.stop(),
          () => s3Gateway.stop(),
        );
        return { topology, dynamo, s3, dynamoGateway, s3Gateway };
      }),
    );
    const [primaryParts, secondaryParts] = parts as [RegionParts, RegionParts];

    progress('Starting the quorum store (MRSC tables: two replicas and a witness)');
    const quorum = await startQuorumStore({
      regions: parts.map((p) => ({ region: p.topology.region, dynamodbEndpoint: p.dynamo.endpoint })) as [never, never],
      witnessRegion,
      tables: primaryParts.topology.tables.filter(isStrong),
      latencyMs: options.quorumLatencyMs ?? 15,
      log,
    });
    stoppers.push(() => quorum.stop());
    await Promise.all(
      parts.map(async (p, i) => {
        p.quorumGateway = await startGateway({ port: port(13 + 10 * i), target: quorum.doorOf(p.topology.region).port });
        const gateway = p.quorumGateway;
        stoppers.push(() => gateway.stop());
      }),
    );

    const cut = new Set<string>();
    let lambdas: LambdaPool | undefined;
    const scheduleIntervalMs = options.scheduleIntervalMs ?? 1000;
    const timeScale = timeScaleOf(config, scheduleIntervalMs);

    progress('Starting the control plane (SSM, CloudWatch, Step Functions, SNS)');
    const controlPlane = await startControlPlane({
      port: port(1),
      accountId: LOCAL_ACCOUNT_ID,
      invokeFunction: (region, arn, payload) => {
        if (!lambdas) throw new Error('Lambda pool not started');
        return lambdas.invoke(region, arn, payload);
      },
      stateMachines: topologies.flatMap((t) =>
        t.stateMachines.map((sm) => ({ region: t.region, name: sm.name, arn: sm.arn, definition: sm.definition })),
      ),
      alarms: topologies.flatMap((t) => t.alarms),
      rules: topologies.flatMap((t) => t.rules),
      parameters: topologies.flatMap((t) => t.parameters),
      timeScale,
      isRegionDown: (region) => cut.has(region),
      log,
    });
    stoppers.push(() => controlPlane.stop());

    // API ports are fixed before the Lambda environment is built, since functions learn them from it.
    const apiPorts = await Promise.all(parts.map(async (_p, i) => (base ? base + 10 + 10 * i : (await import('../ports')).freePort())));
    const url = (p: number) => `http://127.0.0.1:${p}`;
    const ownPort = (p: RegionParts, i: number, d: Dependency): number =>
      d === 'api'
        ? (apiPorts[i] as number)
        : ((d === 'dynamodb' ? p.dynamoGateway : d === 's3' ? p.s3Gateway : p.quorumGateway) as Gateway).port;

    // Cross-region doors: a region's calls to its peer (runbook writes to the peer's replica, the
    // probe's peer checks, peer state reads) go through doors of their own, one per caller region
    // and dependency, so a partition can cut them while each region's own clients keep the direct
    // ports. Ports: base + 14..17 (primary -> secondary: api, dynamodb, s3, quorum), base + 24..27.
    await Promise.all(
      parts.map(async (p, i) => {
        const j = 1 - i;
        const peer = parts[j] as RegionParts;
        const doors = {} as Record<Dependency, Gateway>;
        for (const [k, d] of DEPENDENCIES.entries()) {
          doors[d] = await startGateway({ port: port(14 + 10 * i + k), target: ownPort(peer, j, d) });
          const door = doors[d];
          stoppers.push(() => door.stop());
        }
        p.crossDoors = doors;
      }),
    );
    const directEndpoints = (p: RegionParts, i: number) =>
      Object.fromEntries(DEPENDENCIES.map((d) => [d, url(ownPort(p, i, d))])) as Record<Dependency, string>;
    const crossEndpoints = (p: RegionParts) =>
      Object.fromEntries(DEPENDENCIES.map((d) => [d, url((p.crossDoors as Record<Dependency, Gateway>)[d].port)])) as Record<
        Dependency,
        string
      >;
    const regionIndex = (region: string): number => {
      const i = parts.findIndex((p) => p.topology.region === region);
      if (i < 0) throw new Error(`Unknown region ${region}`);
      return i;
    };
    // SWITCHYARD_REGION_ENDPOINTS (shared/regional-endpoints.ts) as seen from inside a region, or from outside both.
    const endpointsSeenFrom = (from: string | 'outside') =>
      JSON.stringify(
        Object.fromEntries(
          parts.map((p, i) => {
            const own = from === 'outside' || p.topology.region === from;
            return [p.topology.region, own ? directEndpoints(p, i) : crossEndpoints(parts[regionIndex(from)] as RegionParts)];
          }),
        ),
      );
    const baseEnv = (region: string, endpoints: string): Record<string, string> => {
      const i = regionIndex(region);
      const own = directEndpoints(parts[i] as RegionParts, i);
      return {
        AWS_REGION: region,
        AWS_DEFAULT_REGION: region,
        AWS_ACCESS_KEY_ID: S3_LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: S3_LOCAL_CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_DYNAMODB: own.dynamodb,
        AWS_ENDPOINT_URL_S3: own.s3,
        AWS_ENDPOINT_URL_SSM: controlPlane.endpoint,
        AWS_ENDPOINT_URL_CLOUDWATCH: controlPlane.endpoint,
        AWS_ENDPOINT_URL_SFN: controlPlane.endpoint,
        AWS_ENDPOINT_URL_SNS: controlPlane.endpoint,
        SWITCHYARD_REGION_ENDPOINTS: endpoints,
        SWITCHYARD_LOCAL: '1',
        SWITCHYARD_LOCAL_SCHEDULE_MS: String(scheduleIntervalMs),
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      };
    };
    const clientEnv = (region: string) => baseEnv(region, endpointsSeenFrom(region));
    // The operator's tools read probe records by the runtime's rule too (the runbook CLI's status).
    const operatorEnv = (region: string) => ({
      ...baseEnv(region, endpointsSeenFrom('outside')),
      HEALTH_RECORD_STALE_SECONDS: scaledEnv.HEALTH_RECORD_STALE_SECONDS,
    });
    const scaledEnv = scaledFunctionEnv(config, timeScale);

    progress('Bundling and loading the functions of serverless.yml');
    const logDir = path.join(PROJECT_ROOT, '.switchyard', 'logs');
    fs.mkdirSync(logDir, { recursive: true });
    const logStreams = new Map<string, fs.WriteStream>();
    const logStream = (region: string) => {
      let stream = logStreams.get(region);
      if (!stream) {
        stream = fs.createWriteStream(path.join(logDir, `${stage}-${region}.log`), { flags: 'a' });
        logStreams.set(region, stream);
      }
      return stream;
    };
    stoppers.push(async () => {
      for (const s of logStreams.values()) s.end();
    });
    lambdas = await startLambdaPool({
      regions: topologies.map((t) => ({ region: t.region, functions: t.functions, extraEnv: { ...clientEnv(t.region), ...scaledEnv } })),
      logStream,
    });
    const pool = lambdas;
    stoppers.push(() => pool.stop());

    progress('Starting replication between the regions');
    const replicator = createReplicator({
      regions: parts.map((p) => ({
        region: p.topology.region,
        dynamodbEndpoint: p.dynamo.endpoint,
        s3Endpoint: p.s3.endpoint,
        bucket: p.topology.bucket,
        onObjectEvent: p.s3.onObjectEvent,
      })) as [never, never],
      tables: primaryParts.topology.tables.filter((t) => !isStrong(t)).map((t) => t.TableName as string),
      lagMs: options.lagMs ?? 200,
      log,
    });
    await replicator.start();
    stoppers.push(() => replicator.stop());
    let linkCut = false;
    let lagMs = options.lagMs ?? 200;

    progress('Starting the regional HTTP APIs');
    const authorize = async (_name: string, authorization: string | undefined) => {
      try {
        const verified = await verifyJwt(bearerToken(authorization), { issuer: DEV_ISSUER, audience: DEV_AUDIENCE });
        return verified.claims as Record<string, unknown>;
      } catch {
        return null;
      }
    };
    await Promise.all(
      parts.map(async (p, i) => {
        const region = p.topology.region;
        p.api = await startHttpApi({
          region,
          port: apiPorts[i],
          routes: p.topology.routes,
          ...(p.topology.cors ? { cors: p.topology.cors } : {}),
          invoke: (key, event) => pool.invoke(region, key, event),
          authorize,
          log,
        });
        const api = p.api;
        stoppers.push(() => api.stop());
      }),
    );

    if (options.schedules !== false) {
      for (const p of parts) {
        for (const schedule of p.topology.schedules) {
          // Like an EventBridge schedule, a tick does not wait for the previous invocation (a
          // probe round may take its checks' timeouts); at most 3 overlap, so nothing piles up.
          let running = 0;
          const timer = setInterval(() => {
            if (running >= 3 || cut.has(p.topology.region)) return;
            running += 1;
            const event = schedule.input ?? {
              version: '0',
              'detail-type': 'Scheduled Event',
              source: 'aws.events',
              region: p.topology.region,
              time: new Date().toISOString(),
              detail: {},
            };
            pool
              .invoke(p.topology.region, schedule.functionKey, event)
              .catch((e: Error) => log(`[${p.topology.region}] schedule ${schedule.functionKey}: ${e.name}: ${e.message}`))
              .finally(() => {
                running -= 1;
              });
          }, scheduleIntervalMs);
          timer.unref();
          stoppers.push(async () => clearInterval(timer));
        }
      }
    }

    const toRegion = (p: RegionParts): RuntimeRegion => ({
      region: p.topology.region,
      role: p.topology.role,
      apiUrl: (p.api as HttpApi).url,
      dynamodbEndpoint: `http://127.0.0.1:${p.dynamoGateway.port}`,
      s3Endpoint: `http://127.0.0.1:${p.s3Gateway.port}`,
      quorumEndpoint: `http://127.0.0.1:${(p.quorumGateway as Gateway).port}`,
      bucket: p.topology.bucket,
      topology: p.topology,
    });
    const partsOf = (region: string): RegionParts => {
      const p = parts.find((x) => x.topology.region === region);
      if (!p) throw new Error(`Unknown region "${region}" (this stage has ${parts.map((x) => x.topology.region).join(' and ')})`);
      return p;
    };
    const dependencyOf = (p: RegionParts, d: Dependency): HttpApi | Gateway =>
      d === 'api' ? (p.api as HttpApi) : d === 'dynamodb' ? p.dynamoGateway : d === 's3' ? p.s3Gateway : (p.quorumGateway as Gateway);
    const peerOf = (p: RegionParts) => parts.find((x) => x !== p) as RegionParts;

    // Faults by cause; syncFaults() derives what replication, the cross-region doors and the
    // quorum see, so healing one cause never heals another one still in force.
    const partitioned = new Map<string, Exclude<FaultMode, 'up'>>();
    let linkPartition: Exclude<FaultMode, 'up'> | undefined;
    const replicationCutRegions = new Set<string>();
    let replicationLinkCut = false;
    const syncFaults = () => {
      for (const p of parts) {
        const region = p.topology.region;
        const held = cut.has(region) || partitioned.has(region);
        if (held !== replicationCutRegions.has(region)) {
          if (held) {
            replicationCutRegions.add(region);
            replicator.cutRegion(region);
          } else {
            replicationCutRegions.delete(region);
            replicator.healRegion(region);
          }
        }
        // A region's doors to its peer: cut when either side is partitioned or the link is.
        const peer = peerOf(p).topology.region;
        const mode: FaultMode = partitioned.get(region) ?? partitioned.get(peer) ?? linkPartition ?? 'up';
        for (const door of Object.values(p.crossDoors as Record<Dependency, Gateway>)) if (door.state().mode !== mode) door.setMode(mode);
        quorum.membership.setRegionDown(region, cut.has(region));
        quorum.membership.setPartitioned(region, partitioned.has(region));
      }
      const linkHeld = linkCut || linkPartition !== undefined;
      if (linkHeld !== replicationLinkCut) {
        replicationLinkCut = linkHeld;
        if (linkHeld) replicator.cutLink();
        else replicator.healLink();
      }
      quorum.membership.setLinkPartitioned(linkPartition !== undefined);
    };
    const faultMode = (mode: FaultMode) => {
      if (mode !== 'refuse' && mode !== 'hang') throw new Error(`Unknown mode "${mode}" (refuse or hang)`);
      return mode;
    };

    const chaos: Chaos = {
      cut(region, mode = 'refuse') {
        const p = partsOf(region);
        cut.add(region);
        for (const d of DEPENDENCIES) dependencyOf(p, d).setMode(faultMode(mode));
        syncFaults();
        log(`chaos: region ${region} cut (${mode})`);
      },
      heal(region) {
        const p = partsOf(region);
        cut.delete(region);
        for (const d of DEPENDENCIES) dependencyOf(p, d).setMode('up');
        syncFaults();
        log(`chaos: region ${region} healed`);
      },
      cutLink() {
        linkCut = true;
        syncFaults();
      },
      healLink() {
        linkCut = false;
        syncFaults();
      },
      partition(region, mode = 'refuse') {
        partsOf(region);
        partitioned.set(region, faultMode(mode));
        syncFaults();
        log(`chaos: region ${region} partitioned (${mode}): it serves its own clients, nothing crosses to or from it`);
      },
      healPartition(region) {
        partsOf(region);
        partitioned.delete(region);
        syncFaults();
        log(`chaos: partition of ${region} healed`);
      },
      partitionLink(mode = 'refuse') {
        linkPartition = faultMode(mode);
        syncFaults();
        log(`chaos: link between the regions partitioned (${mode}); both still reach the witness`);
      },
      healPartitionLink() {
        linkPartition = undefined;
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
        lagMs = ms;
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
        dependencyOf(partsOf(region), dependency).setDelay(ms, direction);
        log(`chaos: ${region} ${dependency} ${direction === 'responses' ? 'answers' : 'traffic'} slowed by ${ms} ms`);
      },
      setReplicationDelay(distribution) {
        replicator.setDelay(distribution);
      },
      slowReplication(rule) {
        if (rule.from !== undefined) partsOf(rule.from);
        replicator.slow(rule);
      },
      clearSlowReplication() {
        replicator.clearSlow();
      },
    };

    const runtime: Runtime = {
      stage,
      regions: [toRegion(primaryParts), toRegion(secondaryParts)],
      primary: toRegion(primaryParts),
      secondary: toRegion(secondaryParts),
      controlPlane,
      replicator,
      quorum,
      lambdas: pool,
      clientEnv,
      operatorEnv,
      chaos,
      status: () => ({
        stage,
        regions: parts.map((p) => ({
          region: p.topology.region,
          role: p.topology.role,
          apiUrl: (p.api as HttpApi).url,
          cut: cut.has(p.topology.region),
          partitioned: partitioned.has(p.topology.region),
          faults: Object.fromEntries(DEPENDENCIES.map((d) => [d, dependencyOf(p, d).state()])) as Record<
            Dependency,
            { mode: FaultMode; delayMs: number; delayDirection?: DelayDirection }
          >,
          crossRegion: {
            to: peerOf(p).topology.region,
            doors: Object.fromEntries(
              Object.entries(p.crossDoors as Record<Dependency, Gateway>).map(([d, door]) => [
                d,
                { url: `http://127.0.0.1:${door.port}`, mode: door.state().mode },
              ]),
            ) as Record<Dependency, { url: string; mode: FaultMode }>,
          },
        })),
        partitions: { regions: [...partitioned.keys()], link: linkPartition !== undefined },
        replication: { linkCut, lagMs, delays: replicator.delays(), stats: replicator.stats() },
        quorum: (() => {
          // Published as the door's chaos gateway, not the door server behind it.
          const q = quorum.status();
          return { ...q, regions: q.regions.map((r) => ({ ...r, door: toRegion(partsOf(r.region)).quorumEndpoint })) };
        })(),
        alarms: controlPlane.alarmStates(),
        executions: controlPlane.executions(),
      }),
      timeScale,
      fencing: {
        writeLeaseMs: config.quorum.writeLeaseMillis,
        clockSkewMarginMs: config.quorum.clockSkewMarginMillis,
        stateWriteTimeoutMs: config.quorum.stateWriteTimeoutMillis,
      },
      childPids: () => parts.map((p) => p.dynamo.pid).filter((pid): pid is number => typeof pid === 'number'),
      stop: stopAll,
    };
    return runtime;
  } catch (error) {
    await stopAll();
    throw error;
  }
}
