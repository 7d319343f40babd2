// On-call CLI for the runbooks (RUNBOOK.md). Starts the fence / failover / failback state
// machines and follows each step live from the execution history, or shows the state, the
// history and a run's report. Talks to Step Functions and DynamoDB through the AWS SDK only, so
// the same command works against AWS and against the local runtime (AWS_ENDPOINT_URL_SFN,
// SWITCHYARD_REGION_ENDPOINTS / AWS_ENDPOINT_URL_DYNAMODB).
//
//   npm run runbook -- <fence|failover|failback|status|history|report> --stage <s> --region <r>
//        [--reason "…"] [--dry-run] [--ungraceful] [--force] [--lift] [--expected-version N]
//        [--primary-healthy] [--as <name>] [--execution <name|arn>] [--limit N] [--no-follow] [--local]
//   --local: against the running `npm start` instead of AWS. --help / -h on any command.
//
// Exit codes: 0 success (a practice run that would succeed) · 1 the run failed or was refused ·
// 2 bad usage or configuration · 3 a practice run found something that would stop the real one.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  type ExecutionListItem,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { loadStageConfig, regionRole, type StageConfig } from '../infra/stage-config.cjs';
import { readRuntimeFile } from '../local/cli/runtime-file';
import { recordKeys } from '../services/runbooks/model';
import { isRefusal, REFUSAL_ADVICE, refusalRules } from '../services/runbooks/refusal-advice';
import { probeView } from '../services/state-api/health';
import type { AppState } from '../shared/app-state/model';
import { DynamoAppStateStore } from '../shared/app-state/store';
import { type HealthRecord, healthRecordKey } from '../shared/health/record';
import { regionalEndpoint } from '../shared/regional-endpoints';

export const MACHINES = ['fence', 'failover', 'failback'] as const;
export type Machine = (typeof MACHINES)[number];
const COMMANDS = [...MACHINES, 'status', 'history', 'report'] as const;
type Command = (typeof COMMANDS)[number];

export const EXIT = { ok: 0, failed: 1, usage: 2, practiceBlocked: 3 } as const;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const COMMON_OPTIONS = `  --stage <s>     stage (default $STAGE, else dev)
  --region <r>    region to run in / read from (default: where the runbook must run)
  --local         against the running \`npm start\` instead of AWS
  -h, --help      this help`;
const RUN_OPTIONS = `  --reason "…"    required: why (goes into the audit record and the notification)
  --dry-run       practice run: checks everything, changes nothing (exit 3 if the real run would stop)
  --expected-version N   act only if the state is still at version N (what \`status\` showed)
  --as <name>     who you are (default $SWITCHYARD_OPERATOR, else git user.name, else the OS user)
  --no-follow     start the run and exit`;

/** The help of each command, and of the CLI as a whole (key ''). */
export const HELP: Record<Command | '', string> = {
  '': `usage: npm run runbook -- <command> [options]     (npm run runbook -- <command> --help for its options)

commands:
  fence      stop writes in the active region (--lift to resume them)
  failover   make the secondary the active region (runs in the secondary)
  failback   return to the primary after a failover (runs in the primary)
  status     the application state, the runbook lock, running runbooks, health probes
  history    recent executions and state transitions
  report     a run's report (the latest, or --execution <name>)

Exit codes: 0 success · 1 the run failed or was refused · 2 bad usage · 3 a practice run found a blocker.
See RUNBOOK.md.`,
  fence: `usage: npm run runbook -- fence --reason "…" [--lift] [--dry-run] [options]

Fences the active region (writes refused with 503 WRITES_FENCED), or lifts the fence with --lift.
  --lift          lift the fence (resume writes in the active region)
${RUN_OPTIONS}
${COMMON_OPTIONS}`,
  failover: `usage: npm run runbook -- failover --reason "…" [--ungraceful] [--force] [--dry-run] [options]

Fences the primary, waits for replication, reconciles and promotes the secondary. Runs in the secondary.
  --ungraceful    the primary is unreachable: fence best-effort, writes resume after its write lease ends
  --force         override the overridable safety rules (recorded in the report and the audit)
${RUN_OPTIONS}
${COMMON_OPTIONS}`,
  failback: `usage: npm run runbook -- failback --reason "…" [--primary-healthy] [--force] [--dry-run] [options]

Fences the secondary, reconciles stranded writes and makes the primary active again. Runs in the primary.
  --primary-healthy  you vouch for the primary's health (instead of waiting for the healthy period)
  --force         override the overridable safety rules (recorded in the report and the audit)
${RUN_OPTIONS}
${COMMON_OPTIONS}`,
  status: `usage: npm run runbook -- status [options]

The application state (with the operator's reason), the runbook lock, running runbooks and health probes.
${COMMON_OPTIONS}`,
  history: `usage: npm run runbook -- history [--limit N] [options]

Recent executions and state transitions (audit), newest first.
  --limit N       how many (default 10)
${COMMON_OPTIONS}`,
  report: `usage: npm run runbook -- report [--execution <name|arn>] [options]

A run's report: steps, overrides, recovery times, error (default: the latest run in the region).
  --execution <name|arn>  which run
${COMMON_OPTIONS}`,
};

