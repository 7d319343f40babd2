import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricStatisticsCommand,
  InvalidParameterValueException,
  PutCompositeAlarmCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  ResourceNotFound,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { ControlPlane } from '../../../local/control-plane';
import { eventually } from '../../support/eventually';
import { clientConfig, functionArn, startTestControlPlane, stateMachineArn } from './harness';

const EAST = 'us-east-1';
const NAMESPACE = 'Switchyard';
const dimensions = [{ Name: 'Service', Value: 'state-api' }];
const statesOf = (plane: ControlPlane, alarmName: string) =>
  plane
    .events()
    .filter((e) => e.type === 'AlarmStateChange' && e.alarmName === alarmName)
    .map((e) => e.state);
/** Whether `wanted` appears in `seen` in order, other states allowed in between. */
function inOrder(seen: unknown[], wanted: string[]): boolean {
  let from = 0;
  for (const state of wanted) {
    const at = seen.indexOf(state, from);
    if (at < 0) return false;
    from = at + 1;
  }
  return true;
}

describe('control plane: CloudWatch metrics and alarms', () => {
  let plane: ControlPlane;
  let cloudWatch: CloudWatchClient;

  beforeAll(async () => {
    // 0.1 local seconds per AWS second: a 10 s period is a 1 s bucket.
    plane = await startTestControlPlane({ timeScale: 0.1 });
    cloudWatch = new CloudWatchClient(clientConfig(plane, EAST));
  });
  afterAll(async () => {
    cloudWatch.destroy();
    await plane.stop();
  });

  it('takes an alarm OK → ALARM → OK on 2 of 3 breaching periods, with missing data per TreatMissingData', async () => {
    // Prepare: two alarms on one metric, differing only in how they treat missing data.
    const rule = {
      Namespace: NAMESPACE,
      MetricName: 'Errors',
      Dimensions: dimensions,
      Statistic: 'Sum' as const,
      Period: 10,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Threshold: 5,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold' as const,
    };
    await cloudWatch.send(new PutMetricAlarmCommand({ ...rule, AlarmName: 'errors-not-breaching', TreatMissingData: 'notBreaching' }));
    await cloudWatch.send(new PutMetricAlarmCommand({ ...rule, AlarmName: 'errors-missing', TreatMissingData: 'missing' }));
    const state = (name: string) => plane.alarmStates(EAST).find((a) => a.name === name)?.state;
    await eventually('no data treated as not breaching', () => state('errors-not-breaching') === 'OK', 60_000);

    // Act: errors every 100 ms until both alarms fire, then silence.
    const pump = setInterval(() => {
      void cloudWatch
        .send(
          new PutMetricDataCommand({
            Namespace: NAMESPACE,
            MetricData: [{ MetricName: 'Errors', Dimensions: dimensions, Value: 10, StorageResolution: 1 }],
          }),
        )
        .catch(() => undefined);
    }, 100);
    try {
      await eventually(
        'both alarms in ALARM',
        () => [state('errors-not-breaching'), state('errors-missing')].every((x) => x === 'ALARM'),
        60_000,
      );
    } finally {
      clearInterval(pump);
    }
    await eventually('recovery once the errors stop', () => state('errors-not-breaching') === 'OK', 60_000);
    await eventually('no data at all → INSUFFICIENT_DATA', () => state('errors-missing') === 'INSUFFICIENT_DATA', 60_000);
    const described = await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: ['errors-not-breaching', 'errors-missing'] }));
    const series = await cloudWatch.send(
      new GetMetricStatisticsCommand({
        Namespace: NAMESPACE,
        MetricName: 'Errors',
        Dimensions: dimensions,
        StartTime: new Date(Date.now() - 600_000),
        EndTime: new Date(),
        Period: 10,
        Statistics: ['Sum', 'SampleCount'],
      }),
    );

    // Assess
    expect(inOrder(statesOf(plane, 'errors-not-breaching'), ['OK', 'ALARM', 'OK'])).toBe(true);
    expect(inOrder(statesOf(plane, 'errors-missing'), ['ALARM', 'INSUFFICIENT_DATA'])).toBe(true);
    expect(described.MetricAlarms?.map((a) => [a.AlarmName, a.StateValue, a.DatapointsToAlarm, a.TreatMissingData])).toEqual([
      ['errors-missing', 'INSUFFICIENT_DATA', 2, 'missing'],
      ['errors-not-breaching', 'OK', 2, 'notBreaching'],
    ]);
    expect(described.MetricAlarms?.[0]?.StateUpdatedTimestamp).toBeInstanceOf(Date);
    const points = series.Datapoints ?? [];
    expect(points.length).toBeGreaterThan(0);
    expect(points.every((p) => p.Sum === 10 * (p.SampleCount ?? 0) && p.Timestamp instanceof Date)).toBe(true);
  }, 120_000);

  it('reads Values with Counts and StatisticValues, gzipped when large', async () => {
    // Prepare: enough entries to push the body past 10 KB, which the SDK then gzips.
    const at = new Date();
    const filler = Array.from({ length: 400 }, (_, i) => ({ MetricName: `Filler${i}`, Value: i, Timestamp: at }));
    // Act
    await cloudWatch.send(
      new PutMetricDataCommand({
        Namespace: NAMESPACE,
        MetricData: [
          { MetricName: 'Latency', Values: [100, 300], Counts: [3, 1], Timestamp: at },
          { MetricName: 'Latency', StatisticValues: { SampleCount: 2, Sum: 50, Minimum: 20, Maximum: 30 }, Timestamp: at },
          ...filler,
        ],
      }),
    );
    const stats = await cloudWatch.send(
      new GetMetricStatisticsCommand({
        Namespace: NAMESPACE,
        MetricName: 'Latency',
        StartTime: new Date(at.getTime() - 1000),
        EndTime: new Date(at.getTime() + 1000),
        Period: 3600,
        Statistics: ['SampleCount', 'Sum', 'Minimum', 'Maximum', 'Average'],
      }),
    );
    const rejected = await cloudWatch
      .send(new PutMetricDataCommand({ Namespace: NAMESPACE, MetricData: [{ MetricName: 'Bad', Value: 1, Values: [1] }] }))
      .catch((e: unknown) => e);
    // Assess
    expect(stats.Datapoints).toEqual([expect.objectContaining({ SampleCount: 6, Sum: 650, Minimum: 20, Maximum: 300 })]);
    expect(stats.Datapoints?.[0]?.Average).toBeCloseTo(650 / 6);
    expect(rejected).toMatchObject({ name: 'InvalidParameterCombinationException' });
  });

  it('refuses bad alarm definitions with a reason and SetAlarmState on an unknown alarm', async () => {
    // Prepare: nothing. Act
    const badOperator = await cloudWatch
      .send(
        new PutMetricAlarmCommand({
          AlarmName: 'bad',
          Namespace: NAMESPACE,
          MetricName: 'X',
          Statistic: 'Sum',
          Period: 10,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'LessThanLowerOrGreaterThanUpperThreshold',
        }),
      )
      .catch((e: unknown) => e);
    const badRule = await cloudWatch
      .send(new PutCompositeAlarmCommand({ AlarmName: 'bad-rule', AlarmRule: 'ALARM("nope")' }))
      .catch((e: unknown) => e);
    const unknown = await cloudWatch
      .send(new SetAlarmStateCommand({ AlarmName: 'nope', StateValue: 'ALARM', StateReason: 'drill' }))
      .catch((e: unknown) => e);
    // Assess
    expect(badOperator).toBeInstanceOf(InvalidParameterValueException);
    expect((badOperator as Error).message).toMatch(/ComparisonOperator/);
    expect(badRule).toBeInstanceOf(InvalidParameterValueException);
    expect((badRule as Error).message).toMatch(/nope/);
    expect(unknown).toBeInstanceOf(ResourceNotFound);
  });
});

