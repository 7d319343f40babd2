// Wires the probe to AWS once per container: the checks (HTTP with fetch, DynamoDB, S3), the
// readings of the peer's heartbeats from this region's replicas, the record and the metrics.
// Endpoints: on AWS the SDK derives them; locally AWS_ENDPOINT_URL_* and
// SWITCHYARD_REGION_ENDPOINTS (which also gives each region's API URL) point at the runtime.

import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDocumentClient, quorumDocumentClient, s3Client } from '../../shared/aws-clients';
import { loadAppEnv, nonEmpty, positiveInteger } from '../../shared/env';
import { DynamoHeartbeats } from '../../shared/health/heartbeat';
import { type HealthRecord, healthRecordKey, probeItemKey, probeObjectKey } from '../../shared/health/record';
import { logger } from '../../shared/powertools';
import { regionalEndpoint } from '../../shared/regional-endpoints';
import * as z from '../../shared/zod';
import { describeFailure, type Heartbeat, PROBE_NAMESPACE, type ProbeDeps } from './probe';
import { awsCadence, type ProbeCadence } from './schedule';

export function loadProbeEnv(env: NodeJS.ProcessEnv = process.env) {
  return loadAppEnv(
    {
      PHOTOS_BUCKET: nonEmpty,
      SSM_PREFIX: nonEmpty,
      PROBE_INTERVAL_SECONDS: positiveInteger,
      PROBE_TIMEOUT_MS: positiveInteger,
      HEARTBEAT_STALE_SECONDS: positiveInteger,
      HEALTH_RECORD_STALE_SECONDS: positiveInteger,
      /** This region's API URL on AWS (locally SWITCHYARD_REGION_ENDPOINTS says it). */
      SELF_API_URL: z.optional(z.url()),
      /** Set by the embedded runtime: one round per invocation, every this many ms. */
      SWITCHYARD_LOCAL_SCHEDULE_MS: z.optional(positiveInteger),
    },
    env,
  );
}

export type ProbeEnv = ReturnType<typeof loadProbeEnv>;

/**
 * When an invocation runs its rounds (./schedule.ts): on AWS a round in every period of its minute
 * and one more; locally the runtime fires the function every period and it runs one round.
 */
export function probeCadence(env: Pick<ProbeEnv, 'PROBE_INTERVAL_SECONDS' | 'SWITCHYARD_LOCAL_SCHEDULE_MS'>): ProbeCadence {
  if (env.SWITCHYARD_LOCAL_SCHEDULE_MS !== undefined) return { periodMs: env.SWITCHYARD_LOCAL_SCHEDULE_MS, coverMs: 0 };
  return awsCadence(env.PROBE_INTERVAL_SECONDS);
}

async function expectOk(response: Response, what: string): Promise<unknown> {
  if (!response.ok) throw new Error(`${what} answered ${response.status}`);
  return response.json();
}

