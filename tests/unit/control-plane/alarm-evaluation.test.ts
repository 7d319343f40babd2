import {
  type AlarmState,
  type Datapoint,
  evaluateMetricAlarm,
  type MetricAlarmRule,
  recentPeriods,
  statisticOf,
} from '../../../local/control-plane/alarm-evaluation';

const rule = (overrides: Partial<MetricAlarmRule> = {}): MetricAlarmRule => ({
  statistic: 'Sum',
  comparisonOperator: 'GreaterThanOrEqualToThreshold',
  threshold: 5,
  evaluationPeriods: 3,
  datapointsToAlarm: 2,
  treatMissingData: 'missing',
  ...overrides,
});
const point = (at: number, value: number): Datapoint => ({ at, count: 1, sum: value, min: value, max: value });

describe('recentPeriods', () => {
  it('aggregates the last complete periods, oldest first, leaving gaps undefined and ignoring the current period', () => {
    // Prepare: 1 s periods; now is 10.5 s, so the complete periods are [7,8), [8,9), [9,10).
    const points = [point(6_500, 100), point(7_100, 1), point(7_900, 3), point(9_000, 7), point(10_200, 50)];
    // Act
    const periods = recentPeriods(points, { periodMs: 1000, periods: 3, now: 10_500 });
    // Assess
    expect(periods).toEqual([{ count: 2, sum: 4, min: 1, max: 3 }, undefined, { count: 1, sum: 7, min: 7, max: 7 }]);
  });
});

describe('statisticOf', () => {
  it.each([
    ['Average', 2.5],
    ['Sum', 10],
    ['Minimum', 1],
    ['Maximum', 4],
    ['SampleCount', 4],
  ] as const)('%s', (statistic, expected) => {
    // Prepare
    const aggregate = { count: 4, sum: 10, min: 1, max: 4 };
    // Act
    const value = statisticOf(aggregate, statistic);
    // Assess
    expect(value).toBe(expected);
  });
});

describe('evaluateMetricAlarm', () => {
  const cases: Array<[string, Partial<MetricAlarmRule>, Array<number | undefined>, AlarmState, AlarmState]> = [
    ['2 of 3 breaching → ALARM', {}, [6, 1, 9], 'OK', 'ALARM'],
    ['1 of 3 breaching → OK', {}, [6, 1, 1], 'ALARM', 'OK'],
    ['threshold itself breaches with >=', {}, [5, 5, 0], 'OK', 'ALARM'],
    ['threshold itself does not breach with >', { comparisonOperator: 'GreaterThanThreshold' }, [5, 5, 0], 'OK', 'OK'],
    ['LessThanThreshold', { comparisonOperator: 'LessThanThreshold', threshold: 1 }, [0, 0, 3], 'OK', 'ALARM'],
    ['missing: all missing → INSUFFICIENT_DATA', {}, [undefined, undefined, undefined], 'ALARM', 'INSUFFICIENT_DATA'],
    ['missing: present points decide', {}, [undefined, 9, 9], 'OK', 'ALARM'],
    ['missing: too few breaching present points → OK', {}, [undefined, undefined, 9], 'INSUFFICIENT_DATA', 'OK'],
    ['breaching: gaps count against', { treatMissingData: 'breaching' }, [undefined, undefined, 1], 'OK', 'ALARM'],
    ['breaching: all missing → ALARM', { treatMissingData: 'breaching' }, [undefined, undefined, undefined], 'OK', 'ALARM'],
    ['notBreaching: gaps count for', { treatMissingData: 'notBreaching' }, [undefined, undefined, 9], 'ALARM', 'OK'],
    ['notBreaching: all missing → OK', { treatMissingData: 'notBreaching' }, [undefined, undefined, undefined], 'ALARM', 'OK'],
    ['ignore: all missing keeps ALARM', { treatMissingData: 'ignore' }, [undefined, undefined, undefined], 'ALARM', 'ALARM'],
    ['ignore: all missing keeps OK', { treatMissingData: 'ignore' }, [undefined, undefined, undefined], 'OK', 'OK'],
    ['ignore: present points decide', { treatMissingData: 'ignore' }, [9, undefined, 9], 'OK', 'ALARM'],
    ['1 of 1', { evaluationPeriods: 1, datapointsToAlarm: 1 }, [5], 'INSUFFICIENT_DATA', 'ALARM'],
  ];

  it.each(cases)('%s', (_title, overrides, values, current, expected) => {
    // Prepare: the rule and one value per period. Act
    const result = evaluateMetricAlarm(rule(overrides), values, current);
    // Assess
    expect(result.state).toBe(expected);
    expect(result.reason).not.toBe('');
  });

  it('explains a threshold crossing the way CloudWatch does', () => {
    // Prepare: 2 of 3 over 5. Act
    const result = evaluateMetricAlarm(rule(), [6, 1, 9], 'OK');
    // Assess
    expect(result.reason).toMatch(
      /^Threshold Crossed: 2 out of the last 3 datapoints \[6, 1, 9\] were greater than or equal to the threshold \(5\)/,
    );
  });
});
