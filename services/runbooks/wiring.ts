// Wires the runbook steps to AWS once per container: configuration from the environment (fails
// fast on the first cold start), the quorum store, DynamoDB clients for this region and the peer,
// and, for the functions whose step uses them, S3, SSM and SNS. Handlers call `runbookDeps()` at
// module load and stay one line each. Clients are this module's own (not shared/aws-clients)
// because their endpoints come from the `env` given, which lets a test wire both regions, or an
// unreachable primary, in one process.
//
// The S3, SSM and SNS ports are wired only where a handler names their factory (`photoObjects`,
// `runbookParameters`, `snsNotifier`): the SDK packages are side-effect free, so esbuild leaves a
// client out of every function whose handler does not name it (about 120 KiB for S3, 85 KiB for
// SSM, 25 KiB for SNS), and a Lambda compiles its whole bundle on a cold start (README,
// "Performance"). The types keep it honest: a step's deps are a Pick of RunbookDeps, so a handler
// that forgets a port its step uses does not compile.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoLeaseRecords } from '../../shared/app-state/lease-record';
import { DynamoAppStateStore } from '../../shared/app-state/store';
import { DynamoHeartbeats } from '../../shared/health/heartbeat';
import { logger } from '../../shared/powertools';
import { regionalEndpoint } from '../../shared/regional-endpoints';
import { AppStateRegion } from './adapters/app-state-region';
import { DynamoRegionalTables } from './adapters/dynamo-regional-tables';
import { DynamoRunbookRecords, DynamoVerificationRuns, DynamoWatermarks } from './adapters/dynamo-runbook-records';
import { QuorumRunbookLock } from './adapters/quorum-runbook-lock';
import { S3PhotoObjects } from './adapters/s3-photo-objects';
import { SnsNotifier } from './adapters/sns-notifier';
import { SsmRunbookParameters } from './adapters/ssm-runbook-parameters';
import { autoFailoverParameter, loadRunbookConfig, maxLagParameter, type RunbookConfig, RunbookConfigError } from './config';
import type { RunbookDeps } from './steps/ports';

type Env = Record<string, string | undefined>;

/** The ports with an SDK client of their own, wired only into the functions that use them. */
type ClientPorts = Pick<RunbookDeps, 'objects' | 'parameters' | 'notifier'>;
type ClientPortName = keyof ClientPorts;
export type ClientPortFactories = { [K in ClientPortName]?: (config: RunbookConfig, env: Env) => ClientPorts[K] };
/** RunbookDeps without the client ports, plus those whose factory was given. */
export type WiredRunbookDeps<F extends ClientPortFactories> = Omit<RunbookDeps, ClientPortName> & {
  [K in keyof F & ClientPortName]: ClientPorts[K];
};

/** The photo bucket of this region (null when the function has none configured). */
export const photoObjects = (config: RunbookConfig, env: Env): RunbookDeps['objects'] => {
  if (!config.photosBucket) return null;
  const endpoint = regionalEndpoint(config.region, 's3', env as NodeJS.ProcessEnv) ?? (env.AWS_ENDPOINT_URL_S3 || undefined);
  return new S3PhotoObjects(
    new S3Client({ region: config.region, ...(endpoint ? { endpoint, forcePathStyle: true } : {}) }),
    config.photosBucket,
  );
};

export const runbookParameters = (config: RunbookConfig): RunbookDeps['parameters'] =>
  new SsmRunbookParameters(
    new SSMClient({ region: config.region }),
    { autoFailover: autoFailoverParameter(config), maxReplicationLagSeconds: maxLagParameter(config) },
    (parameter, error) => logger.warn('SSM parameter unreadable; treated as missing', { parameter, error: (error as Error).name }),
  );

export const snsNotifier = (config: RunbookConfig): RunbookDeps['notifier'] =>
  new SnsNotifier(new SNSClient({ region: config.region }), config.notificationsTopicArn, (error) =>
    logger.warn('Notification not published', { error: (error as Error).name }),
  );

/** Builds into `ports` each client port of `factories` that it lacks and `skip` does not name. */
function addClientPorts(
  ports: Partial<ClientPorts>,
  factories: ClientPortFactories,
  config: RunbookConfig,
  env: Env,
  skip: (name: ClientPortName) => boolean = () => false,
): void {
  for (const name of Object.keys(factories) as ClientPortName[]) {
    if (name in ports || skip(name)) continue;
    const factory = factories[name] as (config: RunbookConfig, env: Env) => never;
    ports[name] = factory(config, env);
  }
}

/** Every client port: for tests and tools that drive all the steps from one process. */
export const ALL_CLIENT_PORTS = { objects: photoObjects, parameters: runbookParameters, notifier: snsNotifier } as const;

/**
 * The document client for a region's replica. This region's client honours
 * AWS_ENDPOINT_URL_DYNAMODB (local runtime); another region's needs its own endpoint there, or
 * the override would silently point it at this region's tables.
 */
function endpointOf(config: RunbookConfig, region: string, env: Env): string | undefined {
  const mapped = regionalEndpoint(region, 'dynamodb', env as NodeJS.ProcessEnv);
  if (mapped === undefined && region !== config.region && (env.AWS_ENDPOINT_URL_DYNAMODB || env.AWS_ENDPOINT_URL)) {
    throw new RunbookConfigError(
      `No DynamoDB endpoint for ${region} in SWITCHYARD_REGION_ENDPOINTS, while this region's endpoint is overridden`,
    );
  }
  return mapped;
}

