import { decideFailback, type FailbackPreconditions } from '../../../services/runbooks/decisions/failback';
import { healthy, NOW, PRIMARY, SECONDARY, secondsBefore, state, unhealthy, unknownHealth } from './fixtures';

function preconditions(overrides: Partial<FailbackPreconditions> = {}): FailbackPreconditions {
  return {
    region: PRIMARY,
    primaryRegion: PRIMARY,
    secondaryRegion: SECONDARY,
    automatic: false,
    force: false,
    expectedVersion: null,
    primaryHealthConfirmed: false,
    state: state({ state: 'failover', activeRegion: SECONDARY, version: 6 }),
    primaryHealth: { ...healthy, healthySince: secondsBefore(301) },
    now: NOW,
    thresholds: { primaryHealthySecondsBeforeFailback: 300, drainSeconds: 2, gateTimeoutSeconds: 60, gatePollSeconds: 1 },
    ...overrides,
  };
}

const errorsOf = (p: FailbackPreconditions) => decideFailback(p).refusals.map((r) => r.error);

describe('decideFailback', () => {
  it('plans catch-up gate, reconciliation, fence of the secondary, final gate towards the primary, promotion to active', () => {
    // Prepare
    const p = preconditions();
    // Act
    const plan = decideFailback(p);
    // Assess
    expect(plan.verdict).toBe('proceed');
    expect(plan.steps).toEqual({ fence: true, bestEffortFence: false, gate: true, reconcile: true, promote: true });
    expect(plan.fence).toEqual({ region: SECONDARY, bestEffort: false, expectedVersion: 6 });
    expect(plan.gate).toMatchObject({ sourceRegion: SECONDARY, targetRegion: PRIMARY });
    expect(plan.promote).toEqual({ to: 'active', region: PRIMARY, ungraceful: false });
  });

  it('is never automatic, whatever else holds', () => {
    expect(errorsOf(preconditions({ automatic: true }))).toEqual(['FailbackNeverAutomatic']);
    const forced = decideFailback(preconditions({ automatic: true, force: true }));
    expect(forced.verdict).toBe('refuse');
  });

  it('runs only in the primary region', () => {
    expect(errorsOf(preconditions({ region: SECONDARY }))).toEqual(['WrongRegion']);
  });

  it('resumes after its own fence: no second fence', () => {
    const plan = decideFailback(preconditions({ state: state({ state: 'fenced', activeRegion: SECONDARY, version: 7 }) }));
    expect(plan.verdict).toBe('proceed');
    expect(plan.steps.fence).toBe(false);
    expect(plan.steps.gate && plan.steps.reconcile && plan.steps.promote).toBe(true);
  });

  it.each([
    ['the primary is active', state()],
    ['a failover stopped at its fence', state({ state: 'fenced', activeRegion: PRIMARY })],
  ])('refuses when %s', (_case, current) => {
    const plan = decideFailback(preconditions({ state: current }));
    expect(plan.refusals.map((r) => r.error)).toEqual(['IllegalRunbookState']);
    expect(Object.values(plan.steps).some(Boolean)).toBe(false);
  });

  describe('primary healthy for the configured period', () => {
    it('refuses a primary healthy for less than the period, unless forced', () => {
      const recent = preconditions({ primaryHealth: { ...healthy, healthySince: secondsBefore(299) } });
      expect(errorsOf(recent)).toEqual(['PrimaryNotReady']);
      expect(decideFailback({ ...recent, force: true }).overrides.map((o) => o.rule)).toEqual(['primary-healthy-for-period']);
    });

    it('refuses an unhealthy primary unless forced', () => {
      expect(errorsOf(preconditions({ primaryHealth: unhealthy }))).toEqual(['PrimaryNotReady']);
      expect(decideFailback(preconditions({ primaryHealth: unhealthy, force: true })).verdict).toBe('proceed');
    });

    it('without a probe record needs the operator to vouch for the primary (force is not enough)', () => {
      expect(errorsOf(preconditions({ primaryHealth: unknownHealth, force: true }))).toEqual(['PrimaryNotReady']);
      const vouched = decideFailback(preconditions({ primaryHealth: unknownHealth, primaryHealthConfirmed: true }));
      expect(vouched.verdict).toBe('proceed');
      expect(vouched.warnings.join(' ')).toMatch(/confirmed/);
    });
  });

  it('refuses a stale expected version', () => {
    expect(errorsOf(preconditions({ expectedVersion: 5 }))).toEqual(['StaleStateVersion']);
  });
});
