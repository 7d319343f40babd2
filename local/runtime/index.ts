import '../polyfills';
import fs from 'node:fs';
import path from 'node:path';
import { bearerToken, DEV_AUDIENCE, DEV_ISSUER, verifyJwt } from '../../shared/auth/dev-identity';
import { LOCAL_ACCOUNT_ID } from '../cfn';
import { type ControlPlane, startControlPlane } from '../control-plane';
import { type DynamoDbLocal, ensureTables, localDynamoClient, startDynamoDbLocal } from '../dynamodb-local';
import { createReplicator, type DelayDistribution, type Replicator, type SlowRule } from '../replication';
import { S3_LOCAL_CREDENTIALS, type S3Local, startS3Local } from '../s3-local';
import { loadServiceDefinition, PROJECT_ROOT } from '../service-definition';
import { type FaultMode, type Gateway, startGateway } from './gateway';
import { type HttpApi, startHttpApi } from './http-api';
import { type LambdaPool, startLambdaPool } from './lambda-pool';
import { buildRegionTopology, type RegionTopology } from './topology';

export interface RuntimeOptions {
  stage?: string;
  /** First of a block of ports (see README); 0 → every port chosen by the OS. Default 0. */
  portBase?: number;
  /** Keep DynamoDB and S3 data in this folder across restarts (default: in memory). */
  dataDir?: string;
  /** Mean replication delay per change between the regions, ms (default 200; each change draws its own). */
  lagMs?: number;
  /** How often schedules (the health probe) run locally, ms (default 1000). */
  scheduleIntervalMs?: number;
  /** Run serverless.yml schedules at all (default true). */
  schedules?: boolean;
  progress?(line: string): void;
  log?(line: string): void;
}

export type Dependency = 'api' | 'dynamodb' | 's3';

export interface RuntimeRegion {
  region: string;
  role: 'primary' | 'secondary';
  apiUrl: string;
  dynamodbEndpoint: string;
  s3Endpoint: string;
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
  lambdas: LambdaPool;
  /** Environment a local client process needs to reach this runtime (AWS_ENDPOINT_URL_*, credentials). */
  clientEnv(region: string): Record<string, string>;
  chaos: Chaos;
  /** Local seconds per AWS second for durations counted in probe rounds (0.1: probe every 1 s instead of 10 s). */
  timeScale: number;
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
  setLag(ms: number): void;
  slow(region: string, dependency: Dependency, ms: number): void;
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
    faults: Record<Dependency, { mode: FaultMode; delayMs: number }>;
  }>;
  replication: {
    linkCut: boolean;
    lagMs: number;
    delays: ReturnType<Replicator['delays']>;
    stats: ReturnType<Replicator['stats']>;
  };
  alarms: ReturnType<ControlPlane['alarmStates']>;
  executions: ReturnType<ControlPlane['executions']>;
}

