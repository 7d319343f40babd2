// What several drills do the same way: start a runbook as on-call does and watch it run, and
// read a region's own probe as GET /health?deep=1 shows it.
import type { DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { eventually } from '../eventually';
import type { Runtime } from '../runtime';
import { type Machine, startRunbook, waitForExecution, waitForLockRelease } from './runbooks';
import type { ScenarioContext } from './scenarios';

/** What a watcher saw of a run, and the run's end when it waited for it (null: it stopped watching earlier). */
export interface Watched<T> {
  value: T;
  ended: DescribeExecutionCommandOutput | null;
}

/** Watches one run by its execution ARN, while it runs. */
export type Watcher<T> = (executionArn: string) => Promise<Watched<T>>;

/** Watches a run to its end: what most drills want. */
export const toItsEnd =
  (rt: Runtime, region: string): Watcher<DescribeExecutionCommandOutput> =>
  async (executionArn) => {
    const run = await waitForExecution(rt, region, executionArn);
    return { value: run, ended: run };
  };

/** Starts a runbook as on-call does, once the previous run has released the lock, and watches it. */
export async function startAndWatch<T>(
  rt: Runtime,
  machine: Machine,
  region: string,
  input: Record<string, unknown>,
  watch: Watcher<T>,
): Promise<Watched<T> & { executionArn: string }> {
  await waitForLockRelease(rt);
  const executionArn = await startRunbook(rt, machine, region, input);
  return { executionArn, ...(await watch(executionArn)) };
}

/**
 * A planned failover to the secondary as on-call runs it: a refusal because the secondary's own
 * probe saw it unhealthy (TargetRegionUnhealthy) is started again once that probe says healthy
 * (30 s at most), twice at most. Each refusal stays on the timeline and in the figures; nothing
 * else is waited for. `watch` sees each run's execution ARN while it runs (e.g. to catch the
 * fence's drain mid-run); a refusal is only seen when the watcher waited for the run's end.
 */
export async function plannedFailoverAsOnCall<T>(
  ctx: ScenarioContext,
  reason: string,
  watch: Watcher<T>,
): Promise<Watched<T> & { executionArn: string }> {
  const input = { reason, requestedBy: 'oncall:drill', mode: 'planned' };
  let run = await startAndWatch(ctx.rt, 'failover', ctx.secondary, input, watch);
  for (let retry = 0; retry < 2 && run.ended?.error === 'TargetRegionUnhealthy'; retry += 1) {
    ctx.mark(`failover refused (${await probeSummary(ctx.rt, ctx.secondary)}): on-call waits for a healthy probe`);
    await eventually(
      'the secondary healthy by its probe',
      async () => (await probeOf(ctx.rt, ctx.secondary))?.status === 'healthy',
      30_000,
    ).catch(() => undefined);
    run = await startAndWatch(ctx.rt, 'failover', ctx.secondary, { ...input, reason: `${reason} (again, after a healthy probe)` }, watch);
  }
  return run;
}

/** What a region's probe last recorded of itself, as GET /health?deep=1 shows it (null: no answer). */
export async function probeOf(
  rt: Runtime,
  region: string,
): Promise<{ status?: string; detail?: string; healthySince?: string | null } | null> {
  const api = rt.regions.find((r) => r.region === region)?.apiUrl;
  const res = await fetch(`${api}/health?deep=1`).catch(() => null);
  const body = (await res?.json().catch(() => null)) as {
    probe?: { self?: { status?: string; detail?: string; healthySince?: string | null } };
  } | null;
  return body?.probe?.self ?? null;
}

/** A region's probe in a line, for the drill's timeline. */
export async function probeSummary(rt: Runtime, region: string): Promise<string> {
  const self = await probeOf(rt, region);
  return self ? `${region} probe: ${self.status}${self.status === 'healthy' ? '' : `, ${self.detail}`}` : `${region} probe: no answer`;
}
