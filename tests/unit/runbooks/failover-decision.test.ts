import { decideFailover, type FailoverPreconditions } from '../../../services/runbooks/decisions/failover';
import { healthy, NOW, PRIMARY, SECONDARY, secondsBefore, state, unhealthy, unknownHealth } from './fixtures';

function preconditions(overrides: Partial<FailoverPreconditions> = {}): FailoverPreconditions {
  return {
    region: SECONDARY,
    primaryRegion: PRIMARY,
    secondaryRegion: SECONDARY,
    mode: 'planned',
    automatic: false,
    force: false,
    expectedVersion: null,
    state: state(),
    killSwitch: null,
    lastAutomaticFailoverAt: null,
    targetHealth: healthy,
    primaryHeartbeat: { at: secondsBefore(60), stale: true },
    now: NOW,
    thresholds: { minSecondsBetweenAutoFailovers: 900, drainSeconds: 2, gateTimeoutSeconds: 60, gatePollSeconds: 1 },
    ...overrides,
  };
}

const errorsOf = (p: FailoverPreconditions) => decideFailover(p).refusals.map((r) => r.error);

describe('decideFailover', () => {
  it('plans a planned failover from active: fence the primary, gate primary -> secondary, promote the secondary', () => {
    // Prepare
    const p = preconditions();
    // Act
    const plan = decideFailover(p);
    // Assess
    expect(plan.verdict).toBe('proceed');
    expect(plan.steps).toEqual({ fence: true, bestEffortFence: false, gate: true, reconcile: false, promote: true });
    expect(plan.fence).toEqual({ region: PRIMARY, bestEffort: false, expectedVersion: 4 });
    expect(plan.gate).toEqual({ sourceRegion: PRIMARY, targetRegion: SECONDARY, timeoutSeconds: 60, pollSeconds: 1 });
    expect(plan.promote).toEqual({ to: 'failover', region: SECONDARY, ungraceful: false });
  });

  it('plans an ungraceful failover: best-effort fence, no gate, promotion allowed from active', () => {
    const plan = decideFailover(preconditions({ mode: 'ungraceful' }));
    expect(plan.steps).toEqual({ fence: false, bestEffortFence: true, gate: false, reconcile: false, promote: true });
    expect(plan.fence?.bestEffort).toBe(true);
    expect(plan.promote?.ungraceful).toBe(true);
  });

  it('resumes a failover that stopped at its fence: no second fence, gate then promote', () => {
    const plan = decideFailover(preconditions({ state: state({ state: 'fenced', version: 5 }) }));
    expect(plan.verdict).toBe('proceed');
    expect(plan.steps).toMatchObject({ fence: false, bestEffortFence: false, gate: true, promote: true });
    expect(plan.warnings.join(' ')).toMatch(/resuming/);
  });

  it.each([
    ['already failed over', state({ state: 'failover', activeRegion: SECONDARY })],
    ['fenced with the secondary active', state({ state: 'fenced', activeRegion: SECONDARY })],
  ])('refuses when %s, with no steps', (_case, current) => {
    const plan = decideFailover(preconditions({ state: current }));
    expect(plan.verdict).toBe('refuse');
    expect(plan.refusals.map((r) => r.error)).toContain('IllegalRunbookState');
    expect(Object.values(plan.steps).some(Boolean)).toBe(false);
  });

  it('runs only in the secondary region', () => {
    expect(errorsOf(preconditions({ region: PRIMARY }))).toEqual(['WrongRegion']);
  });

  it('refuses a stale expected version', () => {
    expect(errorsOf(preconditions({ expectedVersion: 3 }))).toEqual(['StaleStateVersion']);
    expect(errorsOf(preconditions({ expectedVersion: 4 }))).toEqual([]);
  });

  describe('automatic runs (requestedBy alarm:…)', () => {
    const auto = (overrides: Partial<FailoverPreconditions>) => preconditions({ automatic: true, killSwitch: 'enabled', ...overrides });

    it('proceed with the kill switch enabled, no recent automatic run and a healthy target', () => {
      expect(decideFailover(auto({})).verdict).toBe('proceed');
    });

    it.each([[null], ['disabled'], ['ENABLED?']])('are refused when the kill switch is %p', (killSwitch) => {
      expect(errorsOf(auto({ killSwitch }))).toEqual(['AutoFailoverDisabled']);
    });

    it('respect the minimum delay since the previous automatic failover', () => {
      expect(errorsOf(auto({ lastAutomaticFailoverAt: secondsBefore(899) }))).toEqual(['AutoFailoverTooSoon']);
      expect(errorsOf(auto({ lastAutomaticFailoverAt: secondsBefore(900) }))).toEqual([]);
    });

    it('need a healthy target: unknown health refuses them', () => {
      expect(errorsOf(auto({ targetHealth: unknownHealth }))).toEqual(['TargetRegionUnhealthy']);
    });

    it('cannot use force, and force overrides nothing for them', () => {
      const plan = decideFailover(auto({ force: true, targetHealth: unhealthy }));
      expect(plan.refusals.map((r) => r.error).sort()).toEqual(['ForceNotAllowed', 'TargetRegionUnhealthy']);
      expect(plan.overrides).toEqual([]);
    });
  });

  describe('manual runs', () => {
    it('ignore the kill switch and the automatic-run history', () => {
      expect(decideFailover(preconditions({ killSwitch: 'disabled', lastAutomaticFailoverAt: secondsBefore(1) })).verdict).toBe('proceed');
    });

    it('proceed with a warning when the target health is unknown', () => {
      const plan = decideFailover(preconditions({ targetHealth: unknownHealth }));
      expect(plan.verdict).toBe('proceed');
      expect(plan.warnings.join(' ')).toMatch(/unknown/);
    });

    it('are refused by an unhealthy target unless forced, and the override is recorded', () => {
      expect(errorsOf(preconditions({ targetHealth: unhealthy }))).toEqual(['TargetRegionUnhealthy']);
      const forced = decideFailover(preconditions({ targetHealth: unhealthy, force: true }));
      expect(forced.verdict).toBe('proceed');
      expect(forced.overrides.map((o) => o.rule)).toEqual(['target-healthy']);
    });

    it('cannot force past rules that are not overridable', () => {
      const plan = decideFailover(preconditions({ force: true, expectedVersion: 1, region: PRIMARY }));
      expect(plan.verdict).toBe('refuse');
      expect(plan.refusals.map((r) => r.error).sort()).toEqual(['StaleStateVersion', 'WrongRegion']);
    });
  });

  describe('automatic runs and the quorum', () => {
    const automatic = { automatic: true, killSwitch: 'enabled', mode: 'ungraceful' as const };

    it.each([
      ['an operator', { requestedBy: 'oncall:alice', executionId: 'arn:exec:1', automatic: false }, 'oncall:alice'],
      ['an earlier automatic run', { requestedBy: 'alarm:x', executionId: 'arn:exec:2', automatic: true }, 'alarm:x (automatic)'],
    ])('never resume a fence set by %s (FenceNotOwned), and name its owner', (_who, fence, named) => {
      // Prepare
      const p = preconditions({ ...automatic, state: state({ state: 'fenced', version: 5, fence }) });
      // Act
      const plan = decideFailover(p);
      // Assess
      expect(plan.verdict).toBe('refuse');
      const refusal = plan.refusals.find((r) => r.error === 'FenceNotOwned');
      expect(refusal?.message).toContain(named);
      expect(refusal?.overridable).toBe(false);
    });

    it('a human may still resume a fence (planned or ungraceful)', () => {
      const fence = { requestedBy: 'oncall:alice', executionId: 'arn:exec:1', automatic: false };
      expect(errorsOf(preconditions({ mode: 'ungraceful', state: state({ state: 'fenced', fence }) }))).not.toContain('FenceNotOwned');
    });

    it('refuse while the primary still renews its heartbeat (a cut link, not a dead primary)', () => {
      const fresh = { at: secondsBefore(1), stale: false };
      expect(errorsOf(preconditions({ ...automatic, primaryHeartbeat: fresh }))).toEqual(['PrimaryStillAlive']);
    });

    it('refuse when the quorum cannot be read from here', () => {
      expect(errorsOf(preconditions({ ...automatic, primaryHeartbeat: 'unreadable' }))).toEqual(['QuorumUnreachable']);
    });

    it('proceed when the primary is unreachable and its heartbeat is stale', () => {
      expect(decideFailover(preconditions({ ...automatic, primaryHeartbeat: { at: secondsBefore(60), stale: true } })).verdict).toBe(
        'proceed',
      );
    });

    it('a human failing over by hand does not depend on the heartbeat', () => {
      expect(errorsOf(preconditions({ mode: 'ungraceful', primaryHeartbeat: { at: secondsBefore(1), stale: false } }))).toEqual([]);
    });
  });
});
