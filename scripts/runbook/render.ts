// What the runbook CLI prints: one line per history event while a run is followed, a summary of
// what each step handed on (found under its ResultPath, through the read model), refusals with
// what to do, and the records `status`, `history` and `report` show. Pure: no I/O.
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { documentOf, resultKeyOf } from '../../services/runbooks/adapters/runbook-read-model';
import type { AuditRecord, RunReport } from '../../services/runbooks/model';
import { isRefusal, REFUSAL_ADVICE, refusalRules } from '../../services/runbooks/refusal-advice';
import type { LockHolder } from '../../services/runbooks/steps/ports';
import type { AppState } from '../../shared/app-state/model';
import { EXIT, type Machine } from './args';

/** A short, human line about what a state just did, from its output. */
export function summariseState(state: string, outputText: string | undefined): string {
  const key = resultKeyOf(state);
  if (!key) return '';
  const part = documentOf(outputText)[key] as Record<string, unknown> | undefined;
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

export function describeCause(cause: string | undefined): string {
  const parsed = documentOf(cause);
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
      const gate = documentOf(event.stateExitedEventDetails?.output).gate as { status?: string; checks?: number } | undefined;
      // The gate polls every second: show its progress, not every poll.
      if (gate?.status === 'waiting' && (gate.checks ?? 0) % 5 !== 1) return null;
      if (gate?.status === 'waiting' && quietPolls.has('gate')) return null;
      if (gate?.status === 'waiting') quietPolls.add('gate');
    }
    // A task that failed still "exits" through its Catch: its failure line said it all.
    if (quietPolls.delete('failed-task')) return null;
    const outcome = documentOf(event.stateExitedEventDetails?.output).outcome as { verdict?: string } | undefined;
    if (name === 'Abort' && outcome?.verdict === 'refused') return line('REFUSED', `${name}${summary ? `: ${summary}` : ''}`);
    if (name === 'Abort' && outcome?.verdict === 'failed') return line('!!', `${name}${summary ? `: ${summary}` : ''}`);
    if (name === 'CheckPreconditions' && documentOf(event.stateExitedEventDetails?.output).plan) {
      const plan = documentOf(event.stateExitedEventDetails?.output).plan as { verdict?: string };
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

/** `status`: the application state as seen from `region` (a region cut off from the quorum shows its own copy). */
export function stateLines(state: AppState, region: string, isolated: boolean, now: Date): string[] {
  const lines: string[] = [];
  if (isolated)
    lines.push(`  ISOLATED: ${region} cannot reach the quorum; it accepts no writes. Showing its own copy, which may be stale:`);
  lines.push(`  state ${state.state} (version ${state.version}), active region ${state.activeRegion}`);
  lines.push(`  updated ${state.updatedAt} by ${state.updatedBy}: ${state.reason}`);
  if (state.fence)
    lines.push(
      `  fence set by ${state.fence.requestedBy}${state.fence.automatic ? ' (automatic run)' : ''}${state.fence.executionId ? ` in ${state.fence.executionId}` : ''}`,
    );
  if (state.writesResumeAt && Date.parse(state.writesResumeAt) > now.getTime())
    lines.push(`  writes resume at ${state.writesResumeAt} (the previous region's write lease ends then)`);
  return lines;
}

/** `status`: the runbook lock, held only while its lease runs. */
export function lockLine(lock: LockHolder | null, now: Date): string {
  return lock && lock.expiresAt * 1000 > now.getTime()
    ? `  runbook lock held by ${lock.runbook} ${lock.executionId} (since ${lock.acquiredAt}, lease until ${new Date(lock.expiresAt * 1000).toISOString()})`
    : '  runbook lock free';
}

/**
 * `status`: a region's write lease as its lease record in the quorum shows it (docs/fencing.md):
 * the newest lease start any of its gates recorded. A region whose last start is older than lease
 * + margin writes nothing now, whatever the state says. `undefined`: the record could not be read.
 */
export function leaseLine(region: string, since: number | null | undefined, now: Date, leaseMs: number, clockSkewMarginMs: number): string {
  if (since === undefined) return `  ${region.padEnd(14)} lease record unreadable`;
  if (since === null) return `  ${region.padEnd(14)} no lease recorded`;
  const ago = ((now.getTime() - since) / 1000).toFixed(1);
  const endsAt = since + leaseMs + clockSkewMarginMs;
  return endsAt > now.getTime()
    ? `  ${region.padEnd(14)} last lease started ${ago} s ago: its writes may land until ${new Date(endsAt).toISOString()}`
    : `  ${region.padEnd(14)} last lease started ${ago} s ago: writes nothing now (ended ${new Date(endsAt).toISOString()})`;
}

/** `history`: one state transition of the audit. */
export function auditLine(a: AuditRecord): string {
  const extra = [
    a.ungraceful ? 'ungraceful' : '',
    a.lagSeenMs !== null && a.lagSeenMs !== undefined ? `lag ${String(a.lagSeenMs)} ms` : '',
    (a.overrides as unknown[])?.length ? 'OVERRIDES' : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `  ${String(a.at)}  ${String(a.from)} -> ${String(a.to)} v${String(a.version)} in ${String(a.writtenIn)} by ${String(a.requestedBy)}: ${String(a.reason)}${extra ? ` (${extra})` : ''}`;
}

/** `report`: a run's report, step by step. */
export function reportLines(name: string, report: RunReport): string[] {
  const lines = [
    `${String(report.runbook)} ${name} in ${String(report.region)}: ${String(report.status)}${report.verdict ? ` (${String(report.verdict)})` : ''}`,
    `  requested by ${String(report.requestedBy)}${report.automatic ? ' (automatic)' : ''}: ${String(report.reason)}`,
    `  started ${String(report.startedAt)}, finished ${String(report.finishedAt ?? '(still running)')}`,
  ];
  for (const step of (report.steps as unknown as Array<Record<string, unknown>>) ?? []) {
    lines.push(
      `  ${String(step.at)}  ${String(step.step).padEnd(18)} ${String(step.outcome).padEnd(14)} ${String(step.durationMs).padStart(6)} ms  ${String(step.detail)}`,
    );
  }
  for (const override of (report.overrides as unknown as Array<Record<string, unknown>>) ?? [])
    lines.push(`  OVERRIDDEN safety rule ${String(override.rule)}: ${String(override.message)}`);
  const recovery = report.recovery as unknown as Record<string, unknown> | null;
  if (recovery) {
    lines.push(`  writes stopped ${String(recovery.writesStoppedAt)}, promoted ${String(recovery.promotedAt)}`);
    lines.push(
      `  write unavailability ${String(recovery.writeUnavailableMs)} ms, recovery time ${String(recovery.recoveryTimeMs)} ms, run ${String(recovery.runDurationMs)} ms`,
    );
  }
  const error = report.error as { name: string; message: string } | null;
  if (error) lines.push(`  error ${error.name}: ${error.message}`);
  return lines;
}

/** `report`'s exit code: the run succeeded, or a practice run found nothing in the way. */
export function reportExitCode(report: Pick<RunReport, 'status' | 'verdict'>): number {
  return report.status === 'succeeded' || (report.status === 'practice' && report.verdict === 'would-succeed') ? EXIT.ok : EXIT.failed;
}
