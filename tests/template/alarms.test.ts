import { type CfnTemplate, packagedTemplate, resourcesOfType, stage } from '../support/templates';

const props = (template: CfnTemplate, id: string) => {
  const resource = template.Resources[id];
  if (!resource) throw new Error(`${id} is not in the template`);
  return resource.Properties as Record<string, any>;
};

describe.each([
  ['primary', stage.primaryRegion, stage.secondaryRegion],
  ['secondary', stage.secondaryRegion, stage.primaryRegion],
])('probe alarms in the %s template', (_role, region, peer) => {
  const template = packagedTemplate(region);
  const t = stage.thresholds;

  it('alarm when the peer fails N of M high-resolution probe periods, from this region', () => {
    const alarm = props(template, 'PeerDownAlarm');
    expect(alarm).toMatchObject({
      Namespace: 'Switchyard/Health',
      MetricName: 'PeerHealthy',
      Period: t.probeIntervalSeconds,
      EvaluationPeriods: t.peerDownEvaluationPeriods,
      DatapointsToAlarm: t.peerDownDatapoints,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      // A silent probe says nothing about the peer.
      TreatMissingData: 'notBreaching',
    });
    expect(alarm.Dimensions).toEqual(
      expect.arrayContaining([
        { Name: 'Region', Value: region },
        { Name: 'Peer', Value: peer },
      ]),
    );
  });

  it('treat a silent or failing observer as unhealthy', () => {
    expect(props(template, 'SelfUnhealthyAlarm')).toMatchObject({
      MetricName: 'SelfHealthy',
      Dimensions: expect.arrayContaining([{ Name: 'Region', Value: region }]),
      DatapointsToAlarm: 1,
      TreatMissingData: 'breaching',
    });
  });

  it('use the two-sided rule: peer down AND NOT self unhealthy', () => {
    const composite = props(template, 'PeerRegionDownAlarm');
    expect(composite.AlarmName).toBe(`switchyard-dev-region-down-${peer}`);
    expect(composite.AlarmRule).toEqual({ 'Fn::Sub': 'ALARM("${PeerDownAlarm}") AND NOT ALARM("${SelfUnhealthyAlarm}")' });
    expect(composite.AlarmActions).toEqual([{ Ref: 'NotificationsTopic' }]);
  });

  it('alarm on replication lag from the peer above the stage threshold', () => {
    expect(props(template, 'ReplicationLagAlarm')).toMatchObject({
      MetricName: 'ReplicationLag',
      Threshold: t.replicationLagAlarmSeconds,
      ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: expect.arrayContaining([
        { Name: 'From', Value: peer },
        { Name: 'To', Value: region },
      ]),
    });
  });

  it('alarm when a runbook execution fails, times out or is aborted', () => {
    const names = resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(([, r]) => String((r.Properties as any).MetricName));
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted']) expect(names).toContain(metric);
  });

  it('notify the stage topic, subscribed from the stage config', () => {
    const topic = props(template, 'NotificationsTopic');
    expect(topic.Subscription).toEqual(stage.notifications.emails.map((Endpoint) => ({ Protocol: 'email', Endpoint })));
  });

  it('run the probe on a schedule with a minute of rounds', () => {
    const rules = resourcesOfType(template, 'AWS::Events::Rule').map(([, r]) => r.Properties as any);
    const schedule = rules.find((r) => r.ScheduleExpression && r.Targets[0].Arn['Fn::GetAtt']?.[0] === 'HealthProbeLambdaFunction');
    expect(schedule).toMatchObject({ ScheduleExpression: 'rate(1 minute)', State: 'ENABLED' });
    expect(props(template, 'HealthProbeLambdaFunction').Timeout).toBeGreaterThan(60);
  });
});

describe('the automatic failover rule', () => {
  const secondary = packagedTemplate(stage.secondaryRegion);
  const rule = resourcesOfType(secondary, 'AWS::Events::Rule')
    .map(([, r]) => r.Properties as any)
    .find((r) => r.EventPattern?.source?.includes('aws.cloudwatch'));

  it('matches only the "primary down" composite entering ALARM', () => {
    expect(rule.EventPattern).toEqual({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      detail: { alarmName: [`switchyard-dev-region-down-${stage.primaryRegion}`], state: { value: ['ALARM'] } },
    });
    // That alarm exists in the secondary, and nowhere else.
    expect(props(secondary, 'PeerRegionDownAlarm').AlarmName).toBe(`switchyard-dev-region-down-${stage.primaryRegion}`);
    expect(props(packagedTemplate(stage.primaryRegion), 'PeerRegionDownAlarm').AlarmName).not.toBe(
      `switchyard-dev-region-down-${stage.primaryRegion}`,
    );
  });

  it('starts the failover state machine as an ungraceful, alarm-requested run', () => {
    const [target] = rule.Targets;
    expect(target.Arn).toEqual({ Ref: 'FailoverStateMachine' });
    const input = JSON.parse(
      target.InputTransformer.InputTemplate.replace('<alarm>', 'x').replace('<alarm>', 'x').replace('<time>', '2026-01-01T00:00:00Z'),
    );
    expect(input).toEqual({
      mode: 'ungraceful',
      requestedBy: 'alarm:x',
      reason: expect.any(String),
      detectedAt: '2026-01-01T00:00:00Z',
    });
    expect(target.InputTransformer.InputPathsMap).toEqual({ alarm: '$.detail.alarmName', time: '$.time' });
  });
});
