import '../polyfills';
import { LOCAL_ACCOUNT_ID } from '../cfn';
import { type ControlPlane, startControlPlane } from '../control-plane';
import { type QuorumStore, startQuorumStore } from '../quorum';
import { createReplicator, DEFAULT_DELAY, meanDelayMs, type Replicator } from '../replication';
import { loadServiceDefinition } from '../service-definition';
import { devAuthorizer } from './authorizer';
import { type Chaos, createChaos, FaultCauses } from './chaos';
import { clientEnvironments } from './client-env';
import { functionLogs } from './function-logs';
import type { Gateway } from './gateway';
import { startHttpApi } from './http-api';
import { type LambdaPool, startLambdaPool } from './lambda-pool';
import {
  apiPorts,
  portLayout,
  type RegionDoors,
  type RegionParts,
  type RegionStores,
  Regions,
  startCrossDoors,
  startQuorumGateways,
  startRegionStores,
} from './regions';
import { startSchedules } from './schedules';
import { type RuntimeStatus, runtimeStatus } from './status';
import { scaledFunctionEnv, timeScaleOf } from './time-scale';
import { buildRegionTopology, type RegionTopology } from './topology';

export type { Chaos } from './chaos';
export type { Dependency } from './regions';
export type { RuntimeStatus } from './status';

/** The runtime's defaults, written once: `npm start` shows and passes these too. */
export const RUNTIME_DEFAULTS = {
  stage: 'dev',
  /** What `npm start` listens on; startRuntime itself defaults to 0 (free ports), for tests and drills. */
  startPortBase: 4100,
  lagMs: meanDelayMs(DEFAULT_DELAY),
  quorumLatencyMs: 15,
  scheduleIntervalMs: 1000,
} as const;

export interface RuntimeOptions {
  stage?: string;
  /** First of a block of ports (see README); 0 → every port chosen by the OS. Default 0. */
  portBase?: number;
  /** Keep DynamoDB and S3 data in this folder across restarts (default: in memory). */
  dataDir?: string;
  /** Mean replication delay per change between the regions, ms (default: the replicator's, 200; each change draws its own). */
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

/** Stops what was started, last first; a failing stop is logged and the others still run. */
function stopStack(log: (line: string) => void) {
  const stoppers: Array<() => Promise<void>> = [];
  return {
    push: (stop: () => Promise<void>) => {
      stoppers.push(stop);
    },
    async stopAll() {
      for (const stop of stoppers.reverse()) await stop().catch((e: Error) => log(`stop: ${e.message}`));
      stoppers.length = 0;
    },
  };
}

/**
 * Both regions of a stage on this machine: per region a real DynamoDB Local, an s3rver, the
 * functions of serverless.yml behind an API Gateway stand-in, schedules; between them
 * global-table and bucket replication (local/replication) and the MRSC tables' quorum
 * (local/quorum); one control plane (SSM, CloudWatch, Step Functions, SNS) running the ASL in
 * state-machines/. Everything it starts, stop() stops.
 */
export async function startRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const stage = options.stage ?? 'dev';
  const progress = options.progress ?? (() => {});
  const log = options.log ?? (() => {});
  const ports = portLayout(options.portBase ?? 0);
  const stoppers = stopStack(log);
  const onStop = stoppers.push;

