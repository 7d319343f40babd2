// What an on-call engineer should do about each refusal, by error name (errors.ts). The CLI prints
// it under a refused run; the rule ids are the ones the decisions use (decisions/*.ts), so a
// refusal read in the CLI, the report and the audit record names the same rule.
import type { RefusalError } from './errors';
import type { RunbookName } from './model';

export interface RefusalAdvice {
  /** The safety rule(s) that raise this refusal (Refusal.rule in the plans); empty when a step raises it. */
  rules: readonly string[];
  /** Where a runbook raises only some of them: its own rules. */
  rulesOf?: Partial<Record<RunbookName, readonly string[]>>;
  /** What to do next, in one or two sentences. */
  todo: string;
}

export const REFUSAL_ADVICE: Record<RefusalError, RefusalAdvice> = {
  RunbookLocked: {
    rules: ['one-execution-at-a-time'],
    todo: 'Wait for the running execution to finish (`runbook status` names it), then read the state again before retrying.',
  },
  WrongRegion: {
    rules: ['run-in-target-region'],
    todo: 'Run it in the region it activates: failover in the secondary, failback in the primary (leave --region out to get the default).',
  },
  IllegalRunbookState: {
    rules: ['state-allows-failover', 'state-allows-failback', 'fence-allowed', 'lift-allowed'],
    rulesOf: { failover: ['state-allows-failover'], failback: ['state-allows-failback'], fence: ['fence-allowed', 'lift-allowed'] },
    todo: 'Check `runbook status`: the application is not in a state this runbook applies to; pick the runbook that fits (RUNBOOK.md).',
  },
  StaleStateVersion: {
    rules: ['expected-version', 'promote-from-own-fence'],
    todo: 'Someone changed the state since you read it: run `runbook status` and `runbook history`, then decide again with the new --expected-version.',
  },
  AutoFailoverDisabled: {
    rules: ['kill-switch'],
    todo: 'Automatic runs are switched off: a human decides; start the runbook by hand if it is needed.',
  },
  AutoFailoverTooSoon: {
    rules: ['min-delay-between-automatic-runs'],
    todo: 'An automatic failover ran recently: a human decides; start the runbook by hand if it is needed.',
  },
  StaleAlarm: {
    rules: ['alarm-recent'],
    todo: 'The alarm is too old to act on automatically: look at the current health and start the runbook by hand if it is needed.',
  },
  TargetRegionUnhealthy: {
    rules: ['target-healthy'],
    todo: 'The region to activate fails its own probe: fix it first, or, if you are sure, repeat with --force (the override is recorded).',
  },
  ForceNotAllowed: {
    rules: ['no-force-when-automatic'],
    todo: 'Overriding a safety rule is a human decision: run it from the CLI.',
  },
  FailbackNeverAutomatic: {
    rules: ['never-automatic'],
    todo: 'Failback is started by a human only: `runbook failback --reason "…"` in the primary.',
  },
  PrimaryNotReady: {
    rules: ['primary-healthy-for-period'],
    todo: 'Wait until the primary has been healthy for the configured period, or confirm it yourself with --primary-healthy.',
  },
  UnresolvedConflicts: {
    rules: [], // raised by the Reconcile step itself, not by a plan's rule
    todo: 'Stranded writes conflict with writes made since the failover: resolve them (RUNBOOK.md, reconciliation), or repeat with --force to keep the newer writes.',
  },
  FenceNotOwned: {
    rules: ['automatic-never-resumes-a-fence'],
    todo: 'A fence set by an operator or another run is in place: a human decides whether to fail over or lift it.',
  },
  PrimaryStillAlive: {
    rules: ['primary-heartbeat-stale'],
    todo: 'The primary still renews its heartbeat: only the link to it is cut. Investigate the network; fail over by hand only if you know the primary is down.',
  },
  QuorumUnreachable: {
    rules: ['quorum-reachable'],
    todo: 'This region cannot reach a majority of the quorum: it can neither check the primary nor promote itself. Restore its connectivity, or run from a region that reaches the quorum.',
  },
};

export function isRefusal(name: string | undefined): name is RefusalError {
  return name !== undefined && Object.hasOwn(REFUSAL_ADVICE, name);
}

/** The rule(s) behind a refusal raised by a runbook (as precise as the error name allows). */
export function refusalRules(error: RefusalError, runbook?: RunbookName): readonly string[] {
  const advice = REFUSAL_ADVICE[error];
  return (runbook && advice.rulesOf?.[runbook]) || advice.rules;
}
