import { IllegalTransition } from '../../../shared/app-state/errors';
import {
  APP_STATE_NAMES,
  type AppState,
  type AppStateName,
  canWrite,
  initialAppState,
  isLegalTransition,
  nextAppState,
  writableRegion,
  writeRefusal,
} from '../../../shared/app-state/model';

const PRIMARY = 'us-east-1';
const SECONDARY = 'us-west-2';
const app = { appId: 'switchyard', primaryRegion: PRIMARY, secondaryRegion: SECONDARY };
const now = new Date('2026-01-02T03:04:05.000Z');

function stateOf(state: AppStateName, activeRegion: string, version = 7): AppState {
  return {
    ...initialAppState(app),
    state,
    activeRegion,
    version,
    updatedAt: '2026-01-01T00:00:00.000Z',
    updatedBy: 'test',
    reason: 'test',
  };
}

// Every (from, to, ungraceful) combination with its expected outcome: the region that becomes
// active when legal, or 'illegal'. `from` starts with `current` as its active region.
type Expected = string | 'illegal';
const TRANSITIONS: Array<[from: AppStateName, current: string, to: AppStateName, ungraceful: boolean, expected: Expected]> = [
  ['active', PRIMARY, 'active', false, 'illegal'],
  ['active', PRIMARY, 'active', true, 'illegal'],
  ['active', PRIMARY, 'fenced', false, PRIMARY],
  ['active', PRIMARY, 'fenced', true, PRIMARY],
  ['active', PRIMARY, 'failover', false, 'illegal'],
  ['active', PRIMARY, 'failover', true, SECONDARY],
  ['fenced', PRIMARY, 'active', false, PRIMARY],
  ['fenced', PRIMARY, 'active', true, PRIMARY],
  ['fenced', PRIMARY, 'fenced', false, 'illegal'],
  ['fenced', PRIMARY, 'fenced', true, 'illegal'],
  ['fenced', PRIMARY, 'failover', false, SECONDARY],
  ['fenced', PRIMARY, 'failover', true, SECONDARY],
  // fenced after a failover: the secondary was active
  ['fenced', SECONDARY, 'active', false, PRIMARY],
  ['fenced', SECONDARY, 'failover', false, SECONDARY],
  ['failover', SECONDARY, 'active', false, 'illegal'],
  ['failover', SECONDARY, 'active', true, 'illegal'],
  ['failover', SECONDARY, 'fenced', false, SECONDARY],
  ['failover', SECONDARY, 'fenced', true, SECONDARY],
  ['failover', SECONDARY, 'failover', false, 'illegal'],
  ['failover', SECONDARY, 'failover', true, 'illegal'],
];

describe('application state transitions', () => {
  it('the table covers every pair of states, with and without the ungraceful flag', () => {
    // Assess: a new state or edge cannot slip in untested
    for (const from of APP_STATE_NAMES) {
      for (const to of APP_STATE_NAMES) {
        for (const ungraceful of [false, true]) {
          expect(TRANSITIONS.some(([f, , t, u]) => f === from && t === to && u === ungraceful)).toBe(true);
        }
      }
    }
  });

  it.each(TRANSITIONS)('%s (active %s) -> %s, ungraceful=%s: %s', (from, current, to, ungraceful, expected) => {
    // Prepare
    const state = stateOf(from, current);
    const request = { to, ungraceful, updatedBy: 'operator', reason: 'drill', now };

    // Act / Assess
    expect(isLegalTransition(from, to, { ungraceful })).toBe(expected !== 'illegal');
    if (expected === 'illegal') {
      expect(() => nextAppState(state, request)).toThrow(IllegalTransition);
      return;
    }
    expect(nextAppState(state, request)).toEqual({
      ...state,
      state: to,
      activeRegion: expected,
      version: 8,
      updatedAt: now.toISOString(),
      updatedBy: 'operator',
      reason: 'drill',
    });
  });

  it('names both ends and a stable code in IllegalTransition', () => {
    // Act
    let thrown: unknown;
    try {
      nextAppState(stateOf('active', PRIMARY), { to: 'failover', updatedBy: 'x', reason: 'y', now });
    } catch (error) {
      thrown = error;
    }

    // Assess
    expect(thrown).toBeInstanceOf(IllegalTransition);
    expect(thrown).toMatchObject({ from: 'active', to: 'failover', code: 'ILLEGAL_TRANSITION', name: 'IllegalTransition' });
    expect((thrown as Error).message).toMatch(/ungraceful/);
  });

  it('starts active in the primary at the virtual version 0', () => {
    // Act
    const initial = initialAppState(app);

    // Assess
    expect(initial).toMatchObject({ appId: 'switchyard', state: 'active', activeRegion: PRIMARY, version: 0 });
    expect(canWrite(initial, PRIMARY)).toBe(true);
  });
});

describe('who may write', () => {
  // state × active region × asking region → refusal (undefined: may write)
  const CASES: Array<[AppStateName, string, string, ReturnType<typeof writeRefusal>]> = [
    ['active', PRIMARY, PRIMARY, undefined],
    ['active', PRIMARY, SECONDARY, { code: 'WRONG_REGION', writableRegion: PRIMARY }],
    ['fenced', PRIMARY, PRIMARY, { code: 'WRITES_FENCED' }],
    ['fenced', PRIMARY, SECONDARY, { code: 'WRITES_FENCED' }],
    ['fenced', SECONDARY, PRIMARY, { code: 'WRITES_FENCED' }],
    ['fenced', SECONDARY, SECONDARY, { code: 'WRITES_FENCED' }],
    ['failover', SECONDARY, SECONDARY, undefined],
    ['failover', SECONDARY, PRIMARY, { code: 'WRONG_REGION', writableRegion: SECONDARY }],
  ];

  it.each(CASES)('%s with %s active, asked in %s', (name, active, region, refusal) => {
    // Prepare
    const state = stateOf(name, active);

    // Act / Assess
    expect(writeRefusal(state, region, new Date())).toEqual(refusal);
    expect(canWrite(state, region)).toBe(refusal === undefined);
    expect(writableRegion(state)).toBe(name === 'fenced' ? null : active);
  });
});
