import {
  classifyStrandedWrites,
  isAfterWatermark,
  itemTime,
  newestItemTime,
  reconciliationBlocks,
  sameItem,
} from '../../../services/runbooks/decisions/reconciliation';

const T = (minutes: number) => new Date(Date.UTC(2030, 0, 1, 12, minutes)).toISOString();
const ms = (iso: string) => Date.parse(iso);
const FAILOVER_AT = ms(T(30));

const photo = (id: string, extra: Record<string, unknown> = {}) => ({
  pk: `PHOTO#${id}`,
  sk: 'PHOTO',
  title: id,
  createdAt: T(0),
  ...extra,
});

describe('itemTime', () => {
  it('is the newest of updatedAt, listedAt and createdAt', () => {
    expect(itemTime(photo('a', { listedAt: T(5) }))).toBe(ms(T(5)));
    expect(itemTime(photo('a', { listedAt: T(5), updatedAt: T(3) }))).toBe(ms(T(5)));
    expect(itemTime({ pk: 'x', sk: 'y' })).toBeNull();
  });
});

describe('isAfterWatermark', () => {
  it('selects items newer than the watermark, never runbook markers or untimed items', () => {
    expect(isAfterWatermark(photo('a', { updatedAt: T(11) }), ms(T(10)))).toBe(true);
    expect(isAfterWatermark(photo('a', { updatedAt: T(10) }), ms(T(10)))).toBe(false);
    expect(isAfterWatermark({ pk: 'MARKER#switchyard', sk: 'run#final#1', createdAt: T(59) }, ms(T(10)))).toBe(false);
    expect(isAfterWatermark({ pk: 'PHOTO#x', sk: 'PHOTO' }, null)).toBe(false);
    expect(isAfterWatermark(photo('a'), null)).toBe(true);
  });
});

describe('sameItem', () => {
  it('compares structure, not key order, set order or binary identity', () => {
    expect(sameItem({ a: 1, b: new Set(['x', 'y']) }, { b: new Set(['y', 'x']), a: 1 })).toBe(true);
    expect(sameItem({ a: new Uint8Array([1, 2]) }, { a: new Uint8Array([1, 2]) })).toBe(true);
    expect(sameItem({ a: 1 }, { a: 2 })).toBe(false);
    expect(sameItem({ a: 1 }, { a: 1, b: 2 })).toBe(false);
  });
});

describe('classifyStrandedWrites', () => {
  it('replays a write the secondary never saw', () => {
    // Prepare
    const stranded = photo('e', { createdAt: T(20) });
    // Act
    const result = classifyStrandedWrites([{ table: 'photos', primaryItem: stranded, secondaryItem: undefined }], FAILOVER_AT);
    // Assess
    expect(result.replay).toEqual([{ table: 'photos', pk: 'PHOTO#e', sk: 'PHOTO', item: stranded, secondaryItem: undefined }]);
    expect(result.conflicts).toEqual([]);
  });

  it('replays over a secondary copy that has not changed since the failover', () => {
    const secondary = photo('b');
    const result = classifyStrandedWrites(
      [{ table: 'photos', primaryItem: photo('b', { updatedAt: T(20), title: 'new' }), secondaryItem: secondary }],
      FAILOVER_AT,
    );
    expect(result.replay.map((r) => r.pk)).toEqual(['PHOTO#b']);
    expect(result.replay[0]?.secondaryItem).toBe(secondary);
  });

  it('reports a conflict, never a replay, when the secondary changed the item since the failover', () => {
    const result = classifyStrandedWrites(
      [
        {
          table: 'comments',
          primaryItem: photo('c', { updatedAt: T(20) }),
          secondaryItem: photo('c', { updatedAt: T(40), title: 'theirs' }),
        },
      ],
      FAILOVER_AT,
    );
    expect(result.replay).toEqual([]);
    expect(result.conflicts).toEqual([{ table: 'comments', pk: 'PHOTO#c', sk: 'PHOTO', primaryTime: T(20), secondaryTime: T(40) }]);
  });

  it('counts identical copies as converged', () => {
    const item = photo('d', { updatedAt: T(20) });
    expect(classifyStrandedWrites([{ table: 'photos', primaryItem: item, secondaryItem: { ...item } }], FAILOVER_AT)).toEqual({
      replay: [],
      conflicts: [],
      converged: 1,
    });
  });

  it('without a failover time treats every differing secondary copy as a conflict', () => {
    const result = classifyStrandedWrites(
      [{ table: 'photos', primaryItem: photo('b', { updatedAt: T(20) }), secondaryItem: photo('b') }],
      Number.NEGATIVE_INFINITY,
    );
    expect(result.conflicts).toHaveLength(1);
  });
});

describe('reconciliationBlocks', () => {
  it('blocks on conflicts unless forced', () => {
    expect(reconciliationBlocks(1, false)).toBe(true);
    expect(reconciliationBlocks(1, true)).toBe(false);
    expect(reconciliationBlocks(0, false)).toBe(false);
  });
});

describe('newestItemTime', () => {
  it('folds pages into the newest timestamp, skipping markers', () => {
    const first = newestItemTime(null, [photo('a'), photo('b', { listedAt: T(7) })]);
    const second = newestItemTime(first, [{ pk: 'MARKER#switchyard', sk: 'm', createdAt: T(50) }, photo('c', { createdAt: T(3) })]);
    expect(second).toBe(ms(T(7)));
    expect(newestItemTime(null, [])).toBeNull();
  });
});
