// The drill's figures, computed from what the load generator recorded (pure), and their two
// renderings: a terminal table and a self-contained HTML report with a timeline chart.
import type { AckedWrite, Attempt, StateSample } from './load';

export interface Mark {
  at: number;
  label: string;
}

export interface Invariant {
  name: string;
  ok: boolean;
  detail: string;
}

export interface LostWrites {
  count: number;
  /** Acknowledgement times of the first and last lost write (ISO), null when none. */
  from: string | null;
  to: string | null;
}

export interface DrillFigures {
  scenario: string;
  startedAt: string;
  durationMs: number;
  requests: { reads: number; readErrors: number; writeAttempts: number; writesAcked: number; writesAbandoned: number };
  writesRefused: Record<string, number>;
  /** Fault injected → the alarm that detected it (ms), null when nothing was to detect. */
  detectionMs: number | null;
  /** Runbook executions that changed or tried to change the state: machine, status, duration. */
  runbooks: Array<{ machine: string; region: string; status: string; durationMs: number | null; startedBy: string }>;
  /** Longest time without an acknowledged write, from the fault on: what users saw (RTO). */
  writeOutage: { ms: number; from: string | null; to: string | null };
  lostBeforeReconciliation: LostWrites;
  lostAfterReconciliation: LostWrites | null;
  maxReplicationLagMs: number | null;
  samples: number;
  twoWritableSamples: number;
  /**
   * Measured from what each region acknowledged, not from GET /state: every hand-over of
   * acknowledged writes from one region to the other, with its gap (the new region's first
   * acknowledged write was sent this long after the old region's last one was acknowledged;
   * zero or negative: both may have accepted writes at once). Regions taking writes at once show as
   * hand-overs back and forth with gaps that do not separate them.
   */
  handovers: Handover[];
  /** The write lease and the promotion's wait, as configured (docs/fencing.md). */
  fencing: { leaseMs: number; clockSkewMarginMs: number; promotionWaitMs: number };
  /** State versions seen with two different states (a fork of the fencing token); must stay empty. */
  versionForks: string[];
  /** The same figures with the stage's AWS alarm periods (probe interval × datapoints on AWS). */
  awsEstimate: { detectionMs: number | null; writeOutageMs: number | null; basis: string };
  invariants: Invariant[];
  marks: Array<{ at: string; label: string }>;
}

export interface TimelineBucket {
  t: number;
  readsOk: number;
  readsFailed: number;
  writesOk: number;
  writesFailed: number;
}

/** Requests per 100 ms bucket since `start`. */
export function timeline(attempts: readonly Attempt[], start: number, end: number, bucketMs = 100): TimelineBucket[] {
  const buckets: TimelineBucket[] = [];
  for (let t = 0; t <= end - start; t += bucketMs) buckets.push({ t, readsOk: 0, readsFailed: 0, writesOk: 0, writesFailed: 0 });
  for (const a of attempts) {
    const bucket = buckets[Math.floor((a.at - start) / bucketMs)];
    if (!bucket) continue;
    if (a.kind === 'read') a.ok ? bucket.readsOk++ : bucket.readsFailed++;
    else a.ok ? bucket.writesOk++ : bucket.writesFailed++;
  }
  return buckets;
}

/** The longest gap between consecutive acknowledgements inside [from, to] (edges included as bounds). */
export function longestWriteGap(acked: readonly AckedWrite[], from: number, to: number): { ms: number; from: number; to: number } {
  const times = acked
    .map((w) => w.ackAt)
    .filter((t) => t >= from && t <= to)
    .sort((a, b) => a - b);
  const points = [from, ...times, to];
  let best = { ms: 0, from, to: from };
  for (let i = 1; i < points.length; i += 1) {
    const gap = (points[i] as number) - (points[i - 1] as number);
    if (gap > best.ms) best = { ms: gap, from: points[i - 1] as number, to: points[i] as number };
  }
  return best;
}

export function lostWrites(acked: readonly AckedWrite[], present: ReadonlySet<string>): LostWrites {
  const lost = acked.filter((w) => !present.has(w.commentId)).sort((a, b) => a.ackAt - b.ackAt);
  return {
    count: lost.length,
    from: lost[0] ? new Date(lost[0].ackAt).toISOString() : null,
    to: lost.at(-1) ? new Date((lost.at(-1) as AckedWrite).ackAt).toISOString() : null,
  };
}

export function twoWritable(samples: readonly StateSample[]): number {
  return samples.filter((s) => s.writable.length > 1).length;
}

