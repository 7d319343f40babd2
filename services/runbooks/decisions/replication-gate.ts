// The replication gate. After the fence, a marker item is written into every replicated table
// of the region being left (global tables do not order writes across tables, so one marker per
// table), then the target region's replica is polled. The gate passes when every marker is
// visible there, the target shows the fence's version, and the measured lag (first check that
// saw the marker − marker write time) is under the threshold. The measure is an upper bound, as
// fine as the checks: after a fence the markers are written before the drain and first looked for
// after it, so a marker that arrived during the drain measures the drain's rest (at most 2.5 s,
// under the default 5 s threshold; a lower threshold gets a second round, measured after the
// drain). A lag over the threshold means the backlog was large when measured: a new round of
// markers measures again. Past the deadline the gate times out, and a real run fails with the
// state left fenced.
import type { GatePlan, GateProgress } from '../model';

export function startGateRound(args: {
  previous: Partial<GateProgress> | undefined;
  plan: GatePlan;
  phase: GateProgress['phase'];
  executionName: string;
  now: number;
  maxLagSeconds: number;
  requiredVersion: number | null;
}): GateProgress {
  const { previous, plan, now } = args;
  // A new round (remeasure) keeps the gate's start and deadline: the timeout bounds the whole gate.
  const sameGate = previous?.phase === args.phase && typeof previous.deadline === 'number' && typeof previous.startedAt === 'number';
  const round = sameGate ? (previous.round ?? 0) + 1 : 1;
  const startedAt = sameGate ? (previous.startedAt as number) : now;
  return {
    phase: args.phase,
    status: 'pending',
    sourceRegion: plan.sourceRegion,
    targetRegion: plan.targetRegion,
    round,
    markerId: `${args.executionName}#${args.phase}#${round}`,
    writtenAt: now,
    startedAt,
    deadline: sameGate ? (previous.deadline as number) : now + plan.timeoutSeconds * 1000,
    seenAt: {},
    checks: sameGate ? (previous.checks ?? 0) : 0,
    pollSeconds: plan.pollSeconds,
    maxLagSeconds: args.maxLagSeconds,
    lagMs: sameGate ? (previous.lagMs ?? null) : null,
    requiredVersion: args.requiredVersion,
    reason: `round ${round}: markers written in ${plan.sourceRegion}`,
  };
}

export interface GateObservation {
  now: number;
  /** Per table: is this round's marker visible in the target replica? */
  visible: Record<string, boolean>;
  /** The state version the target replica shows. */
  targetVersion: number;
  maxLagSeconds: number;
}

export function evaluateReplicationGate(progress: GateProgress, seen: GateObservation): GateProgress {
  const seenAt = { ...progress.seenAt };
  for (const [table, isVisible] of Object.entries(seen.visible)) {
    if (isVisible && seenAt[table] === undefined) seenAt[table] = seen.now;
  }
  const tables = Object.keys(seen.visible);
  const missing = tables.filter((t) => seenAt[t] === undefined);
  const next: GateProgress = { ...progress, seenAt, checks: progress.checks + 1, maxLagSeconds: seen.maxLagSeconds };
  const expired = seen.now >= progress.deadline;
  const timeout = (reason: string): GateProgress => ({ ...next, status: 'timed-out', reason });

  if (missing.length > 0) {
    const reason = `marker not yet visible in ${progress.targetRegion} for ${missing.join(', ')}`;
    return expired
      ? timeout(`${reason} after ${Math.round((seen.now - progress.startedAt) / 1000)} s`)
      : { ...next, status: 'waiting', reason };
  }
  const lagMs = Math.max(...tables.map((t) => (seenAt[t] as number) - progress.writtenAt));
  const measured = { ...next, lagMs };
  if (progress.requiredVersion !== null && seen.targetVersion < progress.requiredVersion) {
    const reason = `${progress.targetRegion} still shows state version ${seen.targetVersion}, the fence is version ${progress.requiredVersion}`;
    return expired ? { ...measured, status: 'timed-out', reason } : { ...measured, status: 'waiting', reason };
  }
  const maxLagMs = seen.maxLagSeconds * 1000;
  if (lagMs >= maxLagMs) {
    const reason = `measured lag ${lagMs} ms is not under ${maxLagMs} ms`;
    return expired ? { ...measured, status: 'timed-out', reason } : { ...measured, status: 'remeasure', reason };
  }
  return { ...measured, status: 'passed', reason: `all markers visible in ${progress.targetRegion}, lag ${lagMs} ms < ${maxLagMs} ms` };
}
