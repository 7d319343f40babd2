// Starting runbooks on the embedded runtime the way on-call engineers do (Step Functions
// StartExecution in the region, as the runbook CLI does), for drills and end-to-end tests.

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { loadStageConfig } from '../../infra/stage-config.cjs';
import type { Runtime } from '../runtime';

export type Machine = 'fence' | 'failover' | 'failback';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function credentials(rt: Runtime, region: string) {
  const env = rt.clientEnv(region);
  return { accessKeyId: env.AWS_ACCESS_KEY_ID as string, secretAccessKey: env.AWS_SECRET_ACCESS_KEY as string };
}

export function sfnClient(rt: Runtime, region: string): SFNClient {
  return new SFNClient({ region, credentials: credentials(rt, region), endpoint: rt.controlPlane.endpoint });
}

export function documentClient(rt: Runtime, region: string): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region,
      credentials: credentials(rt, region),
      endpoint: rt.clientEnv(region).AWS_ENDPOINT_URL_DYNAMODB,
      maxAttempts: 1,
    }),
  );
}

export function appStateTable(rt: Runtime): string {
  const table = rt.primary.topology.tables.find((t) => t.TableName?.endsWith('-app-state'))?.TableName;
  if (!table) throw new Error('No app-state table in serverless.yml');
  return table;
}

/**
 * Runbook locks live in the replica of the region that ran the runbook and replicate like any
 * item: before a runbook in the other region, wait (bounded) until the release has arrived there,
 * as on-call would wait for `status` to show the lock free. Regions that do not answer are skipped.
 */
export async function waitForLockRelease(rt: Runtime, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // First let the app-state table's replication drain: a lock taken and released in one region
  // may not have reached the other yet, and would arrive there after this check.
  const table = appStateTable(rt);
  while (Date.now() < deadline && rt.replicator.stats().some((st) => st.table === table && st.pending > 0)) await sleep(50);
  const key = { pk: `LOCK#${loadStageConfig(rt.stage).appId}`, sk: 'RUNBOOK' };
  for (const region of rt.regions) {
    const ddb = documentClient(rt, region.region);
    while (Date.now() < deadline) {
      try {
        const { Item } = await ddb.send(new GetCommand({ TableName: appStateTable(rt), Key: key, ConsistentRead: true }));
        if (!Item || (typeof Item.expiresAt === 'number' && Item.expiresAt * 1000 < Date.now())) break;
      } catch {
        break;
      }
      await sleep(100);
    }
  }
}

export async function startRunbook(rt: Runtime, machine: Machine, region: string, input: Record<string, unknown>): Promise<string> {
  const sfn = sfnClient(rt, region);
  const arn = ((await sfn.send(new ListStateMachinesCommand({}))).stateMachines ?? []).find((m) =>
    m.name?.endsWith(`-${machine}`),
  )?.stateMachineArn;
  if (!arn) throw new Error(`No ${machine} state machine in ${region}`);
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify(input) }));
  if (!executionArn) throw new Error(`StartExecution of ${machine} returned no execution`);
  return executionArn;
}

export async function waitForExecution(
  rt: Runtime,
  region: string,
  executionArn: string,
  timeoutMs = 120_000,
): Promise<DescribeExecutionCommandOutput> {
  const sfn = sfnClient(rt, region);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING') return d;
    if (Date.now() > deadline) throw new Error(`${executionArn} still RUNNING after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Starts a runbook as on-call would and waits for its end. */
export async function runRunbook(
  rt: Runtime,
  machine: Machine,
  region: string,
  input: Record<string, unknown>,
): Promise<DescribeExecutionCommandOutput> {
  await waitForLockRelease(rt);
  return waitForExecution(rt, region, await startRunbook(rt, machine, region, input));
}
