// Pure CloudWatch metric-alarm semantics: no timers, no I/O, so they can be tested by feeding datapoints.

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
export type Statistic = 'Average' | 'Sum' | 'Minimum' | 'Maximum' | 'SampleCount';
export type ComparisonOperator =
  | 'GreaterThanOrEqualToThreshold'
  | 'GreaterThanThreshold'
  | 'LessThanThreshold'
  | 'LessThanOrEqualToThreshold';
export type TreatMissingData = 'missing' | 'notBreaching' | 'breaching' | 'ignore';

export const STATISTICS: Statistic[] = ['Average', 'Sum', 'Minimum', 'Maximum', 'SampleCount'];
export const COMPARISON_OPERATORS: ComparisonOperator[] = [
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
];
export const MISSING_DATA_TREATMENTS: TreatMissingData[] = ['missing', 'notBreaching', 'breaching', 'ignore'];

/** What CloudWatch keeps of the samples in one period: enough for the five basic statistics. */
export interface Aggregate {
  count: number;
  sum: number;
  min: number;
  max: number;
}

/** One PutMetricData entry, already reduced to an aggregate, at a local wall-clock time (ms). */
export interface Datapoint extends Aggregate {
  at: number;
}

export interface MetricAlarmRule {
  statistic: Statistic;
  comparisonOperator: ComparisonOperator;
  threshold: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  treatMissingData: TreatMissingData;
}

export function mergeAggregates(a: Aggregate, b: Aggregate): Aggregate {
  return { count: a.count + b.count, sum: a.sum + b.sum, min: Math.min(a.min, b.min), max: Math.max(a.max, b.max) };
}

export function statisticOf(aggregate: Aggregate, statistic: Statistic): number {
  switch (statistic) {
    case 'Average':
      return aggregate.count === 0 ? 0 : aggregate.sum / aggregate.count;
    case 'Sum':
      return aggregate.sum;
    case 'Minimum':
      return aggregate.min;
    case 'Maximum':
      return aggregate.max;
    case 'SampleCount':
      return aggregate.count;
  }
}

/** Index of the period a local time falls in; periods are aligned to the epoch like CloudWatch's. */
export function periodIndex(at: number, periodMs: number): number {
  return Math.floor(at / periodMs);
}

/**
 * The aggregates of the `periods` most recent *complete* periods before `now`, oldest first;
 * `undefined` where the metric had no datapoint.
 */
export function recentPeriods(
  datapoints: Datapoint[],
  options: { periodMs: number; periods: number; now: number },
): Array<Aggregate | undefined> {
  const current = periodIndex(options.now, options.periodMs);
  const first = current - options.periods;
  const buckets: Array<Aggregate | undefined> = new Array(options.periods).fill(undefined);
  for (const point of datapoints) {
    const slot = periodIndex(point.at, options.periodMs) - first;
    if (slot < 0 || slot >= options.periods) continue;
    const existing = buckets[slot];
    buckets[slot] = existing ? mergeAggregates(existing, point) : { count: point.count, sum: point.sum, min: point.min, max: point.max };
  }
  return buckets;
}

export function isBreaching(value: number, operator: ComparisonOperator, threshold: number): boolean {
  switch (operator) {
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
  }
}

const OPERATOR_TEXT: Record<ComparisonOperator, string> = {
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  GreaterThanThreshold: 'greater than',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

/**
 * One evaluation of a metric alarm over its evaluation range (one statistic value per
 * period, oldest first, `undefined` = missing), following CloudWatch:
 * - breaching/notBreaching: a missing period counts as breaching/not breaching;
 * - missing: an all-missing range is INSUFFICIENT_DATA, otherwise only present periods count;
 * - ignore: an all-missing range keeps the current state, otherwise only present periods count;
 * - ALARM when at least DatapointsToAlarm periods breach (M out of N), else OK.
 */
export function evaluateMetricAlarm(
  rule: MetricAlarmRule,
  values: Array<number | undefined>,
  current: AlarmState,
): { state: AlarmState; reason: string } {
  const present = values.filter((v): v is number => v !== undefined);
  const missing = values.length - present.length;
  if (present.length === 0 && (rule.treatMissingData === 'missing' || rule.treatMissingData === 'ignore')) {
    return rule.treatMissingData === 'missing'
      ? { state: 'INSUFFICIENT_DATA', reason: `Insufficient Data: ${values.length} datapoints were unknown.` }
      : { state: current, reason: `No datapoints in the last ${values.length} periods: missing data ignored, state kept.` };
  }
  const breaching =
    present.filter((v) => isBreaching(v, rule.comparisonOperator, rule.threshold)).length +
    (rule.treatMissingData === 'breaching' ? missing : 0);
  const state: AlarmState = breaching >= rule.datapointsToAlarm ? 'ALARM' : 'OK';
  const shown = present.map((v) => String(v)).join(', ');
  const counted = state === 'ALARM' ? breaching : values.length - breaching;
  const verb = state === 'ALARM' ? 'were' : 'were not';
  return {
    state,
    reason:
      `Threshold Crossed: ${counted} out of the last ${values.length} datapoints [${shown}] ${verb} ${OPERATOR_TEXT[rule.comparisonOperator]} ` +
      `the threshold (${rule.threshold}) (minimum ${rule.datapointsToAlarm} datapoints for ALARM; missing data treated as ${rule.treatMissingData}).`,
  };
}
