// The runbook CLI's commands against Step Functions and DynamoDB, through the AWS SDK only (so
// the same command works against AWS and the local runtime): start a runbook and follow it,
// `status`, `history`, `report`. Records are read through the runbooks' read model.
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  type ExecutionListItem,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadStageConfig, type StageConfig } from '../../infra/stage-config.cjs';
import { documentOf, executionHistory, RunbookRecordsReader } from '../../services/runbooks/adapters/runbook-read-model';
import { isRefusal } from '../../services/runbooks/refusal-advice';
import { probeView } from '../../services/state-api/health';
import { DynamoLeaseRecords } from '../../shared/app-state/lease-record';
import type { AppState } from '../../shared/app-state/model';
import { DynamoAppStateStore } from '../../shared/app-state/store';
import { regionalEndpoint } from '../../shared/regional-endpoints';
import { stateMachineName, tableNames } from '../../state-machines/names';
import {
  type CliOptions,
  EXIT,
  executionInput,
  helpRequested,
  type IdentitySources,
  MACHINES,
  type Machine,
  parseCli,
  requester,
  UsageError,
} from './args';
import {
  auditLine,
  describeCause,
  describeEvent,
  exitCodeFor,
  leaseLine,
  lockLine,
  refusalLines,
  reportExitCode,
  reportLines,
  stateLines,
} from './render';

export interface Io {
  out(line: string): void;
  err(line: string): void;
  sleep(ms: number): Promise<void>;
  env: Record<string, string | undefined>;
  /** Where the operator's name comes from after --as and the environment (default: git and the OS). */
  identity?: IdentitySources;
}

interface Clients {
  sfn: SFNClient;
  /** This region's replica of the app-state table: reports, audit, probe records. */
  records: RunbookRecordsReader;
  /** The quorum store (state, lock, lease records) as this region reaches it. */
  quorum: { state: DynamoAppStateStore; records: RunbookRecordsReader; leases: DynamoLeaseRecords };
}

function clientsFor(options: CliOptions, io: Io): Clients {
  const config = loadStageConfig(options.stage);
  const names = tableNames(options.stage);
  const endpoint = regionalEndpoint(options.region, 'dynamodb', io.env as NodeJS.ProcessEnv);
  const dynamo = new DynamoDBClient({ region: options.region, ...(endpoint ? { endpoint } : {}) });
  const quorumEndpoint = regionalEndpoint(options.region, 'quorum', io.env as NodeJS.ProcessEnv);
  const quorumDdb = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: options.region, maxAttempts: 1, ...(quorumEndpoint ? { endpoint: quorumEndpoint } : {}) }),
  );
  const quorumTable = io.env.QUORUM_TABLE ?? names.quorum;
  return {
    sfn: new SFNClient({ region: options.region }),
    records: new RunbookRecordsReader({
      client: DynamoDBDocumentClient.from(dynamo),
      tableName: io.env.APP_STATE_TABLE ?? names.appState,
      appId: config.appId,
    }),
    quorum: {
      records: new RunbookRecordsReader({ client: quorumDdb, tableName: quorumTable, appId: config.appId }),
      leases: new DynamoLeaseRecords(quorumDdb, quorumTable, config.appId),
      state: new DynamoAppStateStore({
        client: quorumDdb,
        tableName: quorumTable,
        appId: config.appId,
        primaryRegion: config.primaryRegion,
        secondaryRegion: config.secondaryRegion,
      }),
    },
  };
}

async function stateMachineArn(sfn: SFNClient, name: string, region: string): Promise<string> {
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListStateMachinesCommand({ nextToken }));
    const found = page.stateMachines?.find((m) => m.name === name);
    if (found?.stateMachineArn) return found.stateMachineArn;
    nextToken = page.nextToken;
  } while (nextToken);
  throw new UsageError(`No state machine ${name} in ${region}: is the stage deployed there (or the local runtime started)?`);
}

