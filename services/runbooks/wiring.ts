// Wires the runbook steps to AWS once per container: configuration from the environment (fails
// fast on the first cold start), the quorum store, DynamoDB clients for this region and the peer, SSM, SNS.
// Handlers call `runbookDeps()` at module load and stay one line each. Clients are this
// module's own (not shared/aws-clients) because their endpoints come from the `env` given,
// which lets a test wire both regions, or an unreachable primary, in one process.
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
 * Everything the steps need, for the region in `env.AWS_REGION`. `overrides` replaces ports
 * (tests give in-memory SSM/SNS stand-ins; everything else stays real).
 */
export function createRunbookDeps(env: Env = process.env, overrides: Partial<RunbookDeps> = {}): RunbookDeps {
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
  const s3Endpoint = regionalEndpoint(config.region, 's3', env as NodeJS.ProcessEnv) ?? (env.AWS_ENDPOINT_URL_S3 || undefined);
  const objects = config.photosBucket
    ? new S3PhotoObjects(
        new S3Client({ region: config.region, ...(s3Endpoint ? { endpoint: s3Endpoint, forcePathStyle: true } : {}) }),
        config.photosBucket,
      )
    : null;
  return {
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
    objects,
    health: records,
    markers: tables,
    data: tables,
    parameters: new SsmRunbookParameters(
      new SSMClient({ region: config.region }),
      { autoFailover: autoFailoverParameter(config), maxReplicationLagSeconds: maxLagParameter(config) },
      (parameter, error) => logger.warn('SSM parameter unreadable; treated as missing', { parameter, error: (error as Error).name }),
    ),
    notifier: new SnsNotifier(new SNSClient({ region: config.region }), config.notificationsTopicArn, (error) =>
      logger.warn('Notification not published', { error: (error as Error).name }),
    ),
    onUnexpectedError: (step, error) => logger.error('Runbook step failed unexpectedly', { step, error: error as Error }),
    ...overrides,
  };
}

let deps: RunbookDeps | undefined;

/** The container's dependencies, built on first use. */
export function runbookDeps(): RunbookDeps {
  deps ??= createRunbookDeps();
  return deps;
}
