import { budgetSummary, bytesByPackage, type FunctionFigures, functionRows, packageOf, verdict } from '../../../scripts/bench-functions';

const fn = (key: string, codeKiB: number, coldInitMs: number | null): FunctionFigures => ({
  key,
  zipBytes: 300 * 1024,
  codeBytes: codeKiB * 1024,
  mapBytes: 500 * 1024,
  coldInitMs,
  coldInitCpuMs: coldInitMs === null ? null : coldInitMs - 5,
});

describe('the lean-functions budget', () => {
  it('holds a function to 1 MiB of loaded code and 100 ms of cold init, both', () => {
    expect(verdict(fn('a', 1024, 100))).toEqual({ codeOk: true, initOk: true, ok: true });
    expect(verdict(fn('b', 1025, 90))).toEqual({ codeOk: false, initOk: true, ok: false });
    expect(verdict(fn('c', 500, 101))).toEqual({ codeOk: true, initOk: false, ok: false });
    // A bundle that fails to load is not within any budget.
    expect(verdict(fn('d', 500, null)).ok).toBe(false);
    expect(budgetSummary([fn('a', 500, 80), fn('b', 2000, 80)])).toMatch(/^1 of 2 functions within budget/);
  });

  it('prints each figure beside its baseline, and says what is over', () => {
    const baseline = { measuredAt: '2026-12-01T00:00:00Z', note: 'before', functions: [fn('a', 1100, 300)] };
    const [row] = functionRows([fn('a', 521, 120)], baseline);
    expect(row).toEqual(['a', '300 KiB', '521 KiB (was 1100 KiB)', '500 KiB', '120 ms / 115 ms (was 300 ms / 295 ms)', 'OVER (init)']);
    // A function the baseline does not know has no "was".
    expect(functionRows([fn('new', 10, 50)], baseline)[0]?.[2]).toBe('10 KiB');
  });
});

describe('where the bytes go', () => {
  it('attributes metafile inputs to their package, scoped or not, and the rest to the project', () => {
    expect(packageOf('node_modules/@aws-sdk/client-dynamodb/dist-es/index.js')).toBe('@aws-sdk/client-dynamodb');
    expect(packageOf('node_modules/zod/v4/core/schemas.js')).toBe('zod');
    expect(packageOf('node_modules/a/node_modules/b/x.js')).toBe('b');
    expect(packageOf('services/state-api/get-state-handler.ts')).toBe('project');
    expect(
      bytesByPackage({
        'node_modules/zod/a.js': { bytesInOutput: 10 },
        'node_modules/zod/b.js': { bytesInOutput: 5 },
        'shared/x.ts': { bytesInOutput: 20 },
        'node_modules/unused/c.js': { bytesInOutput: 0 },
      }),
    ).toEqual([
      ['project', 20],
      ['zod', 15],
    ]);
  });
});