interface RegionParts {
  topology: ReturnType<typeof buildRegionTopology>;
  dynamo: DynamoDbLocal;
  s3: S3Local;
  dynamoGateway: Gateway;
  s3Gateway: Gateway;
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
          startS3Local({ buckets: [topology.bucket], ...(dir ? { dataDir: path.join(dir, 's3') } : {}) }),
        ]);
        stoppers.push(
          () => dynamo.stop(),
          () => s3.stop(),
        );
        await ensureTables(localDynamoClient(dynamo.endpoint, topology.region), topology.tables);
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

    const cut = new Set<string>();
    let lambdas: LambdaPool | undefined;
    const thresholds = config.thresholds;
    const scheduleIntervalMs = options.scheduleIntervalMs ?? 1000;
    // AWS alarm periods follow the probe interval (10 s); locally the probe runs every second.
    const timeScale = scheduleIntervalMs / 1000 / (thresholds.probeIntervalSeconds ?? 10);

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

    const regionEndpoints = Object.fromEntries(
      parts.map((p, i) => [
        p.topology.region,
        {
          dynamodb: `http://127.0.0.1:${p.dynamoGateway.port}`,
          s3: `http://127.0.0.1:${p.s3Gateway.port}`,
          api: '', // filled once the APIs listen
          index: i,
        },
      ]),
    );

    // API ports are fixed before the Lambda environment is built, since functions learn them from it.
    const apiPorts = await Promise.all(parts.map(async (_p, i) => (base ? base + 10 + 10 * i : (await import('../ports')).freePort())));
    parts.forEach((p, i) => {
      (regionEndpoints[p.topology.region] as { api: string }).api = `http://127.0.0.1:${apiPorts[i]}`;
    });
    const endpointsJson = JSON.stringify(
      Object.fromEntries(Object.entries(regionEndpoints).map(([r, e]) => [r, { dynamodb: e.dynamodb, s3: e.s3, api: e.api }])),
    );
    const clientEnv = (region: string): Record<string, string> => {
      const e = regionEndpoints[region];
      if (!e) throw new Error(`Unknown region ${region}`);
      return {
        AWS_REGION: region,
        AWS_DEFAULT_REGION: region,
        AWS_ACCESS_KEY_ID: S3_LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: S3_LOCAL_CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_DYNAMODB: e.dynamodb,
        AWS_ENDPOINT_URL_S3: e.s3,
        AWS_ENDPOINT_URL_SSM: controlPlane.endpoint,
        AWS_ENDPOINT_URL_CLOUDWATCH: controlPlane.endpoint,
        AWS_ENDPOINT_URL_SFN: controlPlane.endpoint,
        AWS_ENDPOINT_URL_SNS: controlPlane.endpoint,
        AWS_ENDPOINT_URL_LAMBDA: e.api,
        SWITCHYARD_REGION_ENDPOINTS: endpointsJson,
        SWITCHYARD_LOCAL: '1',
        SWITCHYARD_LOCAL_SCHEDULE_MS: String(scheduleIntervalMs),
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      };
    };

    // Durations counted in probe rounds run at the local probe rate too: "primary healthy for
    // 300 s" (30 rounds of 10 s) becomes 30 s when the probe runs every second.
    const scaledEnv = {
      RUNBOOK_PRIMARY_HEALTHY_SECONDS: String(Math.ceil((thresholds.primaryHealthySecondsBeforeFailback ?? 300) * timeScale)),
      // The replication gate gives up after the same number of probe rounds (at least 10 s).
      RUNBOOK_GATE_TIMEOUT_SECONDS: String(Math.max(10, Math.ceil((thresholds.replicationGateTimeoutSeconds ?? 60) * timeScale))),
    };

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
      tables: primaryParts.topology.tables.map((t) => t.TableName as string),
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
          invokeByName: (name, event) => pool.invoke(region, name, event),
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
      bucket: p.topology.bucket,
      topology: p.topology,
    });
    const partsOf = (region: string): RegionParts => {
      const p = parts.find((x) => x.topology.region === region);
      if (!p) throw new Error(`Unknown region "${region}" (this stage has ${parts.map((x) => x.topology.region).join(' and ')})`);
      return p;
    };
    const dependencyOf = (p: RegionParts, d: Dependency) =>
      d === 'api' ? (p.api as HttpApi) : d === 'dynamodb' ? p.dynamoGateway : p.s3Gateway;

    const chaos: Chaos = {
      cut(region, mode = 'refuse') {
        const p = partsOf(region);
        cut.add(region);
        for (const d of ['api', 'dynamodb', 's3'] as const) dependencyOf(p, d).setMode(mode);
        replicator.cutRegion(region);
        log(`chaos: region ${region} cut (${mode})`);
      },
      heal(region) {
        const p = partsOf(region);
        cut.delete(region);
        for (const d of ['api', 'dynamodb', 's3'] as const) dependencyOf(p, d).setMode('up');
        replicator.healRegion(region);
        log(`chaos: region ${region} healed`);
      },
      cutLink() {
        linkCut = true;
        replicator.cutLink();
      },
      healLink() {
        linkCut = false;
        replicator.healLink();
      },
      setLag(ms) {
        if (!(ms >= 0)) throw new Error('lag must be a number of milliseconds ≥ 0');
        lagMs = ms;
        replicator.setLag(ms);
      },
      slow(region, dependency, ms) {
        if (!['api', 'dynamodb', 's3'].includes(dependency)) throw new Error(`Unknown dependency "${dependency}" (api, dynamodb or s3)`);
        if (!(ms >= 0)) throw new Error('delay must be a number of milliseconds ≥ 0');
        dependencyOf(partsOf(region), dependency).setDelay(ms);
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
      lambdas: pool,
      clientEnv,
      chaos,
      status: () => ({
        stage,
        regions: parts.map((p) => ({
          region: p.topology.region,
          role: p.topology.role,
          apiUrl: (p.api as HttpApi).url,
          cut: cut.has(p.topology.region),
          faults: { api: (p.api as HttpApi).state(), dynamodb: p.dynamoGateway.state(), s3: p.s3Gateway.state() },
        })),
        replication: { linkCut, lagMs, delays: replicator.delays(), stats: replicator.stats() },
        alarms: controlPlane.alarmStates(),
        executions: controlPlane.executions(),
      }),
      timeScale,
      childPids: () => parts.map((p) => p.dynamo.pid).filter((pid): pid is number => typeof pid === 'number'),
      stop: stopAll,
    };
    return runtime;
  } catch (error) {
    await stopAll();
    throw error;
  }
}
