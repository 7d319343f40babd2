import { actorOf, decideFence, decidePromotion } from '../../../services/runbooks/decisions/transitions';
import { PRIMARY, SECONDARY, state } from './fixtures';

const RUN = 'run-42';

describe('decideFence', () => {
  it.each([
    ['active', PRIMARY],
    ['failover', SECONDARY],
  ] as const)('fences from %s at the current version', (from, activeRegion) => {
    // Prepare
    const current = state({ state: from, activeRegion, version: 3 });
    // Act
    const decision = decideFence({ action: 'fence', state: current, expectedVersion: null, executionName: RUN });
    // Assess
    expect(decision).toEqual({ kind: 'transition', from, to: 'fenced', expectedVersion: 3, ungraceful: false });
  });

  it('refuses to fence twice, unless the fence is this run own (a retried step)', () => {
    const fenced = state({ state: 'fenced', version: 5 });
    expect(decideFence({ action: 'fence', state: fenced, expectedVersion: null, executionName: RUN })).toMatchObject({
      kind: 'refuse',
      refusal: { error: 'IllegalRunbookState' },
    });
    const ours = state({ state: 'fenced', version: 5, updatedBy: actorOf('oncall:bob', RUN) });
    expect(decideFence({ action: 'fence', state: ours, expectedVersion: 4, executionName: RUN })).toEqual({
      kind: 'already-done',
      version: 5,
    });
  });

  it('lifts a fence back to the state it fenced', () => {
    const primaryFence = state({ state: 'fenced', activeRegion: PRIMARY });
    const secondaryFence = state({ state: 'fenced', activeRegion: SECONDARY });
    expect(decideFence({ action: 'lift', state: primaryFence, expectedVersion: null, executionName: RUN })).toMatchObject({ to: 'active' });
    expect(decideFence({ action: 'lift', state: secondaryFence, expectedVersion: null, executionName: RUN })).toMatchObject({
      to: 'failover',
    });
    expect(decideFence({ action: 'lift', state: state(), expectedVersion: null, executionName: RUN })).toMatchObject({ kind: 'refuse' });
  });

  it('refuses when the state moved past the expected version', () => {
    const decision = decideFence({ action: 'fence', state: state({ version: 8 }), expectedVersion: 7, executionName: RUN });
    expect(decision).toMatchObject({ kind: 'refuse', refusal: { error: 'StaleStateVersion' } });
  });
});

describe('decidePromotion', () => {
  const fencedByRun = state({ state: 'fenced', version: 5 });

  it('promotes to failover from the fence this run set', () => {
    expect(
      decidePromotion({ state: fencedByRun, to: 'failover', ungracefulAllowed: false, requiredVersion: 5, executionName: RUN }),
    ).toEqual({
      kind: 'transition',
      from: 'fenced',
      to: 'failover',
      expectedVersion: 5,
      ungraceful: false,
    });
  });

  it('does not promote over a state that moved after the fence', () => {
    const moved = state({ state: 'fenced', version: 7 });
    expect(
      decidePromotion({ state: moved, to: 'failover', ungracefulAllowed: false, requiredVersion: 5, executionName: RUN }),
    ).toMatchObject({
      kind: 'refuse',
      refusal: { error: 'StaleStateVersion' },
    });
  });

  it('promotes straight from active only when ungraceful', () => {
    const active = state({ version: 2 });
    expect(decidePromotion({ state: active, to: 'failover', ungracefulAllowed: true, requiredVersion: null, executionName: RUN })).toEqual({
      kind: 'transition',
      from: 'active',
      to: 'failover',
      expectedVersion: 2,
      ungraceful: true,
    });
    expect(
      decidePromotion({ state: active, to: 'failover', ungracefulAllowed: false, requiredVersion: null, executionName: RUN }),
    ).toMatchObject({
      kind: 'refuse',
      refusal: { error: 'IllegalRunbookState' },
    });
  });

  it('fails back only from a fence with the secondary named active', () => {
    const secondaryFence = state({ state: 'fenced', activeRegion: SECONDARY, version: 9 });
    expect(
      decidePromotion({ state: secondaryFence, to: 'active', ungracefulAllowed: false, requiredVersion: 9, executionName: RUN }),
    ).toMatchObject({
      kind: 'transition',
      from: 'fenced',
      to: 'active',
    });
    expect(
      decidePromotion({ state: fencedByRun, to: 'active', ungracefulAllowed: false, requiredVersion: null, executionName: RUN }),
    ).toMatchObject({
      kind: 'refuse',
    });
  });

  it('recognises its own completed promotion', () => {
    const done = state({ state: 'failover', activeRegion: SECONDARY, version: 6, updatedBy: actorOf('alarm:primary-down', RUN) });
    expect(decidePromotion({ state: done, to: 'failover', ungracefulAllowed: false, requiredVersion: 5, executionName: RUN })).toEqual({
      kind: 'already-done',
      version: 6,
    });
    const someoneElse = state({ state: 'failover', activeRegion: SECONDARY, version: 6 });
    expect(
      decidePromotion({ state: someoneElse, to: 'failover', ungracefulAllowed: false, requiredVersion: 5, executionName: RUN }).kind,
    ).toBe('refuse');
  });
});