  try {
    progress('Reading serverless.yml for both regions');
    const { loadStageConfig } = await import('../../infra/stage-config.cjs');
    const config = loadStageConfig(stage);
    const [primaryDef, secondaryDef] = await Promise.all([
      loadServiceDefinition(stage, config.primaryRegion),
      loadServiceDefinition(stage, config.secondaryRegion),
    ]);
    const topologies = [buildRegionTopology(primaryDef, primaryDef), buildRegionTopology(secondaryDef, primaryDef)] as const;
    const { strongTables, eventualTables, isStrong, witnessRegion } = tablesByConsistency(topologies[0]);

    progress('Starting DynamoDB Local and S3 for both regions');
    const stores = (await Promise.all(
      topologies.map((topology, index) =>
        startRegionStores({
          topology,
          index,
          ports,
          tables: topology.tables.filter((t) => !isStrong(t)),
          onStop,
          ...(options.dataDir ? { dataDir: options.dataDir } : {}),
        }),
      ),
    )) as [RegionStores, RegionStores];

    progress('Starting the quorum store (MRSC tables: two replicas and a witness)');
    const quorum = await startQuorumStore({
      regions: stores.map((p) => ({ region: p.topology.region, dynamodbEndpoint: p.dynamo.endpoint })) as [never, never],
      witnessRegion,
      tables: strongTables,
      latencyMs: options.quorumLatencyMs ?? RUNTIME_DEFAULTS.quorumLatencyMs,
      log,
    });
    onStop(() => quorum.stop());
    const quorumGateways = await startQuorumGateways(stores, quorum, ports, onStop);

    const causes = new FaultCauses();
    let lambdas: LambdaPool | undefined;
    const scheduleIntervalMs = options.scheduleIntervalMs ?? RUNTIME_DEFAULTS.scheduleIntervalMs;
    const timeScale = timeScaleOf(config, scheduleIntervalMs);

    progress('Starting the control plane (SSM, CloudWatch, Step Functions, SNS)');
    const controlPlane = await startControlPlane({
      port: ports.controlPlane,
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
      isRegionDown: (region) => causes.isCut(region),
      log,
    });
    onStop(() => controlPlane.stop());

    const [primaryApiPort, secondaryApiPort] = await apiPorts(ports);
    const endpoints = [
      { ...stores[0], quorumGateway: quorumGateways[0] as Gateway, apiPort: primaryApiPort },
      { ...stores[1], quorumGateway: quorumGateways[1] as Gateway, apiPort: secondaryApiPort },
    ] as const;
    const [primaryDoors, secondaryDoors] = await startCrossDoors(endpoints, ports, onStop);
    const doors = new Regions<RegionDoors>([
      { ...endpoints[0], crossDoors: primaryDoors },
      { ...endpoints[1], crossDoors: secondaryDoors },
    ]);
    const scaledEnv = scaledFunctionEnv(config, timeScale);
    const { clientEnv, operatorEnv } = clientEnvironments({
      regions: doors,
      controlPlaneEndpoint: controlPlane.endpoint,
      scheduleIntervalMs,
      scaledEnv,
    });

    progress('Bundling and loading the functions of serverless.yml');
    const logs = functionLogs(stage);
    onStop(() => logs.close());
    lambdas = await startLambdaPool({
      regions: topologies.map((t) => ({ region: t.region, functions: t.functions, extraEnv: { ...clientEnv(t.region), ...scaledEnv } })),
      logStream: logs.logStream,
    });
    const pool = lambdas;
    onStop(() => pool.stop());

    progress('Starting replication between the regions');
    const replicator = createReplicator({
      regions: stores.map((p) => ({
        region: p.topology.region,
        dynamodbEndpoint: p.dynamo.endpoint,
        s3Endpoint: p.s3.endpoint,
        bucket: p.topology.bucket,
        onObjectEvent: p.s3.onObjectEvent,
      })) as [never, never],
      tables: eventualTables.map((t) => t.TableName as string),
      ...(options.lagMs !== undefined ? { lagMs: options.lagMs } : {}),
      log,
    });
    await replicator.start();
    onStop(() => replicator.stop());

    progress('Starting the regional HTTP APIs');
    const regions = new Regions<RegionParts>(
      (await Promise.all(
        doors.all.map(async (p) => {
          const region = p.topology.region;
          const api = await startHttpApi({
            region,
            port: p.apiPort,
            routes: p.topology.routes,
            ...(p.topology.cors ? { cors: p.topology.cors } : {}),
            invoke: (key, event) => pool.invoke(region, key, event),
            authorize: devAuthorizer,
            log,
          });
          onStop(() => api.stop());
          return { ...p, api };
        }),
      )) as [RegionParts, RegionParts],
    );

    if (options.schedules !== false) {
      onStop(startSchedules({ topologies, lambdas: pool, timeScale, isRegionDown: (r) => causes.isCut(r), log }));
    }

    const chaos = createChaos({ causes, regions, replicator, quorum, witnessRegion, log });
    const [primary, secondary] = regions.all.map(toRuntimeRegion) as [RuntimeRegion, RuntimeRegion];
    return {
      stage,
      regions: [primary, secondary],
      primary,
      secondary,
      controlPlane,
      replicator,
      quorum,
      lambdas: pool,
      clientEnv,
      operatorEnv,
      chaos,
      status: () => runtimeStatus({ stage, regions, causes, replicator, quorum, controlPlane }),
      timeScale,
      fencing: {
        writeLeaseMs: config.quorum.writeLeaseMillis,
        clockSkewMarginMs: config.quorum.clockSkewMarginMillis,
        stateWriteTimeoutMs: config.quorum.stateWriteTimeoutMillis,
      },
      childPids: () => regions.all.map((p) => p.dynamo.pid).filter((pid): pid is number => typeof pid === 'number'),
      stop: stoppers.stopAll,
    };
  } catch (error) {
    await stoppers.stopAll();
    throw error;
  }
}

/**
 * MRSC tables exist only behind the quorum doors (local/quorum): not as plain tables that a
 * client could reach around the quorum, and not in the eventually consistent replication.
 */
function tablesByConsistency(topology: RegionTopology) {
  const witnessRegion = topology.strongTables[0]?.witnessRegion;
  if (!witnessRegion) throw new Error('serverless.yml declares no MRSC table (MultiRegionConsistency: STRONG): the quorum store needs one');
  const strongNames = new Set(topology.strongTables.map((t) => t.tableName));
  const isStrong = (table: { TableName?: string }) => strongNames.has(table.TableName ?? '');
  return {
    witnessRegion,
    isStrong,
    strongTables: topology.tables.filter(isStrong),
    eventualTables: topology.tables.filter((t) => !isStrong(t)),
  };
}

function toRuntimeRegion(p: RegionParts): RuntimeRegion {
  return {
    region: p.topology.region,
    role: p.topology.role,
    apiUrl: p.api.url,
    dynamodbEndpoint: `http://127.0.0.1:${p.dynamoGateway.port}`,
    s3Endpoint: `http://127.0.0.1:${p.s3Gateway.port}`,
    quorumEndpoint: `http://127.0.0.1:${p.quorumGateway.port}`,
    bucket: p.topology.bucket,
    topology: p.topology,
  };
}
