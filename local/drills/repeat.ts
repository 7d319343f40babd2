// `npm run drill -- <scenario> --repeat N`: the same drill N times, each on a fresh runtime, and
// how far the figures of the runs lie from their median. Issue 17 asks that three consecutive
// region-outage runs give write outages within ±25 % of their median; this says whether they did.
import type { DrillFigures } from './report';

/** The spread the figures may have and still count as repeatable (±25 % of the median). */
export const REPEATABLE_SPREAD = 0.25;

export interface Spread {
  values: number[];
  median: number;
  min: number;
  max: number;
  /** The largest distance of a run from the median, as a fraction of the median (0 when the median is 0 and all are 0). */
  maxDeviation: number;
  repeatable: boolean;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function spreadOf(values: readonly number[], tolerance = REPEATABLE_SPREAD): Spread {
  const m = median(values);
  const furthest = Math.max(...values.map((v) => Math.abs(v - m)));
  const maxDeviation = m === 0 ? (furthest === 0 ? 0 : Number.POSITIVE_INFINITY) : furthest / m;
  return {
    values: [...values],
    median: m,
    min: Math.min(...values),
    max: Math.max(...values),
    maxDeviation,
    repeatable: maxDeviation <= tolerance,
  };
}

const seconds = (ms: number | null) => (ms === null ? '–' : `${(ms / 1000).toFixed(1)} s`);
const percent = (fraction: number) => (Number.isFinite(fraction) ? `±${Math.round(fraction * 100)} %` : '±∞');

/** One line per run, then the median and spread of detection and write outage. */
export function repeatTable(runs: readonly DrillFigures[], tolerance = REPEATABLE_SPREAD): { table: string; repeatable: boolean } {
  if (runs.length === 0) throw new Error('no runs to compare');
  const rows = runs.map((f, i) => {
    const lost = f.lostAfterReconciliation ?? f.lostBeforeReconciliation;
    return `  run ${i + 1}: detection ${seconds(f.detectionMs).padStart(7)}  write outage ${seconds(f.writeOutage.ms).padStart(7)}  failed reads ${String(f.requests.readErrors).padStart(4)} of ${f.requests.reads}  lost writes ${lost.count}`;
  });
  const outage = spreadOf(
    runs.map((f) => f.writeOutage.ms),
    tolerance,
  );
  const detections = runs.map((f) => f.detectionMs).filter((d): d is number => d !== null);
  const lines = [
    ...rows,
    `  write outage: median ${seconds(outage.median)}, ${seconds(outage.min)}–${seconds(outage.max)}, furthest run ${percent(outage.maxDeviation)} of the median`,
  ];
  if (detections.length === runs.length) {
    const detection = spreadOf(detections, tolerance);
    lines.push(
      `  detection:    median ${seconds(detection.median)}, ${seconds(detection.min)}–${seconds(detection.max)}, furthest run ${percent(detection.maxDeviation)} of the median`,
    );
  }
  lines.push(
    outage.repeatable
      ? `  repeatable: every write outage within ${percent(tolerance)} of the median`
      : `  NOT repeatable: a write outage lies ${percent(outage.maxDeviation)} from the median (allowed ${percent(tolerance)})`,
  );
  return { table: lines.join('\n'), repeatable: outage.repeatable };
}