async function follow(
  sfn: SFNClient,
  executionArn: string,
  machine: Machine,
  io: Io,
): Promise<{ status: string; output: Record<string, unknown> | null }> {
  const seen = new Set<number>();
  const quiet = new Set<string>();
  let startedAt: Date | null = null;
  for (;;) {
    for (const event of await executionHistory(sfn, executionArn)) {
      if (event.id === undefined || seen.has(event.id)) continue;
      seen.add(event.id);
      startedAt ??= event.timestamp ? new Date(event.timestamp) : new Date();
      const text = describeEvent(event, startedAt, quiet);
      if (event.type?.endsWith('StateEntered') && event.stateEnteredEventDetails?.name !== 'CheckReplication') quiet.clear();
      if (text) io.out(text);
    }
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (execution.status !== 'RUNNING') {
      if (execution.status !== 'SUCCEEDED' && isRefusal(execution.error))
        for (const text of refusalLines(execution.error, describeCause(execution.cause), undefined, false, machine)) io.out(text);
      else if (execution.status !== 'SUCCEEDED') io.out(`error: ${execution.error ?? execution.status}: ${describeCause(execution.cause)}`);
      return { status: execution.status ?? 'UNKNOWN', output: execution.output ? documentOf(execution.output) : null };
    }
    await io.sleep(1000);
  }
}

async function startRunbook(options: CliOptions, io: Io): Promise<number> {
  const identity = requester(options, io.env, io.identity);
  const { sfn } = clientsFor(options, io);
  const machine = options.command as Machine;
  const arn = await stateMachineArn(sfn, stateMachineName(options.stage, machine), options.region);
  const input = executionInput(options, io.env, io.identity);
  const name = `${machine}-${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`;
  const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name, input: JSON.stringify(input) }));
  io.out(
    `${options.dryRun ? 'PRACTICE ' : ''}${machine} in ${options.region} (stage ${options.stage}) as ${identity.requestedBy} (from ${identity.from})`,
  );
  io.out(`execution: ${started.executionArn}`);
  if (!options.follow) return EXIT.ok;
  const { status, output } = await follow(sfn, started.executionArn as string, machine, io);
  if (output?.recovery && !options.dryRun) {
    const recovery = output.recovery as Record<string, number | string | null>;
    if (recovery.writeUnavailableMs !== null) io.out(`writes unavailable for ${String(recovery.writeUnavailableMs)} ms`);
    if (recovery.recoveryTimeMs !== null) io.out(`recovery time ${String(recovery.recoveryTimeMs)} ms`);
  }
  if (output?.summary) io.out(String(output.summary));
  io.out(`report: npm run runbook -- report --stage ${options.stage} --region ${options.region} --execution ${name}`);
  return exitCodeFor(status, output);
}

async function recentExecutions(
  sfn: SFNClient,
  options: CliOptions,
  status?: 'RUNNING',
): Promise<Array<ExecutionListItem & { machine: Machine }>> {
  const all: Array<ExecutionListItem & { machine: Machine }> = [];
  for (const machine of MACHINES) {
    let arn: string;
    try {
      arn = await stateMachineArn(sfn, stateMachineName(options.stage, machine), options.region);
    } catch {
      continue;
    }
    const page = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: arn, maxResults: options.limit, ...(status ? { statusFilter: status } : {}) }),
    );
    for (const execution of page.executions ?? []) all.push({ ...execution, machine });
  }
  return all.sort((a, b) => new Date(b.startDate ?? 0).getTime() - new Date(a.startDate ?? 0).getTime()).slice(0, options.limit);
}

