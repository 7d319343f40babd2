// GET /health: cheap liveness for load balancers and the peer's probe. With no checks it calls
// no dependency at all, so it says "the function runs in this region", nothing more.
//
// Extension point: the health-probe issue adds deep checks (e.g. reading this region's
// app-state replica) by passing `checks`; each must be fast and bounded by its own timeout.

export interface HealthCheck {
  /** Shown to clients: a short stable name such as "app-state-table". */
  name: string;
  /** Resolves when healthy; rejects otherwise (the reason is logged by the caller, never sent). */
  run(): Promise<void>;
}

export interface HealthReport {
  status: 'ok' | 'unhealthy';
  region: string;
  time: string;
  checks?: Record<string, 'ok' | 'failed'>;
}

export interface HealthDeps {
  region: string;
  clock: () => Date;
  checks?: readonly HealthCheck[];
  onCheckFailed?: (name: string, error: unknown) => void;
}

export async function checkHealth(deps: HealthDeps): Promise<HealthReport> {
  const checks = deps.checks ?? [];
  if (checks.length === 0) return { status: 'ok', region: deps.region, time: deps.clock().toISOString() };
  const outcomes = await Promise.all(
    checks.map(async (check): Promise<[string, 'ok' | 'failed']> => {
      try {
        await check.run();
        return [check.name, 'ok'];
      } catch (error) {
        deps.onCheckFailed?.(check.name, error);
        return [check.name, 'failed'];
      }
    }),
  );
  return {
    status: outcomes.every(([, outcome]) => outcome === 'ok') ? 'ok' : 'unhealthy',
    region: deps.region,
    time: deps.clock().toISOString(),
    checks: Object.fromEntries(outcomes),
  };
}
