// After every state transition a runbook makes: the audit record (who, why, execution, from→to,
// version, lag seen, overrides), then a notification. The audit key derives from the new
// state's updatedAt, so a retried step rewrites the same record instead of adding a second one.
import type { AppStateName, AuditRecord, RunbookPlan, RunContext, StateSnapshot } from '../model';
import type { RunbookDeps } from './ports';

export async function recordTransition(
  deps: Pick<RunbookDeps, 'audit' | 'notifier' | 'config'>,
  args: {
    run: RunContext;
    plan: RunbookPlan | undefined;
    from: AppStateName;
    after: StateSnapshot;
    writtenIn: string;
    ungraceful: boolean;
    lagSeenMs: number | null;
  },
): Promise<{ audit: AuditRecord; notified: boolean }> {
  const { run, after } = args;
  const audit: AuditRecord = {
    at: after.updatedAt,
    runbook: run.runbook,
    executionId: run.executionId,
    requestedBy: run.requestedBy,
    reason: run.reason,
    automatic: run.automatic,
    from: args.from,
    to: after.state,
    version: after.version,
    activeRegion: after.activeRegion,
    writtenIn: args.writtenIn,
    ungraceful: args.ungraceful,
    lagSeenMs: args.lagSeenMs,
    overrides: args.plan?.overrides ?? [],
  };
  await deps.audit.record(audit);
  const subject = `[switchyard ${deps.config.stage}] ${run.runbook}: ${args.from} -> ${after.state} (v${after.version}, ${after.activeRegion} active)`;
  const notified = await deps.notifier.publish(subject.slice(0, 99), { type: 'state-transition', stage: deps.config.stage, ...audit });
  return { audit, notified };
}
