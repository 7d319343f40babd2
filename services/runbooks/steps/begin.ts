// Begin: validate the input, open the run's report, take the runbook lock (practice runs only
// look at it). Nothing else has happened yet, so every failure here is a clean refusal.
import { RUNBOOK_MACHINES } from '../../../state-machines/names';
import { peerOf } from '../config';
import { InvalidRunbookInput, RunbookLocked } from '../errors';
import { isAutomatic, parseRunbookInput, type RunbookInput } from '../input';
import { executionNameOf, type RunbookName, type RunContext, type RunReport } from '../model';
import type { RunbookDeps } from './ports';
import { toStepError } from './run-step';

export interface BeginEvent {
  runbook: RunbookName;
  input: unknown;
  /** The context object's $$.Execution. */
  execution: { Id?: string; Name?: string; StartTime?: string };
}

export interface BeginResult extends RunContext {
  /** Practice runs: who holds the lock right now (a real run would be refused), else null. */
  lockHeldBy: string | null;
}

function emptyReport(
  run: Pick<RunContext, 'executionId' | 'executionName' | 'runbook' | 'region' | 'startedAt'>,
  input: Partial<RunbookInput>,
): RunReport {
  return {
    executionId: run.executionId,
    executionName: run.executionName,
    runbook: run.runbook,
    region: run.region,
    requestedBy: input.requestedBy ?? 'unknown',
    reason: input.reason ?? '',
    automatic: input.requestedBy ? isAutomatic(input.requestedBy) : false,
    dryRun: input.dryRun ?? false,
    mode: input.mode ?? null,
    status: 'running',
    startedAt: run.startedAt,
    finishedAt: null,
    steps: [],
    verdict: null,
    error: null,
    recovery: null,
    overrides: [],
    summary: null,
  };
}

export async function beginRun(deps: Pick<RunbookDeps, 'config' | 'clock' | 'lock' | 'reports'>, event: BeginEvent): Promise<BeginResult> {
  const { config } = deps;
  const now = deps.clock();
  if (!RUNBOOK_MACHINES.includes(event.runbook)) throw new InvalidRunbookInput(`Unknown runbook "${String(event.runbook)}"`);
  const executionId = event.execution?.Id;
  if (!executionId)
    throw new InvalidRunbookInput('The execution id ($$.Execution.Id) is missing: start runbooks through their state machine');
  const executionName = event.execution.Name ?? executionNameOf(executionId);
  const startedAt = event.execution.StartTime ? new Date(event.execution.StartTime).toISOString() : now.toISOString();
  const where = { executionId, executionName, runbook: event.runbook, region: config.region, startedAt };

  let input: RunbookInput;
  try {
    input = parseRunbookInput(event.runbook, event.input);
  } catch (error) {
    const raw = (event.input ?? {}) as Partial<RunbookInput>;
    const safe = { requestedBy: typeof raw.requestedBy === 'string' ? raw.requestedBy.slice(0, 200) : undefined };
    const report = emptyReport(where, safe);
    await deps.reports
      .begin({
        ...report,
        status: 'refused',
        finishedAt: now.toISOString(),
        verdict: 'refused',
        error: { name: 'InvalidRunbookInput', message: (error as Error).message },
      })
      .catch(() => undefined);
    throw error;
  }

  const run: BeginResult = {
    ...where,
    appId: config.appId,
    peerRegion: peerOf(config, config.region),
    primaryRegion: config.primaryRegion,
    secondaryRegion: config.secondaryRegion,
    requestedBy: input.requestedBy,
    reason: input.reason,
    automatic: isAutomatic(input.requestedBy),
    dryRun: input.dryRun,
    force: input.force,
    expectedVersion: input.expectedVersion,
    mode: input.mode,
    lift: input.lift,
    primaryHealthConfirmed: input.primaryHealthConfirmed,
    detectedAt: input.detectedAt,
    lockHeld: false,
    drainSeconds: config.drainSeconds,
    lockHeldBy: null,
  };

  try {
    await deps.reports.begin(emptyReport(where, input));
    const nowSeconds = Math.floor(now.getTime() / 1000);
    if (run.dryRun) {
      const holder = await deps.lock.peek(nowSeconds);
      run.lockHeldBy = holder
        ? `${holder.runbook} ${executionNameOf(holder.executionId)} (by ${holder.requestedBy}, since ${holder.acquiredAt})`
        : null;
    } else {
      const attempt = await deps.lock.acquire(
        {
          executionId,
          runbook: event.runbook,
          requestedBy: input.requestedBy,
          acquiredAt: now.toISOString(),
          expiresAt: nowSeconds + config.lockLeaseSeconds,
        },
        nowSeconds,
      );
      if (!attempt.acquired) {
        const holder = attempt.holder;
        const who = holder
          ? `${holder.runbook} execution ${executionNameOf(holder.executionId)} (by ${holder.requestedBy}, since ${holder.acquiredAt})`
          : 'another execution';
        const refused = new RunbookLocked(
          `Another runbook is running: ${who}. Nothing was changed; wait for it to finish (runbook status).`,
        );
        await deps.reports.finish(executionName, {
          status: 'refused',
          finishedAt: deps.clock().toISOString(),
          verdict: 'refused',
          error: { name: refused.name, message: refused.message },
          recovery: null,
          summary: `${event.runbook} refused: ${refused.message}`,
          overrides: [],
        });
        throw refused;
      }
      run.lockHeld = true;
    }
    await deps.reports.appendStep(executionName, {
      step: 'Begin',
      at: now.toISOString(),
      durationMs: deps.clock().getTime() - now.getTime(),
      outcome: run.dryRun ? 'practice' : 'lock-acquired',
      detail: `${event.runbook} requested by ${input.requestedBy}: ${input.reason}`,
    });
  } catch (error) {
    throw toStepError('Begin', error);
  }
  return run;
}
