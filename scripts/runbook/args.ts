// The runbook CLI's arguments: the commands, their help, the options parsed and checked, who the
// operator is, and the execution input a runbook command starts with (services/runbooks/input.ts).
// No AWS call here.
import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { loadStageConfig, regionRole, type StageConfig } from '../../infra/stage-config.cjs';
import { RUNBOOK_MACHINES, type RunbookMachine } from '../../state-machines/names';

export const MACHINES = RUNBOOK_MACHINES;
export type Machine = RunbookMachine;
const COMMANDS = [...MACHINES, 'status', 'history', 'report'] as const;
export type Command = (typeof COMMANDS)[number];

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
