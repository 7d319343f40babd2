// The drill's figures, computed from what the load generator recorded (pure), and their two
// renderings: a terminal table and a self-contained HTML report with a timeline chart.
import type { AwsTimingModel, Range } from './aws-timing';
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
  /** Failed reads by outcome: `HTTP_<status>`, or TIMEOUT / NETWORK (no region answered; "(both regions)" when both were tried). */
  readsFailed?: Record<string, number>;
  /** Fault injected → the alarm that detected it (ms), null when nothing was to detect. */
  detectionMs: number | null;
  /** Runbook executions that changed or tried to change the state: machine, status, duration. */
  runbooks: Array<{
    machine: string;
    region: string;
    status: string;
    durationMs: number | null;
    startedBy: string;
    startedAt?: string;
    /** Where the run's time went: each state it entered, from its execution history. */
    states?: StateSpan[];
  }>;
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
  /** The same figures on AWS, typical case (the model: local/drills/aws-timing.ts, with its ranges and sources). */
  awsEstimate: { detectionMs: number | null; writeOutageMs: number | null; basis: string; model?: AwsTimingModel };
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

/**
 * Answers of a region (one that reached the quorum) with a lower version than an answer of that
 * region a client already had when it sent the poll: a read that went back in time. Polls overlap
 * (the load polls on a timer and after a refused write), and an answer to a poll sent before
 * another one ended may be older news without anything being wrong, so only polls sent after the
 * higher answer arrived count.
 */
export function versionRegressions(
  samples: readonly StateSample[],
): Array<{ region: string; at: number; version: number; seenBefore: number }> {
  const out: Array<{ region: string; at: number; version: number; seenBefore: number }> = [];
  const regions = new Set(samples.flatMap((s) => Object.keys(s.views)));
  for (const region of regions) {
    const answered = samples.filter((s) => s.views[region] && !s.views[region]?.isolated);
    const byDone = [...answered].sort((a, b) => (a.doneAt ?? a.at) - (b.doneAt ?? b.at));
    let next = 0;
    let highest = 0;
    for (const sample of [...answered].sort((a, b) => a.at - b.at)) {
      for (; next < byDone.length && ((byDone[next] as StateSample).doneAt ?? (byDone[next] as StateSample).at) <= sample.at; next += 1)
        highest = Math.max(highest, (byDone[next] as StateSample).views[region]?.version ?? 0);
      const version = sample.views[region]?.version ?? 0;
      if (version < highest) out.push({ region, at: sample.at, version, seenBefore: highest });
    }
  }
  return out;
}

export interface StateSpan {
  state: string;
  type: string;
  /** From the execution's start, ms. */
  startMs: number;
  /** null: the state had not exited when the history was read. */
  durationMs: number | null;
}

/** Each state entered, when and for how long, from an execution history (Step Functions' event shape). */
export function stateSpans(
  events: ReadonlyArray<{
    type?: string;
    timestamp?: Date;
    stateEnteredEventDetails?: { name?: string };
    stateExitedEventDetails?: { name?: string };
  }>,
): StateSpan[] {
  const started = events.find((e) => e.type === 'ExecutionStarted')?.timestamp?.getTime();
  if (started === undefined) return [];
  const spans: StateSpan[] = [];
  const open = new Map<string, StateSpan>();
  for (const e of events) {
    const at = e.timestamp?.getTime() ?? started;
    const entered = e.type?.endsWith('StateEntered') ? e.stateEnteredEventDetails?.name : undefined;
    const exited = e.type?.endsWith('StateExited') ? e.stateExitedEventDetails?.name : undefined;
    if (entered) {
      const span = { state: entered, type: (e.type as string).replace(/StateEntered$/, ''), startMs: at - started, durationMs: null };
      spans.push(span);
      open.set(entered, span);
    } else if (exited) {
      const span = open.get(exited);
      if (span) span.durationMs = at - started - span.startMs;
      open.delete(exited);
    }
  }
  return spans;
}

/** One line: each state's time in ms in order of first entry, the visits of a loop summed (e.g. `FencePrimary 120 · DrainInFlightWrites 2880 · CheckReplication 900 (×2)`). */
export function stateSpanLine(spans: readonly StateSpan[]): string {
  const byState = new Map<string, { ms: number; visits: number }>();
  for (const s of spans) {
    const seen = byState.get(s.state) ?? { ms: 0, visits: 0 };
    byState.set(s.state, { ms: seen.ms + (s.durationMs ?? 0), visits: seen.visits + 1 });
  }
  return [...byState]
    .filter(([, m]) => m.ms > 0)
    .map(([state, m]) => `${state} ${m.ms}${m.visits > 1 ? ` (×${m.visits})` : ''}`)
    .join(' · ');
}

