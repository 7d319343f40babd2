import { bannerFor, pickState, type RegionConfig, readOrder, type StateView, writeTarget } from '../../../web/src/state';

const regions: RegionConfig[] = [
  { region: 'us-east-1', role: 'primary', apiUrl: 'http://east' },
  { region: 'us-west-2', role: 'secondary', apiUrl: 'http://west' },
];

const view = (over: Partial<StateView>): StateView => ({
  appId: 'switchyard',
  state: 'active',
  activeRegion: 'us-east-1',
  writableRegion: 'us-east-1',
  version: 1,
  updatedAt: '2026-01-01T00:00:00.000Z',
  reason: 'initial',
  servedBy: 'us-east-1',
  allowed: { read: true, write: true },
  ...over,
});

describe('pickState', () => {
  it('takes the highest version, so a lagging replica never hides a transition', () => {
    const old = view({ version: 3, servedBy: 'us-west-2', allowed: { read: true, write: false } });
    const fresh = view({ version: 4, state: 'fenced', writableRegion: null, allowed: { read: true, write: false } });
    expect(pickState([old, fresh])).toBe(fresh);
    expect(pickState([fresh, old])).toBe(fresh);
  });

  it('prefers the writable region’s answer at equal versions, and ignores regions that did not answer', () => {
    const east = view({ allowed: { read: true, write: true } });
    const west = view({ servedBy: 'us-west-2', allowed: { read: true, write: false } });
    expect(pickState([west, east])).toBe(east);
    expect(pickState([null, west])).toBe(west);
    expect(pickState([null, null])).toBeNull();
  });
});

describe('an isolated region', () => {
  it('loses to an answer the quorum confirmed at the same version, but not to an older one', () => {
    const isolated = view({ isolated: true, allowed: { read: true, write: false } });
    const confirmed = view({ servedBy: 'us-west-2', allowed: { read: true, write: false } });
    expect(pickState([isolated, confirmed])).toBe(confirmed);
    const promoted = view({ version: 2, state: 'failover', activeRegion: 'us-west-2', writableRegion: 'us-west-2', servedBy: 'us-west-2' });
    expect(pickState([isolated, promoted])).toBe(promoted);
  });

  it('is no write target: nothing is sent while no region can confirm the state', () => {
    const target = writeTarget(view({ isolated: true, allowed: { read: true, write: false } }), regions);
    expect(target).toMatchObject({ ok: false, why: expect.stringContaining('cannot confirm where to save') });
  });
});

describe('writeTarget', () => {
  it('sends writes to the writable region', () => {
    expect(writeTarget(view({ state: 'failover', activeRegion: 'us-west-2', writableRegion: 'us-west-2' }), regions)).toEqual({
      ok: true,
      region: regions[1],
    });
  });

  it('refuses while fenced, says the text is kept, and keeps the operator reason out of it', () => {
    const target = writeTarget(view({ state: 'fenced', writableRegion: null, reason: 'Planned move' }), regions);
    expect(target).toEqual({ ok: false, why: expect.stringContaining('Saving is paused') });
    expect(!target.ok && target.why).toMatch(/Your text is kept/);
    expect(!target.ok && target.why).not.toMatch(/Planned move/);
  });

  it('keeps the promoted region as the target while writes wait for writesResumeAt (it answers WRITES_RESUMING)', () => {
    const promoted = view({
      state: 'failover',
      activeRegion: 'us-west-2',
      writableRegion: 'us-west-2',
      writesResumeAt: '2999-01-01T00:00:00.000Z',
    });
    expect(writeTarget(promoted, regions)).toEqual({ ok: true, region: regions[1] });
  });

  it('refuses when no region answers', () => {
    expect(writeTarget(null, regions)).toEqual({ ok: false, why: expect.stringMatching(/cannot be reached/) });
  });
});

describe('readOrder', () => {
  const names = (order: RegionConfig[]) => order.map((r) => r.region);

  it('tries the writable region first, then the active one, then the others', () => {
    const all = () => true;
    expect(names(readOrder(view({ writableRegion: 'us-east-1' }), regions, all))).toEqual(['us-east-1', 'us-west-2']);
    const promoted = view({ state: 'failover', activeRegion: 'us-west-2', writableRegion: 'us-west-2' });
    expect(names(readOrder(promoted, regions, all))).toEqual(['us-west-2', 'us-east-1']);
    const fenced = view({ state: 'fenced', activeRegion: 'us-west-2', writableRegion: null });
    expect(names(readOrder(fenced, regions, all))).toEqual(['us-west-2', 'us-east-1']);
    expect(names(readOrder(null, regions, all))).toEqual(['us-east-1', 'us-west-2']);
  });

  it('puts a region believed unreachable last, but keeps it as the last resort', () => {
    const v = view({ writableRegion: 'us-east-1' });
    expect(names(readOrder(v, regions, (r) => r !== 'us-east-1'))).toEqual(['us-west-2', 'us-east-1']);
    expect(names(readOrder(v, regions, () => false))).toEqual(['us-east-1', 'us-west-2']);
  });
});

describe('bannerFor', () => {
  const now = new Date('2026-01-01T00:01:00.000Z');

  it('gives each state its own look and an end-user message without the operator reason', () => {
    const cases = [
      bannerFor(view({ reason: 'secret ops' }), null, now),
      bannerFor(view({ state: 'fenced', writableRegion: null, reason: 'secret ops' }), null, now),
      bannerFor(
        view({ state: 'failover', activeRegion: 'us-west-2', writableRegion: 'us-west-2', servedBy: 'us-west-2', reason: 'secret ops' }),
        null,
        now,
      ),
      bannerFor(view({ isolated: true, allowed: { read: true, write: false }, reason: 'secret ops' }), null, now),
      bannerFor(null, null, now),
    ];
    expect(cases.map((b) => [b.state, b.tone])).toEqual([
      ['active', 'ok'],
      ['fenced', 'paused'],
      ['failover', 'failover'],
      ['isolated', 'isolated'],
      ['unreachable', 'alert'],
    ]);
    for (const banner of cases) expect(`${banner.title} ${banner.detail} ${banner.technical}`).not.toMatch(/secret ops/);
    // Region names are small print, not the message.
    for (const banner of cases) expect(`${banner.title} ${banner.detail}`).not.toMatch(/us-(east|west)-/);
    expect(cases[2]?.technical).toMatch(/active region us-west-2/);
  });

  it('an active state with no writable region reads as isolated, not as active', () => {
    expect(bannerFor(view({ writableRegion: null }), null, now).state).toBe('isolated');
  });

  it('says when saving resumes after an ungraceful promotion', () => {
    const promoted = view({
      state: 'failover',
      activeRegion: 'us-west-2',
      writableRegion: 'us-west-2',
      writesResumeAt: '2026-01-01T00:01:04.000Z',
    });
    expect(bannerFor(promoted, null, now).detail).toMatch(/saving resumes in a few seconds/);
  });

  it('says clearly when neither region answers, and since when', () => {
    expect(bannerFor(null, new Date('2026-01-01T00:00:45.000Z'), now)).toMatchObject({
      tone: 'alert',
      title: 'The service cannot be reached',
      technical: expect.stringContaining('Last answer 15 s ago'),
    });
  });
});