export function createProbeDeps(env: ProbeEnv): ProbeDeps {
  const region = env.AWS_REGION;
  const peerRegion = region === env.PRIMARY_REGION ? env.SECONDARY_REGION : env.PRIMARY_REGION;
  const ddb = dynamoDocumentClient();
  const heartbeats = new DynamoHeartbeats(quorumDocumentClient(region), env.QUORUM_TABLE, env.APP_ID);
  const s3 = s3Client();
  const cloudwatch = new CloudWatchClient({});
  // Each region publishes its own API URL in its own Parameter Store (infra/resources/parameters.yml);
  // the probe asks the peer region's store for it, cached for 5 minutes.
  const peerParameters = new SSMProvider({ clientConfig: { region: peerRegion } });
  const apiUrlParameter = `${env.SSM_PREFIX}/api-url`;
  const selfUrl = (): string => {
    const url = regionalEndpoint(region, 'api') ?? env.SELF_API_URL;
    if (!url) throw new Error('no API URL for this region (SELF_API_URL)');
    return url;
  };
  const peerUrl = async (): Promise<string> => {
    const local = regionalEndpoint(peerRegion, 'api');
    if (local) return local;
    const url = await peerParameters.get(apiUrlParameter, { maxAge: 300 });
    if (!url) throw new Error(`no ${apiUrlParameter} in ${peerRegion}`);
    return url;
  };
  // Locally rounds are 1 s apart but the whole two-region system shares one machine: a check may
  // take as long as on AWS (rounds then overlap, which only delays a record by a round).
  const cadence = probeCadence(env);
  const timeoutMs = Math.min(env.PROBE_TIMEOUT_MS, cadence.periodMs * 2);
  const readHeartbeat = async (key: string, signal: AbortSignal): Promise<Heartbeat | undefined> => {
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: env.PHOTOS_BUCKET, Key: key }), { abortSignal: signal });
      const body = JSON.parse((await object.Body?.transformToString()) ?? '{}') as Partial<Heartbeat>;
      return typeof body.checkedAt === 'string' ? { checkedAt: body.checkedAt } : undefined;
    } catch (error) {
      if ((error as Error).name === 'NoSuchKey') return undefined;
      throw error;
    }
  };

  return {
    appId: env.APP_ID,
    region,
    peerRegion,
    clock: () => new Date(),
    timeoutMs,
    recordStaleSeconds: env.HEALTH_RECORD_STALE_SECONDS,
    heartbeatStaleSeconds: env.HEARTBEAT_STALE_SECONDS,
    selfChecks: {
      // Renews this region's heartbeat: succeeds only while this region reaches the quorum.
      quorum: async () => {
        await heartbeats.beat(region, new Date());
      },
      'state-api': async (signal) => {
        const body = (await expectOk(await fetch(`${selfUrl()}/state`, { signal }), 'GET /state')) as { state?: unknown };
        if (typeof body.state !== 'string') throw new Error('GET /state without a state');
      },
      table: async (signal) => {
        const written = new Date().toISOString();
        const Key = probeItemKey(env.APP_ID, region);
        await ddb.send(new PutCommand({ TableName: env.APP_STATE_TABLE, Item: { ...Key, checkedAt: written } }), { abortSignal: signal });
        const { Item } = await ddb.send(new GetCommand({ TableName: env.APP_STATE_TABLE, Key, ConsistentRead: true }), {
          abortSignal: signal,
        });
        if (Item?.checkedAt !== written) throw new Error('probe item read back differs');
      },
      bucket: async (signal) => {
        const body = JSON.stringify({ region, checkedAt: new Date().toISOString() });
        const Key = probeObjectKey(region);
        await s3.send(new PutObjectCommand({ Bucket: env.PHOTOS_BUCKET, Key, Body: body, ContentType: 'application/json' }), {
          abortSignal: signal,
        });
        const object = await s3.send(new GetObjectCommand({ Bucket: env.PHOTOS_BUCKET, Key }), { abortSignal: signal });
        if ((await object.Body?.transformToString()) !== body) throw new Error('probe object read back differs');
      },
    },
    peerChecks: {
      health: async (signal) => {
        await expectOk(await fetch(`${await peerUrl()}/health`, { signal }), 'peer GET /health');
      },
      'state-api': async (signal) => {
        const body = (await expectOk(await fetch(`${await peerUrl()}/state`, { signal }), 'peer GET /state')) as { state?: unknown };
        if (typeof body.state !== 'string') throw new Error('peer GET /state without a state');
      },
    },
    readings: {
      ownRecord: async (signal) => {
        const { Item } = await ddb.send(
          new GetCommand({ TableName: env.APP_STATE_TABLE, Key: healthRecordKey(env.APP_ID, region), ConsistentRead: true }),
          { abortSignal: signal },
        );
        return Item as HealthRecord | undefined;
      },
      peerTableHeartbeat: async (signal) => {
        const { Item } = await ddb.send(
          new GetCommand({ TableName: env.APP_STATE_TABLE, Key: healthRecordKey(env.APP_ID, peerRegion), ConsistentRead: true }),
          { abortSignal: signal },
        );
        return typeof Item?.checkedAt === 'string' ? { checkedAt: Item.checkedAt } : undefined;
      },
      peerBucketHeartbeat: (signal) => readHeartbeat(probeObjectKey(peerRegion), signal),
      peerQuorumHeartbeat: () => heartbeats.lastBeat(peerRegion),
    },
    saveRecord: async (record) => {
      await ddb.send(new PutCommand({ TableName: env.APP_STATE_TABLE, Item: record }));
    },
    publish: async (data) => {
      await cloudwatch.send(new PutMetricDataCommand({ Namespace: PROBE_NAMESPACE, MetricData: data }));
    },
    onProblem: (what, error) => logger.warn('Health probe problem', { what, error: describeFailure(error) }),
  };
}