/** `--help`, `-h` or `help [command]` anywhere before `--`: the help to print, else null. */
export function helpRequested(argv: string[]): string | null {
  const end = argv.indexOf('--');
  const args = end === -1 ? argv : argv.slice(0, end);
  const wantsHelp = args.some((a) => a === '--help' || a === '-h') || args[0] === 'help';
  if (!wantsHelp) return null;
  const command = args.find((a) => COMMANDS.includes(a as Command)) as Command | undefined;
  return HELP[command ?? ''];
}

export interface CliOptions {
  command: Command;
  stage: string;
  region: string;
  reason: string | null;
  dryRun: boolean;
  ungraceful: boolean;
  force: boolean;
  lift: boolean;
  expectedVersion: number | null;
  primaryHealthy: boolean;
  as: string | null;
  execution: string | null;
  limit: number;
  follow: boolean;
}

export interface Io {
  out(line: string): void;
  err(line: string): void;
  sleep(ms: number): Promise<void>;
  env: Record<string, string | undefined>;
  /** Where the operator's name comes from after --as and the environment (default: git and the OS). */
  identity?: IdentitySources;
}

/** Where each runbook runs by default: the region it activates (fence: the primary). */
export function defaultRegion(command: Command, config: Pick<StageConfig, 'primaryRegion' | 'secondaryRegion'>): string {
  return command === 'failover' ? config.secondaryRegion : config.primaryRegion;
}

export function parseCli(argv: string[], env: Record<string, string | undefined> = process.env): CliOptions {
  let parsed: ReturnType<typeof parseArgs<{ options: Record<string, { type: 'string' | 'boolean' }>; allowPositionals: true }>>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        stage: { type: 'string' },
        region: { type: 'string' },
        reason: { type: 'string' },
        'dry-run': { type: 'boolean' },
        ungraceful: { type: 'boolean' },
        force: { type: 'boolean' },
        lift: { type: 'boolean' },
        'expected-version': { type: 'string' },
        'primary-healthy': { type: 'boolean' },
        as: { type: 'string' },
        execution: { type: 'string' },
        limit: { type: 'string' },
        'no-follow': { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const [command, ...extra] = parsed.positionals;
  if (!command || !COMMANDS.includes(command as Command)) throw new UsageError(`Give a command: ${COMMANDS.join(' | ')} (--help for more)`);
  if (extra.length > 0) throw new UsageError(`Unexpected argument(s): ${extra.join(' ')} (quote the reason: --reason "…")`);
  const v = parsed.values as Record<string, string | boolean | undefined>;
  const stage = (v.stage as string | undefined) ?? env.STAGE ?? 'dev';
  const config = loadStageConfig(stage);
  const region = (v.region as string | undefined) ?? defaultRegion(command as Command, config);
  regionRole(config, region);
  const number = (name: string, min: number): number | null => {
    const raw = v[name] as string | undefined;
    if (raw === undefined) return null;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) throw new UsageError(`--${name} must be an integer >= ${min}`);
    return value;
  };
  const options: CliOptions = {
    command: command as Command,
    stage,
    region,
    reason: (v.reason as string | undefined)?.trim() || null,
    dryRun: v['dry-run'] === true,
    ungraceful: v.ungraceful === true,
    force: v.force === true,
    lift: v.lift === true,
    expectedVersion: number('expected-version', 0),
    primaryHealthy: v['primary-healthy'] === true,
    as: (v.as as string | undefined) ?? null,
    execution: (v.execution as string | undefined) ?? null,
    limit: number('limit', 1) ?? 10,
    follow: v['no-follow'] !== true,
  };
  if (MACHINES.includes(options.command as Machine) && !options.reason) {
    throw new UsageError(`${options.command} needs --reason "why" (it goes into the audit record and the notification)`);
  }
  if (options.ungraceful && options.command !== 'failover') throw new UsageError('--ungraceful applies to failover only');
  if (options.lift && options.command !== 'fence') throw new UsageError('--lift applies to fence only');
  if (options.primaryHealthy && options.command !== 'failback') throw new UsageError('--primary-healthy applies to failback only');
  if (options.force && options.command === 'fence') throw new UsageError('--force does not apply to fence');
  return options;
}