export interface Handover {
  from: string;
  to: string;
  /** The old region's last acknowledged write: sent, acknowledged (ms since epoch). */
  lastSentAt: number;
  lastAckAt: number;
  /** The new region's first acknowledged write. */
  firstSentAt: number;
  firstAckAt: number;
  /** firstSentAt - lastAckAt: > 0 proves every write of the old region committed before any of the new one's. */
  gapMs: number;
  separated: boolean;
}

/**
 * The hand-overs of acknowledged writes between regions, in acknowledgement order. A write
 * committed somewhere between its sending and its acknowledgement, so these bound when each
 * region accepted writes without trusting any region's word for it.
 */
export function handovers(acked: readonly AckedWrite[]): Handover[] {
  const runs: AckedWrite[][] = [];
  for (const w of [...acked].sort((x, y) => x.ackAt - y.ackAt)) {
    const current = runs.at(-1);
    if (current && (current[0] as AckedWrite).region === w.region) current.push(w);
    else runs.push([w]);
  }
  const out: Handover[] = [];
  for (let i = 1; i < runs.length; i += 1) {
    const before = runs[i - 1] as AckedWrite[];
    const after = runs[i] as AckedWrite[];
    const lastSentAt = Math.max(...before.map((w) => w.sentAt));
    const lastAckAt = Math.max(...before.map((w) => w.ackAt));
    const firstSentAt = Math.min(...after.map((w) => w.sentAt));
    const firstAckAt = (after[0] as AckedWrite).ackAt;
    out.push({
      from: (before[0] as AckedWrite).region,
      to: (after[0] as AckedWrite).region,
      lastSentAt,
      lastAckAt,
      firstSentAt,
      firstAckAt,
      gapMs: firstSentAt - lastAckAt,
      separated: firstSentAt > lastAckAt,
    });
  }
  return out;
}

/** Versions of the state seen, in any region's answer, with two different states or active regions. */
export function versionForks(samples: readonly StateSample[]): string[] {
  const seen = new Map<number, string>();
  const forks = new Set<string>();
  for (const sample of samples) {
    for (const view of Object.values(sample.views)) {
      if (!view) continue;
      const what = `${view.state} in ${view.activeRegion}`;
      const before = seen.get(view.version);
      if (before === undefined) seen.set(view.version, what);
      else if (before !== what) forks.add(`v${view.version}: ${before} / ${what}`);
    }
  }
  return [...forks];
}

export function refusedByReason(attempts: readonly Attempt[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of attempts) if (a.kind === 'write' && !a.ok) out[a.outcome] = (out[a.outcome] ?? 0) + 1;
  return out;
}

const seconds = (ms: number | null) => (ms === null ? '-' : `${(ms / 1000).toFixed(2)} s`);

