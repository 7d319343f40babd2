// Precondition steps: gather the facts, let the pure decision plan the run, and refuse (throw
// the first standing refusal, listing all) unless this is a practice run, which reports them.

import { heartbeatStale } from '../../../shared/health/heartbeat';
import { decideFailback } from '../decisions/failback';
import { decideFailover } from '../decisions/failover';
import { refusal } from '../decisions/safety-rules';
import { refusalError } from '../errors';
import type { RunbookDocument, RunbookPlan } from '../model';
import type { BeginResult } from './begin';
import type { RunbookDeps } from './ports';
import { executeStep, type StepOutput } from './run-step';

type Doc = RunbookDocument & { run: RunbookDocument['run'] & Partial<Pick<BeginResult, 'lockHeldBy'>> };

function withLockCheck(plan: RunbookPlan, doc: Doc): RunbookPlan {
  if (!doc.run.dryRun || !doc.run.lockHeldBy) return plan;
  const held = refusal('one-execution-at-a-time', 'RunbookLocked', `Another runbook is running: ${doc.run.lockHeldBy}.`);
  return { ...plan, verdict: 'refuse', refusals: [...plan.refusals, held] };
}

function enforce(plan: RunbookPlan, doc: Doc): StepOutput<RunbookPlan> {
  const overrides = plan.overrides.map((o) => `${o.rule} (overridden)`);
  const detail = [
    `from ${plan.fromState} v${plan.fromVersion}`,
    ...plan.refusals.map((r) => `${r.error}: ${r.message}`),
    ...overrides,
    ...plan.warnings.map((w) => `warning: ${w}`),
  ].join('; ');
  const first = plan.refusals[0];
  if (first && !doc.run.dryRun) {
    const all = plan.refusals.map((r) => r.message).join(' ');
    throw refusalError(first.error, all);
  }
  return { result: plan, outcome: plan.verdict === 'proceed' ? 'proceed' : 'would-refuse', detail };
}

export async function checkFailoverPreconditions(
  deps: Pick<RunbookDeps, 'config' | 'clock' | 'stateIn' | 'parameters' | 'audit' | 'health' | 'heartbeats' | 'reports'>,
  doc: Doc,
): Promise<RunbookPlan> {
  return executeStep(deps, doc, 'CheckPreconditions', async () => {
    const { config } = deps;
    const { run } = doc;
    const now = deps.clock();
    // Automatic runs check the primary's heartbeat again, through the quorum (docs/fencing.md).
    const primaryHeartbeat = run.automatic
      ? await deps.heartbeats.lastBeat(config.primaryRegion).then(
          (at) => ({ at, stale: heartbeatStale(at, now, config.heartbeatStaleSeconds) }),
          () => 'unreadable' as const,
        )
      : null;
    // SSM and the audit history matter to automatic runs only: an on-call engineer failing over
    // during an outage must not depend on them.
    const [state, killSwitch, lastAutomaticFailoverAt, targetHealth] = await Promise.all([
      deps.stateIn(config.region).get(),
      run.automatic ? deps.parameters.autoFailover() : Promise.resolve(null),
      run.automatic ? deps.audit.lastAutomaticFailoverAt() : Promise.resolve(null),
      deps.health.healthOf(config.secondaryRegion),
    ]);
    const plan = decideFailover({
      region: config.region,
      primaryRegion: config.primaryRegion,
      secondaryRegion: config.secondaryRegion,
      mode: run.mode ?? 'planned',
      automatic: run.automatic,
      force: run.force,
      expectedVersion: run.expectedVersion,
      state,
      killSwitch,
      lastAutomaticFailoverAt,
      targetHealth,
      primaryHeartbeat,
      now,
      thresholds: {
        minSecondsBetweenAutoFailovers: config.minSecondsBetweenAutoFailovers,
        drainSeconds: config.drainSeconds,
        gateTimeoutSeconds: config.gateTimeoutSeconds,
        gatePollSeconds: config.gatePollSeconds,
      },
    });
    return enforce(withLockCheck(plan, doc), doc);
  });
}

export async function checkFailbackPreconditions(
  deps: Pick<RunbookDeps, 'config' | 'clock' | 'stateIn' | 'health' | 'reports'>,
  doc: Doc,
): Promise<RunbookPlan> {
  return executeStep(deps, doc, 'CheckPreconditions', async () => {
    const { config } = deps;
    const { run } = doc;
    const [state, primaryHealth] = await Promise.all([deps.stateIn(config.region).get(), deps.health.healthOf(config.primaryRegion)]);
    const plan = decideFailback({
      region: config.region,
      primaryRegion: config.primaryRegion,
      secondaryRegion: config.secondaryRegion,
      automatic: run.automatic,
      force: run.force,
      expectedVersion: run.expectedVersion,
      primaryHealthConfirmed: run.primaryHealthConfirmed,
      state,
      primaryHealth,
      now: deps.clock(),
      thresholds: {
        primaryHealthySecondsBeforeFailback: config.primaryHealthySecondsBeforeFailback,
        drainSeconds: config.drainSeconds,
        gateTimeoutSeconds: config.gateTimeoutSeconds,
        gatePollSeconds: config.gatePollSeconds,
      },
    });
    return enforce(withLockCheck(plan, doc), doc);
  });
}