/** Where the operator's name may come from besides the options and the environment (injectable for tests). */
export interface IdentitySources {
  gitUserName(): string | null;
  osUserName(): string | null;
}

export const systemIdentity: IdentitySources = {
  gitUserName: () => {
    try {
      return execFileSync('git', ['config', 'user.name'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || null;
    } catch {
      return null;
    }
  },
  osUserName: () => {
    try {
      return userInfo().username || null;
    } catch {
      return null; // no passwd entry for this uid (containers)
    }
  },
};

/**
 * Who the audit record names: the on-call engineer, never an alarm (alarms start runs through
 * EventBridge). --as, else $SWITCHYARD_OPERATOR, else git's user.name, else the OS user; with none
 * of them the run is refused as bad usage rather than recorded under a made-up name.
 */
export function requester(
  options: Pick<CliOptions, 'as'>,
  env: Record<string, string | undefined>,
  sources: IdentitySources = systemIdentity,
): { requestedBy: string; from: string } {
  const candidates: Array<[string, () => string | null | undefined]> = [
    ['--as', () => options.as],
    ['SWITCHYARD_OPERATOR', () => env.SWITCHYARD_OPERATOR],
    ['git user.name', () => sources.gitUserName()],
    ['the OS user', () => env.USER ?? env.USERNAME ?? sources.osUserName()],
  ];
  for (const [from, read] of candidates) {
    const who = (read() ?? '')
      .trim()
      .replace(/[^\w.@+-]/g, '-')
      .slice(0, 100);
    if (who) return { requestedBy: `oncall:${who}`, from };
  }
  throw new UsageError('Cannot tell who you are: give --as <name> (or set SWITCHYARD_OPERATOR); the run is recorded under that name');
}

/** The execution input for a runbook command (see services/runbooks/input.ts). */
export function executionInput(
  options: CliOptions,
  env: Record<string, string | undefined>,
  sources: IdentitySources = systemIdentity,
): Record<string, unknown> {
  const input: Record<string, unknown> = {
    reason: options.reason,
    requestedBy: requester(options, env, sources).requestedBy,
    dryRun: options.dryRun,
  };
  if (options.expectedVersion !== null) input.expectedVersion = options.expectedVersion;
  if (options.command === 'failover') {
    input.mode = options.ungraceful ? 'ungraceful' : 'planned';
    input.force = options.force;
  }
  if (options.command === 'failback') {
    input.force = options.force;
    input.primaryHealthConfirmed = options.primaryHealthy;
  }
  if (options.command === 'fence') input.lift = options.lift;
  return input;
}

/** Which part of the execution document a state writes (its ResultPath), for a one-line summary. */
const RESULT_OF: Record<string, string> = {
  Begin: 'run',
  CheckPreconditions: 'plan',
  Fence: 'fence',
  FencePrimary: 'fence',
  FencePrimaryBestEffort: 'fence',
  FenceSecondary: 'fence',
  WriteMarkers: 'gate',
  CheckReplication: 'gate',
  Reconcile: 'reconciliation',
  Promote: 'promotion',
  Finish: 'outcome',
  Abort: 'outcome',
};

function parseJson(text: string | undefined): Record<string, unknown> {
  try {
    return JSON.parse(text ?? '{}') as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** A short, human line about what a state just did, from its output. */
export function summariseState(state: string, outputText: string | undefined): string {
  const key = RESULT_OF[state];
  if (!key) return '';
  const part = parseJson(outputText)[key] as Record<string, unknown> | undefined;
  if (!part) return '';
  switch (key) {
    case 'run':
      return part.dryRun ? 'practice run (nothing will be changed)' : `lock taken for ${String(part.requestedBy)}`;
    case 'plan': {
      const refusals = (part.refusals as Array<{ error: string; message: string }>) ?? [];
      const warnings = (part.warnings as string[]) ?? [];
      const overrides = (part.overrides as Array<{ rule: string }>) ?? [];
      if (part.verdict === 'refuse') {
        // A practice run that found refusals: say so plainly, with the rule and what to do.
        const rules = refusals as Array<{ rule: string; error: string; message: string; overridable?: boolean }>;
        return [
          `the real run would be REFUSED (state ${String(part.fromState)} v${String(part.fromVersion)})`,
          ...rules.map((r) => refusalLines(r.error, r.message, r.rule, r.overridable === true).join('\n      ')),
          ...overrides.map((o) => `OVERRIDDEN: ${o.rule}`),
          ...warnings.map((w) => `warning: ${w}`),
        ].join('\n      ');
      }
      return [
        `${String(part.verdict)} from ${String(part.fromState)} v${String(part.fromVersion)}`,
        ...refusals.map((r) => `would refuse: ${r.error}: ${r.message}`),
        ...overrides.map((o) => `OVERRIDDEN: ${o.rule}`),
        ...warnings.map((w) => `warning: ${w}`),
      ].join('\n      ');
    }
    case 'fence':
      return `${String(part.outcome)}: ${String(part.detail)}`;
    case 'gate':
      return `${String(part.status)}${part.lagMs !== null && part.lagMs !== undefined ? ` (lag ${String(part.lagMs)} ms)` : ''}: ${String(part.reason)}`;
    case 'reconciliation':
      return `${String(part.candidates)} stranded candidate(s): ${String(part.converged)} already replicated, ${(part.replayed as unknown[]).length} ${part.dryRun ? 'would be ' : ''}replayed, ${String(part.conflictCount)} conflict(s)${part.forced ? ' (forced)' : ''}`;
    case 'promotion':
      return `${String(part.region)} ${String(part.from)} -> ${String(part.to)} v${String(part.version)}${part.ungraceful ? ' (ungraceful)' : ''}`;
    case 'outcome':
      return String(part.summary ?? '');
    default:
      return '';
  }
}

/** A refusal as the on-call engineer reads it: what refused, by which rule, and what to do next. */
export function refusalLines(error: string, message: string, rule?: string, overridable = false, runbook?: Machine): string[] {
  const advice = isRefusal(error) ? REFUSAL_ADVICE[error] : null;
  const rules = rule ? [rule] : isRefusal(error) ? refusalRules(error, runbook) : [];
  return [
    `refused by ${rules.length > 0 ? `rule ${rules.join(' / ')} ` : ''}(${error}): ${message}`,
    ...(advice ? [`what to do: ${advice.todo}`] : []),
    ...(overridable ? ['(a human may override this rule with --force; the override is recorded)'] : []),
  ];
}

function describeCause(cause: string | undefined): string {
  const parsed = parseJson(cause);
  return typeof parsed.errorMessage === 'string' ? parsed.errorMessage : (cause ?? '');
}

/** One history event as the on-call engineer should see it, or null to skip it. */
export function describeEvent(event: HistoryEvent, startedAt: Date, quietPolls: Set<string>): string | null {
  const at = event.timestamp ? new Date(event.timestamp) : new Date();
  const offset = `+${((at.getTime() - startedAt.getTime()) / 1000).toFixed(1)}s`.padStart(8);
  const line = (mark: string, text: string) => `${offset}  ${mark} ${text}`;
  const type = event.type ?? '';
  if (type.endsWith('StateEntered')) {
    const name = event.stateEnteredEventDetails?.name ?? '?';
    if (type.startsWith('Choice') || type.startsWith('Pass') || type.startsWith('Succeed') || type.startsWith('Fail')) return null;
    if (name === 'CheckReplication' || name === 'WaitForReplication') return null;
    return line('>', name);
  }
  if (type.endsWith('StateExited')) {
    const name = event.stateExitedEventDetails?.name ?? '?';
    if (!type.startsWith('Task')) return null;
    const summary = summariseState(name, event.stateExitedEventDetails?.output);
    if (name === 'CheckReplication') {
      const gate = parseJson(event.stateExitedEventDetails?.output).gate as { status?: string; checks?: number } | undefined;
      // The gate polls every second: show its progress, not every poll.
      if (gate?.status === 'waiting' && (gate.checks ?? 0) % 5 !== 1) return null;
      if (gate?.status === 'waiting' && quietPolls.has('gate')) return null;
      if (gate?.status === 'waiting') quietPolls.add('gate');
    }
    // A task that failed still "exits" through its Catch: its failure line said it all.
    if (quietPolls.delete('failed-task')) return null;
    const outcome = parseJson(event.stateExitedEventDetails?.output).outcome as { verdict?: string } | undefined;
    if (name === 'Abort' && outcome?.verdict === 'refused') return line('REFUSED', `${name}${summary ? `: ${summary}` : ''}`);
    if (name === 'Abort' && outcome?.verdict === 'failed') return line('!!', `${name}${summary ? `: ${summary}` : ''}`);
    if (name === 'CheckPreconditions' && parseJson(event.stateExitedEventDetails?.output).plan) {
      const plan = parseJson(event.stateExitedEventDetails?.output).plan as { verdict?: string };
      if (plan.verdict === 'refuse') return line('REFUSED', `${name} (practice): ${summary}`);
    }
    return line('ok', `${name}${summary ? `: ${summary}` : ''}`);
  }
  // A retried task that succeeded after all exits normally.
  if (type === 'LambdaFunctionSucceeded' || type === 'TaskSucceeded') quietPolls.delete('failed-task');
  switch (type) {
    case 'ExecutionStarted':
      return line('*', 'execution started');
    case 'LambdaFunctionFailed':
    case 'TaskFailed': {
      const details = event.lambdaFunctionFailedEventDetails ?? event.taskFailedEventDetails;
      quietPolls.add('failed-task');
      if (isRefusal(details?.error)) return line('REFUSED', `${details.error}: ${describeCause(details.cause)}`);
      return line('!!', `${details?.error ?? 'error'}: ${describeCause(details?.cause)}`);
    }
    case 'LambdaFunctionTimedOut':
      return line('!!', 'step timed out');
    case 'ExecutionSucceeded':
      return line('*', 'execution SUCCEEDED');
    case 'ExecutionFailed':
      if (isRefusal(event.executionFailedEventDetails?.error))
        return line('*', `execution REFUSED: ${event.executionFailedEventDetails.error}`);
      return line(
        '*',
        `execution FAILED: ${event.executionFailedEventDetails?.error ?? ''}: ${describeCause(event.executionFailedEventDetails?.cause)}`,
      );
    case 'ExecutionTimedOut':
      return line('*', 'execution TIMED OUT');
    case 'ExecutionAborted':
      return line('*', 'execution ABORTED');
    default:
      return null;
  }
}

/** The process exit code for a finished execution. */
export function exitCodeFor(status: string | undefined, output: Record<string, unknown> | null): number {
  if (status !== 'SUCCEEDED') return EXIT.failed;
  if (output?.dryRun === true && output.verdict !== 'would-succeed') return EXIT.practiceBlocked;
  return EXIT.ok;
}

// --- AWS ---------------------------------------------------------------------------------

interface Clients {
  sfn: SFNClient;
  ddb: DynamoDBDocumentClient;
  table: string;
  appId: string;
  /** The quorum store (state, lock) as this region reaches it. */
  quorum: { state: DynamoAppStateStore; ddb: DynamoDBDocumentClient; table: string };
}

function clientsFor(options: CliOptions, io: Io): Clients {
  const config = loadStageConfig(options.stage);
  const endpoint = regionalEndpoint(options.region, 'dynamodb', io.env as NodeJS.ProcessEnv);
  const dynamo = new DynamoDBClient({ region: options.region, ...(endpoint ? { endpoint } : {}) });
  const quorumEndpoint = regionalEndpoint(options.region, 'quorum', io.env as NodeJS.ProcessEnv);
  const quorumDdb = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: options.region, maxAttempts: 1, ...(quorumEndpoint ? { endpoint: quorumEndpoint } : {}) }),
  );
  const quorumTable = io.env.QUORUM_TABLE ?? `switchyard-${options.stage}-quorum`;
  return {
    sfn: new SFNClient({ region: options.region }),
    ddb: DynamoDBDocumentClient.from(dynamo),
    table: io.env.APP_STATE_TABLE ?? `switchyard-${options.stage}-app-state`,
    appId: config.appId,
    quorum: {
      ddb: quorumDdb,
      table: quorumTable,
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

export function stateMachineName(stage: string, machine: Machine): string {
  return `switchyard-${stage}-${machine}`;
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
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }));
      for (const event of page.events ?? []) {
        if (event.id === undefined || seen.has(event.id)) continue;
        seen.add(event.id);
        startedAt ??= event.timestamp ? new Date(event.timestamp) : new Date();
        const text = describeEvent(event, startedAt, quiet);
        if (event.type?.endsWith('StateEntered') && event.stateEnteredEventDetails?.name !== 'CheckReplication') quiet.clear();
        if (text) io.out(text);
      }
      nextToken = page.nextToken;
    } while (nextToken);
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (execution.status !== 'RUNNING') {
      if (execution.status !== 'SUCCEEDED' && isRefusal(execution.error))
        for (const text of refusalLines(execution.error, describeCause(execution.cause), undefined, false, machine)) io.out(text);
      else if (execution.status !== 'SUCCEEDED') io.out(`error: ${execution.error ?? execution.status}: ${describeCause(execution.cause)}`);
      return { status: execution.status ?? 'UNKNOWN', output: execution.output ? parseJson(execution.output) : null };
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
  const { sfn, ddb, table, appId, quorum } = clientsFor(options, io);
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
  if (isolated)
    io.out(`  ISOLATED: ${options.region} cannot reach the quorum; it accepts no writes. Showing its own copy, which may be stale:`);
  io.out(`  state ${state.state} (version ${state.version}), active region ${state.activeRegion}`);
  io.out(`  updated ${state.updatedAt} by ${state.updatedBy}: ${state.reason}`);
  if (state.fence)
    io.out(
      `  fence set by ${state.fence.requestedBy}${state.fence.automatic ? ' (automatic run)' : ''}${state.fence.executionId ? ` in ${state.fence.executionId}` : ''}`,
    );
  if (state.writesResumeAt && Date.parse(state.writesResumeAt) > Date.now())
    io.out(`  writes resume at ${state.writesResumeAt} (the previous region's write lease ends then)`);
  const { Item: lock } = await quorum.ddb
    .send(new GetCommand({ TableName: quorum.table, Key: recordKeys.lock(appId), ConsistentRead: !isolated }))
    .catch(() => ({ Item: undefined }));
  const lockValid = lock && typeof lock.expiresAt === 'number' && lock.expiresAt * 1000 > Date.now();
  io.out(
    lockValid
      ? `  runbook lock held by ${String(lock.runbook)} ${String(lock.executionId)} (since ${String(lock.acquiredAt)}, lease until ${new Date(lock.expiresAt * 1000).toISOString()})`
      : '  runbook lock free',
  );
  for (const execution of await recentExecutions(sfn, { ...options, limit: 5 }, 'RUNNING'))
    io.out(`  RUNNING ${execution.machine} ${execution.name}`);
  // The health probes' last findings, as replicated into this region (GET /health?deep=1 shows the same).
  const stage = loadStageConfig(options.stage);
  io.out('health probes (records in this region):');
  for (const region of [stage.primaryRegion, stage.secondaryRegion]) {
    const { Item } = await ddb.send(new GetCommand({ TableName: table, Key: healthRecordKey(appId, region), ConsistentRead: true }));
    const view = probeView(region, Item as HealthRecord | undefined, new Date(), 3 * (stage.thresholds.probeIntervalSeconds ?? 10));
    const age = view.ageSeconds === null ? '' : ` ${view.ageSeconds} s ago`;
    io.out(`  ${region.padEnd(14)} ${view.status.padEnd(9)}${age}: ${view.detail}`);
  }
  return EXIT.ok;
}

async function history(options: CliOptions, io: Io): Promise<number> {
  const { sfn, ddb, table, appId } = clientsFor(options, io);
  io.out(`executions in ${options.region} (newest first):`);
  for (const e of await recentExecutions(sfn, options)) {
    io.out(`  ${new Date(e.startDate ?? 0).toISOString()}  ${e.machine.padEnd(8)} ${String(e.status).padEnd(9)} ${e.name}`);
  }
  const { Items = [] } = await ddb.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `AUDIT#${appId}` },
      ScanIndexForward: false,
      Limit: options.limit,
    }),
  );
  io.out('state transitions (audit, newest first):');
  for (const a of Items) {
    const extra = [
      a.ungraceful ? 'ungraceful' : '',
      a.lagSeenMs !== null && a.lagSeenMs !== undefined ? `lag ${String(a.lagSeenMs)} ms` : '',
      (a.overrides as unknown[])?.length ? 'OVERRIDES' : '',
    ]
      .filter(Boolean)
      .join(', ');
    io.out(
      `  ${String(a.at)}  ${String(a.from)} -> ${String(a.to)} v${String(a.version)} in ${String(a.writtenIn)} by ${String(a.requestedBy)}: ${String(a.reason)}${extra ? ` (${extra})` : ''}`,
    );
  }
  return EXIT.ok;
}