export function refusedByReason(attempts: readonly Attempt[], kind: Attempt['kind'] = 'write'): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of attempts) if (a.kind === kind && !a.ok) out[a.outcome] = (out[a.outcome] ?? 0) + 1;
  return out;
}

const seconds = (ms: number | null) => (ms === null ? '-' : `${(ms / 1000).toFixed(2)} s`);

/** The summary table printed at the end of a drill. */
export function summaryTable(f: DrillFigures): string {
  const rows = summaryRows(f);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n');
}

/** The figures as (name, value) rows: the terminal table and the HTML report's table. */
export function summaryRows(f: DrillFigures): Array<[string, string]> {
  const model = f.awsEstimate.model;
  return [
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
    ...(f.readsFailed && Object.keys(f.readsFailed).length > 0
      ? [
          [
            'reads failed',
            Object.entries(f.readsFailed)
              .map(([k, v]) => `${k} ${v}`)
              .join(', '),
          ] as [string, string],
        ]
      : []),
    ['detection', `${seconds(f.detectionMs)}${onAws(model?.detection)}`],
    ...f.runbooks.flatMap(
      (r, i): Array<[string, string]> => [
        [
          `runbook ${r.machine}`,
          `${r.status} in ${seconds(r.durationMs)} (${r.region}, ${r.startedBy})${model?.runbooks[i]?.awsMs != null ? ` · on AWS ${seconds(model.runbooks[i]?.awsMs ?? null)}` : ''}`,
        ],
        ...(r.states && r.states.length > 0 ? [[`  its states, ms`, stateSpanLine(r.states)] as [string, string]] : []),
      ],
    ),
    [
      'write outage (RTO)',
      `${seconds(f.writeOutage.ms)}${f.writeOutage.from ? ` from ${f.writeOutage.from.slice(11, 23)}` : ''}${onAws(model?.writeOutage)}`,
    ],
    ['lost writes (RPO)', `${f.lostBeforeReconciliation.count} before reconciliation${windowOf(f.lostBeforeReconciliation)}`],
    ...(f.lostAfterReconciliation
      ? [['lost after reconciliation', `${f.lostAfterReconciliation.count}${windowOf(f.lostAfterReconciliation)}`] as [string, string]]
      : []),
    ['max replication lag', f.maxReplicationLagMs === null ? '-' : `${f.maxReplicationLagMs} ms`],
    ['two writable regions', `${f.twoWritableSamples} of ${f.samples} samples`],
    [
      'write lease / promotion wait',
      `${f.fencing.leaseMs} ms + margin ${f.fencing.clockSkewMarginMs} ms / an ungraceful promotion: ${f.fencing.leaseMs + f.fencing.clockSkewMarginMs} ms after its fence or the old region's last recorded lease start if earlier, or ${f.fencing.promotionWaitMs} ms after itself if no fence landed`,
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
    ...(model ? [['on AWS: constants and sources', model.sources.join('; ')] as [string, string]] : []),
    ...f.invariants.map((i): [string, string] => [`${i.ok ? 'ok  ' : 'FAIL'} ${i.name}`, i.detail]),
  ];
}

/** " · on AWS 40.00 s (30.00–50.00 s)" beside a local figure; nothing without a model figure. */
function onAws(range: Range | null | undefined): string {
  if (!range) return '';
  const spread = range.minMs === range.maxMs ? '' : ` (${seconds(range.minMs)}–${seconds(range.maxMs)})`;
  return ` · on AWS ${seconds(range.typicalMs)}${spread}`;
}

function windowOf(l: LostWrites): string {
  return l.count > 0 && l.from && l.to ? ` (acknowledged ${l.from.slice(11, 23)} – ${l.to.slice(11, 23)})` : '';
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** What one region said over a stretch of the drill: a segment of its state lane. */
export type LaneState = 'active' | 'fenced' | 'failover' | 'isolated' | 'unreachable';

export interface LaneSegment {
  region: string;
  state: LaneState;
  /** ms since the drill's start */
  from: number;
  to: number;
  version: number | null;
  write: boolean;
}

/** Each region's state lane from the samples: consecutive samples saying the same thing make one segment. */
export function stateLanes(samples: readonly StateSample[], regions: readonly string[], start: number, end: number): LaneSegment[] {
  const out: LaneSegment[] = [];
  for (const region of regions) {
    let current: LaneSegment | null = null;
    for (const sample of [...samples].sort((a, b) => a.at - b.at)) {
      const view = sample.views[region] ?? null;
      const state: LaneState = !view ? 'unreachable' : view.isolated ? 'isolated' : (view.state as LaneState);
      const t = sample.at - start;
      const same =
        current && current.state === state && current.version === (view?.version ?? null) && current.write === (view?.write ?? false);
      if (current && same) {
        current.to = t;
        continue;
      }
      if (current) current.to = t;
      current = { region, state, from: t, to: t, version: view?.version ?? null, write: view?.write ?? false };
      out.push(current);
    }
    if (current) current.to = Math.max(current.to, end - start);
  }
  return out;
}

/** A stretch of the drill worth a bar of its own: detecting the fault, a runbook, the recovery of writes. */
export interface Span {
  kind: 'detection' | 'runbook' | 'recovery';
  label: string;
  from: string;
  to: string;
}

/** The spans the figures themselves give: each runbook (when its start is known) and the write outage. */
export function spansOf(f: DrillFigures, extra: readonly Span[] = []): Span[] {
  const spans: Span[] = [...extra];
  for (const r of f.runbooks)
    if (r.startedAt && r.durationMs !== null)
      spans.push({
        kind: 'runbook',
        label: `${r.machine} ${r.status.toLowerCase()} (${r.region})`,
        from: r.startedAt,
        to: new Date(Date.parse(r.startedAt) + r.durationMs).toISOString(),
      });
  if (f.writeOutage.from && f.writeOutage.to)
    spans.push({
      kind: 'recovery',
      label: `no acknowledged write for ${seconds(f.writeOutage.ms)}`,
      from: f.writeOutage.from,
      to: f.writeOutage.to,
    });
  return spans;
}

export interface ReportInputs {
  /** Both regions' answers to GET /state, as the load generator sampled them. */
  samples?: readonly StateSample[];
  /** Spans the runner knows of beyond the figures (the detection: fault → alarm). */
  spans?: readonly Span[];
  /** Where the figures' JSON is, relative to the report. */
  jsonHref?: string;
}

export interface LagPoint {
  t: number;
  ms: number;
  /** Replication could not deliver at all (a region or the link was cut): the lag is unknown, not `ms`. */
  cut?: boolean;
}

const STATE_COLOUR: Record<LaneState, string> = {
  active: '#2e7d32',
  fenced: '#f9a825',
  failover: '#1565c0',
  isolated: '#6a1b9a',
  unreachable: '#9e9e9e',
};
const SPAN_COLOUR: Record<Span['kind'], string> = { detection: '#ad1457', runbook: '#1565c0', recovery: '#c62828' };

/**
 * A self-contained HTML report: a timeline (a state lane per region, reads and writes apart, the
 * detection / runbook / recovery spans, replication lag on its own axis with the cuts marked),
 * the figures table, and the JSON behind a link.
 */
export function htmlReport(
  f: DrillFigures,
  buckets: readonly TimelineBucket[],
  lag: readonly LagPoint[],
  inputs: ReportInputs = {},
): string {
  const L = 130; // room for the lane labels
  const W = 1000;
  const plot = W - L - 10;
  const start = Date.parse(f.startedAt);
  const span = Math.max(1, f.durationMs, (buckets.at(-1)?.t ?? 0) + 100);
  const x = (t: number) => L + (Math.max(0, Math.min(span, t)) / span) * plot;
  const at = (iso: string) => Date.parse(iso) - start;
  const bw = Math.max(0.5, (100 / span) * plot);
  const n = (v: number) => v.toFixed(1);
  const parts: string[] = [];
  let y = 10;
  const label = (text: string, yy: number) => `<text x="4" y="${n(yy)}" font-size="11" fill="#333">${escapeHtml(text)}</text>`;

  // One state lane per region.
  const regions = [...new Set((inputs.samples ?? []).flatMap((s) => Object.keys(s.views)))].sort();
  for (const region of regions) {
    const segments = stateLanes(inputs.samples ?? [], [region], start, start + span).filter((seg) => seg.region === region);
    parts.push(`<g data-lane="state" data-region="${escapeHtml(region)}">${label(region, y + 14)}`);
    for (const seg of segments)
      parts.push(
        `<rect data-state="${seg.state}" x="${n(x(seg.from))}" y="${y}" width="${n(Math.max(0.5, x(seg.to) - x(seg.from)))}" height="20" fill="${STATE_COLOUR[seg.state]}"${seg.state === 'isolated' ? ' fill-opacity="0.75"' : ''}><title>${escapeHtml(`${region}: ${seg.state}${seg.version === null ? '' : ` v${seg.version}`}${seg.write ? ', takes writes' : ''} (${(seg.from / 1000).toFixed(1)}–${(seg.to / 1000).toFixed(1)} s)`)}</title></rect>`,
      );
    parts.push('</g>');
    y += 26;
  }

  // Reads and writes apart: ok above the axis, failed below, each on its own scale.
  for (const kind of ['reads', 'writes'] as const) {
    const okOf = (b: TimelineBucket) => (kind === 'reads' ? b.readsOk : b.writesOk);
    const failedOf = (b: TimelineBucket) => (kind === 'reads' ? b.readsFailed : b.writesFailed);
    const max = Math.max(1, ...buckets.map((b) => Math.max(okOf(b), failedOf(b))));
    const half = 30;
    const axis = y + half;
    parts.push(
      `<g data-lane="${kind}">${label(`${kind} ok / failed`, axis + 4)}<text x="4" y="${n(axis + 16)}" font-size="9" fill="#666">max ${max} per 100 ms</text>`,
    );
    parts.push(`<line x1="${L}" x2="${W - 10}" y1="${axis}" y2="${axis}" stroke="#bbb"/>`);
    for (const b of buckets) {
      const hOk = (okOf(b) / max) * half;
      const hFail = (failedOf(b) / max) * half;
      if (hOk > 0)
        parts.push(`<rect data-kind="ok" x="${n(x(b.t))}" y="${n(axis - hOk)}" width="${n(bw)}" height="${n(hOk)}" fill="#2e7d32"/>`);
      if (hFail > 0)
        parts.push(`<rect data-kind="failed" x="${n(x(b.t))}" y="${axis}" width="${n(bw)}" height="${n(hFail)}" fill="#c62828"/>`);
    }
    parts.push('</g>');
    y += 2 * half + 8;
  }

  // Spans: detection, runbooks, recovery.
  const spans = spansOf(f, inputs.spans);
  for (const kind of ['detection', 'runbook', 'recovery'] as const) {
    const mine = spans.filter((s) => s.kind === kind);
    parts.push(`<g data-lane="span-${kind}">${label(kind, y + 12)}`);
    for (const s of mine) {
      const [x0, x1] = [x(at(s.from)), x(at(s.to))];
      // The label beside the bar, or inside it when the bar runs to the right edge.
      const inside = x1 > W - 170 && x1 - x0 > 120;
      const text = inside
        ? `<text x="${n(x0 + 4)}" y="${y + 12}" font-size="9" fill="#fff">${escapeHtml(s.label)}</text>`
        : `<text x="${n(x1 + 3)}" y="${y + 12}" font-size="9" fill="#333">${escapeHtml(s.label)}</text>`;
      parts.push(
        `<rect data-span="${kind}" x="${n(x0)}" y="${y + 2}" width="${n(Math.max(1, x1 - x0))}" height="12" rx="3" fill="${SPAN_COLOUR[kind]}"><title>${escapeHtml(`${s.label}: ${((at(s.to) - at(s.from)) / 1000).toFixed(2)} s`)}</title></rect>${text}`,
      );
    }
    parts.push('</g>');
    y += 18;
  }

  // Replication lag on its own axis; while replication is cut the lag is unknown: shaded, no line.
  const lagH = 60;
  const known = lag.filter((l) => !l.cut);
  const maxLag = Math.max(1, ...known.map((l) => l.ms));
  const ly = (ms: number) => y + lagH - (ms / maxLag) * lagH;
  parts.push(`<g data-lane="lag">${label('replication lag', y + lagH / 2)}`);
  parts.push(
    `<line x1="${L}" x2="${L}" y1="${y}" y2="${y + lagH}" stroke="#999"/><text x="${L - 4}" y="${y + 8}" font-size="9" text-anchor="end">${maxLag} ms</text><text x="${L - 4}" y="${y + lagH}" font-size="9" text-anchor="end">0</text>`,
  );
  let cutFrom: number | null = null;
  const cuts: Array<[number, number]> = [];
  for (const l of lag) {
    if (l.cut && cutFrom === null) cutFrom = l.t;
    if (!l.cut && cutFrom !== null) {
      cuts.push([cutFrom, l.t]);
      cutFrom = null;
    }
  }
  if (cutFrom !== null) cuts.push([cutFrom, lag.at(-1)?.t ?? cutFrom]);
  for (const [from, to] of cuts)
    parts.push(
      `<rect data-cut="true" x="${n(x(from))}" y="${y}" width="${n(Math.max(1, x(to) - x(from)))}" height="${lagH}" fill="url(#cut)" stroke="#757575" stroke-dasharray="3 2"><title>replication cut: lag unknown (${(from / 1000).toFixed(1)}–${(to / 1000).toFixed(1)} s)</title></rect><text x="${n(x(from) + 3)}" y="${y + 10}" font-size="9" fill="#424242">cut</text>`,
    );
  let path = '';
  let pen = false;
  for (const l of lag) {
    if (l.cut) {
      pen = false;
      continue;
    }
    path += `${pen ? 'L' : 'M'}${n(x(l.t))},${n(ly(l.ms))} `;
    pen = true;
  }
  parts.push(`<path d="${path.trim()}" fill="none" stroke="#ef6c00" stroke-width="1.5"/></g>`);
  y += lagH + 8;

  // Events across every lane, and the time axis.
  const top = 4;
  for (const m of f.marks) {
    const mx = n(x(at(m.at)));
    parts.push(
      `<g data-mark="true"><line x1="${mx}" x2="${mx}" y1="${top}" y2="${y}" stroke="#37474f" stroke-dasharray="4 3" stroke-opacity="0.6"/><text x="${mx}" y="${y + 24}" font-size="9" transform="rotate(25 ${mx} ${y + 24})">${escapeHtml(m.label)}</text></g>`,
    );
  }
  const step = span > 60_000 ? 10_000 : span > 20_000 ? 5000 : 1000;
  parts.push(`<g data-lane="axis"><line x1="${L}" x2="${W - 10}" y1="${y}" y2="${y}" stroke="#333"/>`);
  for (let t = 0; t <= span; t += step)
    parts.push(`<text x="${n(x(t))}" y="${y + 11}" font-size="9" text-anchor="middle">${t / 1000} s</text>`);
  parts.push('</g>');
  const H = y + 90;

  const legend = [
    ...(['active', 'fenced', 'failover', 'isolated', 'unreachable'] as const).map(
      (state) => `<span><i style="background:${STATE_COLOUR[state]}"></i>${state}</span>`,
    ),
    '<span><i style="background:#2e7d32"></i>ok (above the axis)</span><span><i style="background:#c62828"></i>failed (below)</span>',
    '<span><i style="background:#ef6c00"></i>replication lag</span><span><i class="cut"></i>replication cut (lag unknown)</span>',
  ].join('');
  const rows = summaryRows(f)
    .map(
      ([k, v]) => `<tr${k.startsWith('FAIL') ? ' class="fail"' : ''}><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`,
    )
    .join('');
  const json = inputs.jsonHref
    ? `<p><a id="figures-json" href="${escapeHtml(inputs.jsonHref)}">The figures and samples as JSON</a></p>`
    : `<details id="figures-json"><summary>The figures as JSON</summary><pre>${escapeHtml(JSON.stringify(f, null, 2))}</pre></details>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Drill ${escapeHtml(f.scenario)} · ${escapeHtml(f.startedAt)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#1a1a1a}pre{background:#f4f4f4;padding:1rem;overflow:auto}svg{border:1px solid #ccc;max-width:100%;height:auto}
.legend span{margin-right:1rem;white-space:nowrap}.legend i{display:inline-block;width:.9em;height:.9em;margin-right:.3em;vertical-align:-.1em}.legend i.cut{background:repeating-linear-gradient(45deg,#bdbdbd 0 3px,#fff 3px 6px);border:1px dashed #757575}
table{border-collapse:collapse}th,td{text-align:left;padding:.2rem .6rem;border-bottom:1px solid #e0e0e0;vertical-align:top}th{font-weight:600;white-space:nowrap}tr.fail{background:#fde2e2}</style></head>
<body><h1>Drill: ${escapeHtml(f.scenario)}</h1><p>Started ${escapeHtml(f.startedAt)} on the embedded two-region runtime; ${(span / 1000).toFixed(1)} s in all.</p>
<h2>Timeline</h2>
<p class="legend">${legend}</p>
<svg id="timeline" viewBox="0 0 ${W} ${H}" role="img" aria-label="Per region state, reads and writes, detection, runbook and recovery spans, replication lag and events over the drill">
<defs><pattern id="cut" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="3" height="6" fill="#bdbdbd"/></pattern></defs>
${parts.join('\n')}</svg>
<h2>Figures</h2>
<table id="figures">${rows}</table>
${json}
</body></html>`;
}