async function status(options: CliOptions, io: Io): Promise<number> {
  const { sfn, records, quorum } = clientsFor(options, io);
  io.out(`stage ${options.stage}, as seen from ${options.region}:`);
  // The state and the lock live in the quorum store; a region cut off from it still shows its own copy.
  let state: AppState;
  let isolated = false;
  try {
    state = await quorum.state.get({ consistent: true });
  } catch {
    isolated = true;
    state = await quorum.state.get({ consistent: false });
  }
  for (const line of stateLines(state, options.region, isolated, new Date())) io.out(line);
  const lock = await quorum.records.lock({ consistent: !isolated }).catch(() => null);
  io.out(lockLine(lock, new Date()));
  const stage = loadStageConfig(options.stage);
  if (!isolated) {
    // Each region's newest recorded lease start: whether it can still be writing (docs/fencing.md).
    io.out('write leases (lease records in the quorum):');
    for (const region of [stage.primaryRegion, stage.secondaryRegion]) {
      const since = await quorum.leases.latest(region).catch(() => undefined);
      io.out(leaseLine(region, since, new Date(), stage.quorum.writeLeaseMillis, stage.quorum.clockSkewMarginMillis));
    }
  }
  for (const execution of await recentExecutions(sfn, { ...options, limit: 5 }, 'RUNNING'))
    io.out(`  RUNNING ${execution.machine} ${execution.name}`);
  // The health probes' last findings, as replicated into this region (GET /health?deep=1 shows the same).
  io.out('health probes (records in this region):');
  for (const region of [stage.primaryRegion, stage.secondaryRegion]) {
    const record = await records.healthRecord(region);
    const view = probeView(region, record, new Date(), healthRecordStaleSeconds(stage, io.env));
    const age = view.ageSeconds === null ? '' : ` ${view.ageSeconds} s ago`;
    io.out(`  ${region.padEnd(14)} ${view.status.padEnd(9)}${age}: ${view.detail}`);
  }
  return EXIT.ok;
}

/** The stage's rule, or the one the local runtime scaled for its faster probe (--local puts it in the environment). */
function healthRecordStaleSeconds(stage: StageConfig, env: Io['env']): number {
  const local = Number(env.HEALTH_RECORD_STALE_SECONDS);
  return Number.isFinite(local) && local > 0 ? local : stage.thresholds.healthRecordStaleSeconds;
}

async function history(options: CliOptions, io: Io): Promise<number> {
  const { sfn, records } = clientsFor(options, io);
  io.out(`executions in ${options.region} (newest first):`);
  for (const e of await recentExecutions(sfn, options)) {
    io.out(`  ${new Date(e.startDate ?? 0).toISOString()}  ${e.machine.padEnd(8)} ${String(e.status).padEnd(9)} ${e.name}`);
  }
  const audit = await records.auditTrail({ limit: options.limit });
  io.out('state transitions (audit, newest first):');
  for (const a of audit) io.out(auditLine(a));
  return EXIT.ok;
}

async function report(options: CliOptions, io: Io): Promise<number> {
  const { sfn, records } = clientsFor(options, io);
  let name = options.execution?.split(':').at(-1) ?? null;
  if (!name) {
    const [latest] = await recentExecutions(sfn, { ...options, limit: 1 });
    if (!latest?.name) throw new UsageError(`No runbook execution in ${options.region}; give --execution <name>`);
    name = latest.name;
  }
  const found = await records.report(name);
  if (!found) throw new UsageError(`No report for execution ${name} in ${options.region}`);
  for (const line of reportLines(name, found)) io.out(line);
  return reportExitCode(found);
}

export async function main(argv: string[], io: Io): Promise<number> {
  const help = helpRequested(argv);
  if (help !== null) {
    io.out(help);
    return EXIT.ok;
  }
  let options: CliOptions;
  try {
    options = parseCli(argv, io.env);
  } catch (error) {
    io.err(`runbook: ${(error as Error).message}`);
    return EXIT.usage;
  }
  try {
    switch (options.command) {
      case 'status':
        return await status(options, io);
      case 'history':
        return await history(options, io);
      case 'report':
        return await report(options, io);
      default:
        return await startRunbook(options, io);
    }
  } catch (error) {
    const e = error as Error;
    io.err(`runbook: ${e instanceof UsageError ? e.message : `${e.name}: ${e.message}`}`);
    if (e.name === 'CredentialsProviderError') io.err('runbook: no AWS credentials. For the local runtime (npm start), add --local.');
    return e instanceof UsageError ? EXIT.usage : EXIT.failed;
  }
}