/** The summary table printed at the end of a drill. */
export function summaryTable(f: DrillFigures): string {
  const rows: Array<[string, string]> = [
    ['scenario', f.scenario],
    ['duration', seconds(f.durationMs)],
    [
      'requests',
      `${f.requests.reads} reads (${f.requests.readErrors} failed), ${f.requests.writesAcked} writes acknowledged of ${f.requests.writeAttempts} attempts, ${f.requests.writesAbandoned} given up`,
    ],
    [
      'writes refused',
      Object.entries(f.writesRefused)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none',
    ],
    ['detection', seconds(f.detectionMs)],
    ...f.runbooks.map((r): [string, string] => [
      `runbook ${r.machine}`,
      `${r.status} in ${seconds(r.durationMs)} (${r.region}, ${r.startedBy})`,
    ]),
    ['write outage (RTO)', `${seconds(f.writeOutage.ms)}${f.writeOutage.from ? ` from ${f.writeOutage.from.slice(11, 23)}` : ''}`],
    ['lost writes (RPO)', `${f.lostBeforeReconciliation.count} before reconciliation${windowOf(f.lostBeforeReconciliation)}`],
    ...(f.lostAfterReconciliation
      ? [['lost after reconciliation', `${f.lostAfterReconciliation.count}${windowOf(f.lostAfterReconciliation)}`] as [string, string]]
      : []),
    ['max replication lag', f.maxReplicationLagMs === null ? '-' : `${f.maxReplicationLagMs} ms`],
    ['two writable regions', `${f.twoWritableSamples} of ${f.samples} samples`],
    [
      'write lease / promotion wait',
      `${f.fencing.leaseMs} ms + margin ${f.fencing.clockSkewMarginMs} ms / ${f.fencing.promotionWaitMs} ms after an ungraceful promotion`,
    ],
    [
      'acknowledged hand-overs',
      f.handovers.length === 0
        ? 'none (one region acknowledged every write)'
        : f.handovers
            .map(
              (h) => `${h.from} -> ${h.to}: gap ${h.gapMs} ms${h.separated ? '' : ' (NOT SEPARATED: both may have taken writes at once)'}`,
            )
            .join('; '),
    ],
    ['version forks', f.versionForks.length === 0 ? 'none' : f.versionForks.join('; ')],
    [
      'on AWS (estimate)',
      `detection ${seconds(f.awsEstimate.detectionMs)}, write outage ${seconds(f.awsEstimate.writeOutageMs)} (${f.awsEstimate.basis})`,
    ],
    ...f.invariants.map((i): [string, string] => [`${i.ok ? 'ok  ' : 'FAIL'} ${i.name}`, i.detail]),
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n');
}

function windowOf(l: LostWrites): string {
  return l.count > 0 && l.from && l.to ? ` (acknowledged ${l.from.slice(11, 23)} – ${l.to.slice(11, 23)})` : '';
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A self-contained HTML report: the table, and an SVG timeline of requests, state changes and lag. */
export function htmlReport(f: DrillFigures, buckets: readonly TimelineBucket[], lag: ReadonlyArray<{ t: number; ms: number }>): string {
  const W = 1000;
  const H = 260;
  const chartH = 180;
  const maxCount = Math.max(1, ...buckets.map((b) => b.readsOk + b.writesOk + b.readsFailed + b.writesFailed));
  const maxLag = Math.max(1, ...lag.map((l) => l.ms));
  const span = Math.max(1, (buckets.at(-1)?.t ?? 0) + 100);
  const x = (t: number) => (t / span) * W;
  const bw = Math.max(1, W / buckets.length);
  const bars = buckets
    .map((b) => {
      const ok = b.readsOk + b.writesOk;
      const failed = b.readsFailed + b.writesFailed;
      const hOk = (ok / maxCount) * chartH;
      const hFail = (failed / maxCount) * chartH;
      return `<rect x="${x(b.t).toFixed(1)}" y="${(chartH - hOk).toFixed(1)}" width="${bw.toFixed(1)}" height="${hOk.toFixed(1)}" fill="#2e7d32"/><rect x="${x(b.t).toFixed(1)}" y="${(chartH - hOk - hFail).toFixed(1)}" width="${bw.toFixed(1)}" height="${hFail.toFixed(1)}" fill="#c62828"/>`;
    })
    .join('');
  const start = Date.parse(f.startedAt);
  const marks = f.marks
    .map((m) => {
      const mx = x(Date.parse(m.at) - start).toFixed(1);
      return `<line x1="${mx}" x2="${mx}" y1="0" y2="${chartH}" stroke="#1565c0" stroke-dasharray="4 3"/><text x="${mx}" y="${chartH + 14}" font-size="10" transform="rotate(20 ${mx} ${chartH + 14})">${escapeHtml(m.label)}</text>`;
    })
    .join('');
  const lagPath = lag
    .map((l, i) => `${i === 0 ? 'M' : 'L'}${x(l.t).toFixed(1)},${(chartH - (l.ms / maxLag) * chartH).toFixed(1)}`)
    .join(' ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Drill ${escapeHtml(f.scenario)} · ${escapeHtml(f.startedAt)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#1a1a1a}pre{background:#f4f4f4;padding:1rem;overflow:auto}svg{border:1px solid #ccc;max-width:100%;height:auto}.legend span{margin-right:1rem}</style></head>
<body><h1>Drill: ${escapeHtml(f.scenario)}</h1><p>Started ${escapeHtml(f.startedAt)} on the embedded two-region runtime.</p>
<pre>${escapeHtml(summaryTable(f))}</pre>
<h2>Timeline</h2>
<p class="legend"><span style="color:#2e7d32">■ requests ok</span><span style="color:#c62828">■ requests failed</span><span style="color:#1565c0">┆ events</span><span style="color:#ef6c00">— replication lag (max ${maxLag} ms)</span> · per 100 ms, ${(span / 1000).toFixed(1)} s in all</p>
<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="Requests per 100 ms, state changes and replication lag over the drill">
${bars}${marks}<path d="${lagPath}" fill="none" stroke="#ef6c00" stroke-width="1.5"/></svg>
<h2>Figures (JSON)</h2><pre>${escapeHtml(JSON.stringify(f, null, 2))}</pre>
</body></html>`;
}
