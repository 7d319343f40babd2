// Starting runbooks on the embedded runtime the way on-call engineers do (Step Functions
// StartExecution in the region, as the runbook CLI does), for drills and end-to-end tests.

import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ListStateMachinesCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { loadStageConfig } from '../../infra/stage-config.cjs';
import { executionHistory, RunbookRecordsReader } from '../../services/runbooks/adapters/runbook-read-model';
import type { RunReport } from '../../services/runbooks/model';
import { type RunbookMachine, stateMachineName } from '../../state-machines/names';
import { regionDocumentClient as documentClient, regionQuorumClient as quorumClient, regionSfnClient as sfnClient } from '../clients';
import type { Runtime } from '../runtime';

export type Machine = RunbookMachine;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The region's clients, as its own functions reach it: one builder for the drills and the tests.
export { documentClient, quorumClient, sfnClient };

export function appStateTable(rt: Runtime): string {
  const table = rt.primary.topology.tables.find((t) => t.TableName?.endsWith('-app-state'))?.TableName;
  if (!table) throw new Error('No app-state table in serverless.yml');
  return table;
}

export function quorumTable(rt: Runtime): string {
  const table = rt.primary.topology.tables.find((t) => t.TableName?.endsWith('-quorum'))?.TableName;
  if (!table) throw new Error('No quorum table in serverless.yml');
  return table;
}

/** The runbooks' records in a region's replica of the app-state table, through the read model the CLI uses. */
export function runbookRecords(rt: Runtime, region: string): RunbookRecordsReader {
  return new RunbookRecordsReader({
    client: documentClient(rt, region),
    tableName: appStateTable(rt),
    appId: loadStageConfig(rt.stage).appId,
  });
}

/** The runbooks' records in the quorum store (the lock), as `region` reaches it. */
export function quorumRecords(rt: Runtime, region: string): RunbookRecordsReader {
  return new RunbookRecordsReader({ client: quorumClient(rt, region), tableName: quorumTable(rt), appId: loadStageConfig(rt.stage).appId });
}

/** A run's report as a region's replica holds it (null before the run wrote one there). */
export function runbookReport(rt: Runtime, region: string, executionArn: string | undefined): Promise<RunReport | null> {
  return runbookRecords(rt, region).report(executionArn ?? '');
}

/** Every event of a run's execution history so far. */
export function historyOf(rt: Runtime, region: string, executionArn: string) {
  return executionHistory(sfnClient(rt, region), executionArn);
}

/**
 * The runbook lock is one item of the quorum store: released means released in both regions at
 * once. Before the next runbook, wait (bounded) until the previous one has released it, as on-call
 * would wait for `status` to show the lock free. A region that cannot read the quorum is skipped.
 */
export async function waitForLockRelease(rt: Runtime, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const region of rt.regions) {
    const records = quorumRecords(rt, region.region);
    while (Date.now() < deadline) {
      try {
        const lock = await records.lock({ consistent: true });
        if (!lock || lock.expiresAt * 1000 < Date.now()) return;
      } catch {
        break;
      }
      await sleep(100);
    }
  }
}

export async function startRunbook(rt: Runtime, machine: Machine, region: string, input: Record<string, unknown>): Promise<string> {
  const sfn = sfnClient(rt, region);
  const name = stateMachineName(rt.stage, machine);
  const arn = ((await sfn.send(new ListStateMachinesCommand({}))).stateMachines ?? []).find((m) => m.name === name)?.stateMachineArn;
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