async function report(options: CliOptions, io: Io): Promise<number> {
  const { sfn, ddb, table, appId } = clientsFor(options, io);
  let name = options.execution?.split(':').at(-1) ?? null;
  if (!name) {
    const [latest] = await recentExecutions(sfn, { ...options, limit: 1 });
    if (!latest?.name) throw new UsageError(`No runbook execution in ${options.region}; give --execution <name>`);
    name = latest.name;
  }
  const { Item } = await ddb.send(new GetCommand({ TableName: table, Key: { pk: `REPORT#${appId}`, sk: name }, ConsistentRead: true }));
  if (!Item) throw new UsageError(`No report for execution ${name} in ${options.region}`);
  io.out(
    `${String(Item.runbook)} ${name} in ${String(Item.region)}: ${String(Item.status)}${Item.verdict ? ` (${String(Item.verdict)})` : ''}`,
  );
  io.out(`  requested by ${String(Item.requestedBy)}${Item.automatic ? ' (automatic)' : ''}: ${String(Item.reason)}`);
  io.out(`  started ${String(Item.startedAt)}, finished ${String(Item.finishedAt ?? '(still running)')}`);
  for (const step of (Item.steps as Array<Record<string, unknown>>) ?? []) {
    io.out(
      `  ${String(step.at)}  ${String(step.step).padEnd(18)} ${String(step.outcome).padEnd(14)} ${String(step.durationMs).padStart(6)} ms  ${String(step.detail)}`,
    );
  }
  for (const override of (Item.overrides as Array<Record<string, unknown>>) ?? [])
    io.out(`  OVERRIDDEN safety rule ${String(override.rule)}: ${String(override.message)}`);
  const recovery = Item.recovery as Record<string, unknown> | null;
  if (recovery) {
    io.out(`  writes stopped ${String(recovery.writesStoppedAt)}, promoted ${String(recovery.promotedAt)}`);
    io.out(
      `  write unavailability ${String(recovery.writeUnavailableMs)} ms, recovery time ${String(recovery.recoveryTimeMs)} ms, run ${String(recovery.runDurationMs)} ms`,
    );
  }
  const error = Item.error as { name: string; message: string } | null;
  if (error) io.out(`  error ${error.name}: ${error.message}`);
  return Item.status === 'succeeded' || (Item.status === 'practice' && Item.verdict === 'would-succeed') ? EXIT.ok : EXIT.failed;
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

if (require.main === module) {
  const io: Io = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    env: process.env,
  };
  // --local: talk to the running `npm start` (its endpoints and local credentials) instead of AWS.
  const argv = process.argv.slice(2);
  const local = argv.includes('--local');
  if (local) {
    const runtime = readRuntimeFile();
    if (!runtime) {
      process.stderr.write('runbook: --local needs the embedded runtime: start it with `npm start` first\n');
      process.exit(EXIT.usage);
    }
    const { AWS_REGION: _r, AWS_DEFAULT_REGION: _d, ...env } = runtime.regions[0]?.env ?? {};
    Object.assign(process.env, env);
  }
  main(
    argv.filter((a) => a !== '--local'),
    io,
  ).then((code) => {
    process.exitCode = code;
  });
}
