import { type Aggregate, type Datapoint, mergeAggregates, periodIndex, STATISTICS, type Statistic, statisticOf } from './alarm-evaluation';
import { AwsServiceError } from './errors';
import { fieldsOf, getOrCreate, requiredString } from './request-fields';

export interface Dimension {
  Name: string;
  Value: string;
}

interface Series {
  points: Datapoint[];
}

/** Local samples are dropped after this long: drills run for minutes, not days. */
const RETENTION_MS = 3 * 60 * 60 * 1000;

export const invalidParameter = (message: string) =>
  new AwsServiceError('InvalidParameterValueException', message, 400, 'InvalidParameterValue');
const missingParameter = (message: string) => new AwsServiceError('MissingRequiredParameterException', message, 400, 'MissingParameter');
const invalidCombination = (message: string) =>
  new AwsServiceError('InvalidParameterCombinationException', message, 400, 'InvalidParameterCombination');

export function parseDimensions(value: unknown, where: string): Dimension[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidParameter(`${where}.Dimensions must be a list`);
  return value.map((d, i) => {
    const fields = fieldsOf(d);
    if (typeof fields.Name !== 'string' || typeof fields.Value !== 'string' || !fields.Name)
      throw invalidParameter(`${where}.Dimensions[${i}] needs a string Name and Value`);
    return { Name: fields.Name, Value: fields.Value };
  });
}

/** CloudWatch identifies a metric by namespace, name and the exact set of dimensions. */
export function metricKey(namespace: string, metricName: string, dimensions: Dimension[]): string {
  const dims = [...dimensions].sort((a, b) => a.Name.localeCompare(b.Name)).map((d) => `${d.Name}=${d.Value}`);
  return JSON.stringify([namespace, metricName, dims]);
}

/** A JSON-protocol timestamp: epoch seconds, or an ISO string from a hand-written request. */
export function timestampMs(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = typeof value === 'number' ? value * 1000 : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw invalidParameter(`${field} is not a timestamp`);
  return ms;
}

function finite(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidParameter(`${field} must be a finite number`);
  return value;
}

/** Reduces one MetricDatum (Value, Values+Counts or StatisticValues) to an aggregate. */
function aggregateOf(datum: Record<string, unknown>, where: string): Aggregate {
  const given = ['Value', 'Values', 'StatisticValues'].filter((k) => datum[k] !== undefined && datum[k] !== null);
  if (given.length !== 1) throw invalidCombination(`${where} needs exactly one of Value, Values or StatisticValues`);
  if (datum.Value !== undefined && datum.Value !== null) {
    const value = finite(datum.Value, `${where}.Value`);
    return { count: 1, sum: value, min: value, max: value };
  }
  if (Array.isArray(datum.Values)) {
    const counts = datum.Counts === undefined || datum.Counts === null ? undefined : datum.Counts;
    if (counts !== undefined && (!Array.isArray(counts) || counts.length !== datum.Values.length))
      throw invalidCombination(`${where}.Counts must have as many entries as Values`);
    if (datum.Values.length === 0) throw invalidParameter(`${where}.Values is empty`);
    return datum.Values.map((v, i) => {
      const value = finite(v, `${where}.Values[${i}]`);
      const count = counts ? finite(counts[i], `${where}.Counts[${i}]`) : 1;
      return { count, sum: value * count, min: value, max: value };
    }).reduce(mergeAggregates);
  }
  const stats = fieldsOf(datum.StatisticValues);
  return {
    count: finite(stats.SampleCount, `${where}.StatisticValues.SampleCount`),
    sum: finite(stats.Sum, `${where}.StatisticValues.Sum`),
    min: finite(stats.Minimum, `${where}.StatisticValues.Minimum`),
    max: finite(stats.Maximum, `${where}.StatisticValues.Maximum`),
  };
}

/** Metric samples per region, kept as per-request aggregates with their local timestamps. */
export function createMetricStore(now: () => number) {
  const regions = new Map<string, Map<string, Series>>();
  const seriesOf = (region: string, key: string, create: boolean): Series | undefined => {
    const metrics = getOrCreate(regions, region, () => new Map<string, Series>());
    return create ? getOrCreate(metrics, key, () => ({ points: [] })) : metrics.get(key);
  };

  return {
    /** PutMetricData. */
    put(region: string, input: Record<string, unknown>): void {
      const namespace = requiredString(input, 'Namespace', missingParameter);
      if (namespace.startsWith('AWS/')) throw invalidParameter('Namespaces starting with AWS/ are reserved for AWS');
      if (!Array.isArray(input.MetricData) || input.MetricData.length === 0) throw missingParameter('MetricData is required');
      const at = now();
      const parsed = input.MetricData.map((raw, i) => {
        const where = `MetricData[${i}]`;
        const datum = fieldsOf(raw);
        const metricName = requiredString(datum, 'MetricName', missingParameter);
        const key = metricKey(namespace, metricName, parseDimensions(datum.Dimensions, where));
        return { key, point: { ...aggregateOf(datum, where), at: timestampMs(datum.Timestamp, `${where}.Timestamp`) ?? at } };
      });
      // Validate the whole request before storing any of it, as CloudWatch does.
      for (const { key, point } of parsed) {
        const series = seriesOf(region, key, true)!;
        series.points.push(point);
        while (series.points.length > 0 && series.points[0]!.at < at - RETENTION_MS) series.points.shift();
      }
    },
    datapoints(region: string, key: string): Datapoint[] {
      return seriesOf(region, key, false)?.points ?? [];
    },
    /** GetMetricStatistics; `periodMs` is the request's Period already scaled to local time. */
    statistics(region: string, input: Record<string, unknown>, periodMs: number) {
      const namespace = requiredString(input, 'Namespace', missingParameter);
      const metricName = requiredString(input, 'MetricName', missingParameter);
      const start = timestampMs(input.StartTime, 'StartTime');
      const end = timestampMs(input.EndTime, 'EndTime');
      if (start === undefined || end === undefined) throw missingParameter('StartTime and EndTime are required');
      if (input.ExtendedStatistics !== undefined) throw invalidParameter('ExtendedStatistics (percentiles) are not supported locally');
      const statistics = Array.isArray(input.Statistics) ? (input.Statistics as Statistic[]) : [];
      if (statistics.length === 0 || statistics.some((s) => !STATISTICS.includes(s)))
        throw invalidParameter(`Statistics must list some of ${STATISTICS.join(', ')}`);
      const points = this.datapoints(region, metricKey(namespace, metricName, parseDimensions(input.Dimensions, 'request')));
      const buckets = new Map<number, Aggregate>();
      for (const point of points) {
        if (point.at < start || point.at >= end) continue;
        const index = periodIndex(point.at, periodMs);
        const existing = buckets.get(index);
        buckets.set(index, existing ? mergeAggregates(existing, point) : point);
      }
      const Datapoints = [...buckets.entries()]
        .sort(([a], [b]) => a - b)
        .map(([index, aggregate]) => ({
          Timestamp: (index * periodMs) / 1000,
          Unit: 'None',
          ...Object.fromEntries(statistics.map((s) => [s, statisticOf(aggregate, s)])),
        }));
      return { Label: metricName, Datapoints };
    },
  };
}