describe('control plane: composite alarm → EventBridge rule → state machine', () => {
  const FAILOVER = stateMachineArn(EAST, 'switchyard-dev-failover');
  const NOTIFY = functionArn(EAST, 'switchyard-dev-notify');
  const TOPIC = `arn:aws:sns:${EAST}:000000000000:switchyard-dev-notifications`;
  let plane: ControlPlane;
  let cloudWatch: CloudWatchClient;
  let sfn: SFNClient;
  const invocations: unknown[] = [];

  beforeAll(async () => {
    const metricAlarm = (name: string) => ({
      region: EAST,
      kind: 'metric' as const,
      // As CloudFormation hands them over: numbers may be strings.
      properties: {
        AlarmName: name,
        Namespace: NAMESPACE,
        MetricName: name,
        Statistic: 'Maximum',
        Period: '3600',
        EvaluationPeriods: 1,
        Threshold: '1',
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      },
    });
    plane = await startTestControlPlane({
      invokeFunction: async (_region, _fn, payload) => {
        invocations.push(payload);
        return { notified: true };
      },
      stateMachines: [
        {
          region: EAST,
          name: 'switchyard-dev-failover',
          arn: FAILOVER,
          definition: { StartAt: 'Notify', States: { Notify: { Type: 'Task', Resource: NOTIFY, End: true } } },
        },
      ],
      alarms: [
        metricAlarm('primary-unhealthy'),
        metricAlarm('secondary-unhealthy'),
        {
          region: EAST,
          kind: 'composite',
          properties: {
            AlarmName: 'failover-wanted',
            AlarmRule: 'ALARM("primary-unhealthy") AND NOT ALARM("secondary-unhealthy")',
            AlarmActions: [TOPIC],
          },
        },
      ],
      rules: [
        {
          region: EAST,
          name: 'failover-on-alarm',
          eventPattern: {
            source: ['aws.cloudwatch'],
            'detail-type': ['CloudWatch Alarm State Change'],
            detail: { alarmName: ['failover-wanted'], state: { value: ['ALARM'] } },
          },
          target: {
            stateMachineArn: FAILOVER,
            inputTransformer: {
              InputPathsMap: { alarm: '$.detail.alarmName', state: '$.detail.state.value' },
              InputTemplate: '{"alarm": "<alarm>", "state": "<state>"}',
            },
          },
        },
      ],
    });
    cloudWatch = new CloudWatchClient(clientConfig(plane, EAST));
    sfn = new SFNClient(clientConfig(plane, EAST));
  });
  afterAll(async () => {
    cloudWatch.destroy();
    sfn.destroy();
    await plane.stop();
  });

  it('fires ALARM(a) AND NOT ALARM(b), starts the failover machine with the transformed input, and clears when b alarms too', async () => {
    // Prepare
    const composite = () => plane.alarmStates(EAST).find((a) => a.name === 'failover-wanted')?.state;
    await eventually('the composite to settle to OK', () => composite() === 'OK', 60_000);
    // Act
    await cloudWatch.send(new SetAlarmStateCommand({ AlarmName: 'primary-unhealthy', StateValue: 'ALARM', StateReason: 'drill' }));
    const execution = await eventually(
      'the failover execution to finish',
      () => plane.executions(EAST).find((e) => e.stateMachineArn === FAILOVER && e.status !== 'RUNNING'),
      60_000,
    );
    await cloudWatch.send(new SetAlarmStateCommand({ AlarmName: 'secondary-unhealthy', StateValue: 'ALARM', StateReason: 'drill' }));
    const afterBoth = composite();
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: execution?.executionArn }));
    const composites = await cloudWatch.send(new DescribeAlarmsCommand({ AlarmTypes: ['CompositeAlarm'] }));
    const onlyMetric = await cloudWatch.send(new DescribeAlarmsCommand({}));

    // Assess
    expect(execution?.status).toBe('SUCCEEDED');
    expect(invocations).toEqual([{ alarm: 'failover-wanted', state: 'ALARM' }]);
    expect(history.events?.[0]?.executionStartedEventDetails?.input).toBe('{"alarm": "failover-wanted", "state": "ALARM"}');
    expect(history.events?.map((e) => e.type)).toContain('LambdaFunctionSucceeded');
    expect(afterBoth).toBe('OK');
    expect(composites.CompositeAlarms?.map((a) => [a.AlarmName, a.StateValue, a.AlarmRule])).toEqual([
      ['failover-wanted', 'OK', 'ALARM("primary-unhealthy") AND NOT ALARM("secondary-unhealthy")'],
    ]);
    expect(composites.MetricAlarms).toEqual([]);
    expect(onlyMetric.CompositeAlarms).toEqual([]);
    const order = plane.events().map((e) => (e.type === 'ExecutionStarted' ? 'started' : `${e.alarmName}:${e.state}`));
    expect(order.indexOf('primary-unhealthy:ALARM')).toBeLessThan(order.indexOf('failover-wanted:ALARM'));
    expect(order.indexOf('failover-wanted:ALARM')).toBeLessThan(order.indexOf('started'));
    expect(plane.snsMessages(EAST).map((m) => [m.topicArn, m.subject])).toEqual([[TOPIC, `ALARM: "failover-wanted" in ${EAST}`]]);
  });
});
