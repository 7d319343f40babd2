// The lean-functions budget of issue 17 and the before/after comparison `npm run bench` prints (pure).

/** Every packaged function: its loaded code at most 1 MiB, its cold init at most 100 ms. */
export const FUNCTION_BUDGET = { codeBytes: 1024 * 1024, coldInitMs: 100 } as const;

/** One packaged function as the bench measured it. */
export interface FunctionFigures {
  key: string;
  zipBytes: number;
  /** The files the handler loads (.js, .mjs, .cjs): what Lambda reads and compiles at init. */
  codeBytes: number;
  /** Source maps beside the code: shipped, never loaded unless source maps are enabled. */
  mapBytes: number;
  /** Median wall time of requiring the handler in a fresh process (null: it failed). */
  coldInitMs: number | null;
  /** Median CPU time (user + system, all threads) of the same: less sensitive to a busy machine. */
  coldInitCpuMs: number | null;
  failure?: string;
}

export interface Baseline {
  measuredAt: string;
  note: string;
  functions: FunctionFigures[];
}

export interface Verdict {
  codeOk: boolean;
  initOk: boolean;
  ok: boolean;
}

export function verdict(f: FunctionFigures, budget = FUNCTION_BUDGET): Verdict {
  const codeOk = f.codeBytes <= budget.codeBytes;
  const initOk = f.coldInitMs !== null && f.coldInitMs <= budget.coldInitMs;
  return { codeOk, initOk, ok: codeOk && initOk };
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const ms = (value: number | null) => (value === null ? 'failed' : `${value.toFixed(0)} ms`);

/** "521 KiB (was 1106 KiB)" or just "521 KiB" without a baseline figure. */
export function withBefore(now: string, before: string | undefined): string {
  return before === undefined || before === now ? now : `${now} (was ${before})`;
}

/** The table rows: function, zip, code, maps, cold init (wall / cpu), verdict; each with its baseline figure when known. */
export function functionRows(figures: readonly FunctionFigures[], baseline?: Baseline, budget = FUNCTION_BUDGET): string[][] {
  const before = new Map((baseline?.functions ?? []).map((f) => [f.key, f]));
  return figures.map((f) => {
    const b = before.get(f.key);
    const v = verdict(f, budget);
    const problems = [...(v.codeOk ? [] : ['code']), ...(v.initOk ? [] : ['init'])];
    return [
      f.key,
      withBefore(kib(f.zipBytes), b && kib(b.zipBytes)),
      withBefore(kib(f.codeBytes), b && kib(b.codeBytes)),
      withBefore(kib(f.mapBytes), b && kib(b.mapBytes)),
      withBefore(`${ms(f.coldInitMs)} / ${ms(f.coldInitCpuMs)}`, b && `${ms(b.coldInitMs)} / ${ms(b.coldInitCpuMs)}`),
      f.failure ? `FAILED ${f.failure}` : v.ok ? 'ok' : `OVER (${problems.join(', ')})`,
    ];
  });
}

/** Left-aligned columns, two spaces apart. */
export function renderTable(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** "17 of 20 functions within budget (code ≤ 1024 KiB, cold init ≤ 100 ms)". */
export function budgetSummary(figures: readonly FunctionFigures[], budget = FUNCTION_BUDGET): string {
  const within = figures.filter((f) => verdict(f, budget).ok).length;
  return `${within} of ${figures.length} functions within budget (code ≤ ${kib(budget.codeBytes)}, cold init ≤ ${budget.coldInitMs} ms wall)`;
}

/** The package an esbuild metafile input belongs to ("project" for the project's own sources). */
export function packageOf(inputPath: string): string {
  // The innermost node_modules: a nested copy's bytes are that package's.
  const matches = [
    ...inputPath
      .split('\\')
      .join('/')
      .matchAll(/(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/g),
  ];
  return matches.at(-1)?.[1] ?? 'project';
}

/** Bytes of the output per package, largest first: where a bundle's bytes go. */
export function bytesByPackage(inputs: Record<string, { bytesInOutput: number }>): Array<[string, number]> {
  const totals = new Map<string, number>();
  for (const [file, { bytesInOutput }] of Object.entries(inputs))
    totals.set(packageOf(file), (totals.get(packageOf(file)) ?? 0) + bytesInOutput);
  return [...totals.entries()].filter(([, bytes]) => bytes > 0).sort((a, b) => b[1] - a[1]);
}