const documentClient = (dynamo: DynamoDBClient) =>
  DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });

/**
 * What the steps need, for the region in `env.AWS_REGION`: the DynamoDB ports, and the client ports
 * whose factory is in `factories`. `overrides` replaces ports (tests give in-memory SSM/SNS
 * stand-ins; everything else stays real).
 */
export function createRunbookDeps<F extends ClientPortFactories = Record<never, never>>(
  env: Env = process.env,
  overrides: Partial<RunbookDeps> = {},
  factories: F = {} as F,
): WiredRunbookDeps<F> {
  const config = loadRunbookConfig(env);
  const clock = overrides.clock ?? (() => new Date());
  const clients = new Map<string, DynamoDBDocumentClient>();
  const clientFor = (region: string): DynamoDBDocumentClient => {
    let client = clients.get(region);
    if (!client) {
      const endpoint = endpointOf(config, region, env);
      client = documentClient(new DynamoDBClient({ region, ...(endpoint ? { endpoint } : {}) }));
      clients.set(region, client);
    }
    return client;
  };
  // The quorum store, through this region's replica: one linearizable store, whichever region a
  // step names (docs/fencing.md). Writes are abandoned after stateWriteTimeoutMs, which bounds
  // when a promotion can have committed. throwOnRequestTimeout: without it the SDK's
  // requestTimeout only logs a warning (@smithy/node-http-handler 4) and a hanging call holds on.
  const quorumEndpoint = regionalEndpoint(config.region, 'quorum', env as NodeJS.ProcessEnv);
  const quorumClient = (timeoutMs: number, attempts?: number) =>
    documentClient(
      new DynamoDBClient({
        region: config.region,
        ...(quorumEndpoint ? { endpoint: quorumEndpoint } : {}),
        ...(attempts ? { maxAttempts: attempts } : {}),
        requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs, throwOnRequestTimeout: true },
      }),
    );
  // Steps other than the promotion's write may wait on a slow quorum (5 s, SDK retries).
  const quorum = quorumClient(Math.max(5000, config.stateWriteTimeoutMs));
  const quorumForPromotion = quorumClient(config.stateWriteTimeoutMs);
  // The best-effort fence makes two calls (read, conditional write), each bounded by its connection
  // plus its request timeout: a quarter of the budget each keeps both within bestEffortTimeoutMs.
  const quorumBestEffort = quorumClient(Math.max(1, Math.floor(config.bestEffortTimeoutMs / 4)), 1);
  const stateStore = (client: DynamoDBDocumentClient) =>
    new DynamoAppStateStore({
      client,
      tableName: config.quorumTable,
      appId: config.appId,
      primaryRegion: config.primaryRegion,
      secondaryRegion: config.secondaryRegion,
    });
  const records = new DynamoRunbookRecords(clientFor(config.region), config.tables.appState, config.appId, {
    healthStaleSeconds: config.healthStaleSeconds,
    clock,
  });
  const tables = new DynamoRegionalTables(clientFor, config.tables, config.appId);
  const watermarks = new DynamoWatermarks(clientFor, config.region, config.tables.appState, config.appId);
  const wired: Partial<ClientPorts> = {};
  addClientPorts(wired, factories, config, env, (name) => name in overrides);
  const core: Omit<RunbookDeps, ClientPortName> = {
    config,
    clock,
    stateIn: (region) => new AppStateRegion(stateStore(quorum), region),
    stateInBestEffort: (region) => new AppStateRegion(stateStore(quorumBestEffort), region),
    stateForPromotion: (region) => new AppStateRegion(stateStore(quorumForPromotion), region),
    lock: new QuorumRunbookLock(quorum, config.quorumTable, config.appId),
    heartbeats: new DynamoHeartbeats(quorum, config.quorumTable, config.appId),
    // One attempt, the promotion's timeout: read right after a fence landed, and a failed read only
    // costs the drain its shortcut (the bound is then counted from the fence).
    leases: new DynamoLeaseRecords(quorumClient(config.stateWriteTimeoutMs, 1), config.quorumTable, config.appId),
    audit: records,
    reports: records,
    watermarks,
    verifiedPoints: watermarks,
    verificationRuns: new DynamoVerificationRuns(clientFor(config.region), config.tables.appState, config.appId),
    journal: tables,
    health: records,
    markers: tables,
    data: tables,
    onUnexpectedError: (step, error) => logger.error('Runbook step failed unexpectedly', { step, error: error as Error }),
  };
  // Each client port named in `factories` is there, from its override or its factory.
  return { ...core, ...wired, ...overrides } as WiredRunbookDeps<F>;
}

let base: WiredRunbookDeps<Record<never, never>> | undefined;
const clientPorts: Partial<ClientPorts> = {};

/**
 * The container's dependencies with the client ports in `factories`, built on first use. Each
 * client port is built once however many handlers ask for it: the embedded runtime loads every
 * runbook handler into one worker (they share an environment), where a Lambda loads one.
 */
export function runbookDeps<F extends ClientPortFactories = Record<never, never>>(factories: F = {} as F): WiredRunbookDeps<F> {
  base ??= createRunbookDeps(process.env);
  addClientPorts(clientPorts, factories, base.config, process.env);
  return { ...base, ...clientPorts } as WiredRunbookDeps<F>;
}
