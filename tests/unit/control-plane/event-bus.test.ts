import {
  assertSupportedEventPattern,
  matchesEventPattern,
  renderTargetInput,
  UnsupportedEventPattern,
  valueAtPath,
} from '../../../local/control-plane/event-bus';

const alarmEvent = {
  version: '0',
  id: 'e1',
  'detail-type': 'CloudWatch Alarm State Change',
  source: 'aws.cloudwatch',
  account: '000000000000',
  time: '2026-01-01T00:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:cloudwatch:us-east-1:000000000000:alarm:switchyard-dev-primary-unhealthy'],
  detail: {
    alarmName: 'switchyard-dev-primary-unhealthy',
    state: { value: 'ALARM', reason: 'Threshold "crossed"', timestamp: '2026-01-01T00:00:00.000+0000' },
    previousState: { value: 'OK' },
    configuration: { metrics: [{ id: 'm1', metricStat: { period: 10 } }] },
  },
};

describe('matchesEventPattern', () => {
  it.each([
    ['exact values and nested objects', { source: ['aws.cloudwatch'], detail: { state: { value: ['ALARM'] } } }, true],
    ['a value that differs', { detail: { state: { value: ['OK'] } } }, false],
    ['any of several values', { detail: { state: { value: ['INSUFFICIENT_DATA', 'ALARM'] } } }, true],
    [
      'an event array matching any element',
      { resources: ['arn:aws:cloudwatch:us-east-1:000000000000:alarm:switchyard-dev-primary-unhealthy'] },
      true,
    ],
    ['prefix', { detail: { alarmName: [{ prefix: 'switchyard-dev-' }] } }, true],
    ['prefix that does not match', { detail: { alarmName: [{ prefix: 'other-' }] } }, false],
    ['prefix on an array field', { resources: [{ prefix: 'arn:aws:cloudwatch:us-east-1:' }] }, true],
    ['suffix', { detail: { alarmName: [{ suffix: '-unhealthy' }] } }, true],
    ['anything-but a value', { detail: { state: { value: [{ 'anything-but': 'OK' }] } } }, true],
    ['anything-but a list holding the value', { detail: { state: { value: [{ 'anything-but': ['ALARM', 'OK'] }] } } }, false],
    ['anything-but a prefix', { detail: { alarmName: [{ 'anything-but': { prefix: 'switchyard' } }] } }, false],
    ['exists: true on a present leaf', { detail: { alarmName: [{ exists: true }] } }, true],
    ['exists: false on a missing field', { detail: { missing: [{ exists: false }] } }, true],
    ['exists: true on a missing field', { detail: { missing: [{ exists: true }] } }, false],
    ['a field the event lacks', { detail: { missing: ['x'] } }, false],
    ['numeric range', { detail: { configuration: { metrics: { metricStat: { period: [{ numeric: ['>', 5, '<=', 10] }] } } } } }, true],
    ['numeric range missed', { detail: { configuration: { metrics: { metricStat: { period: [{ numeric: ['>', 10] }] } } } } }, false],
    ['equals-ignore-case', { 'detail-type': [{ 'equals-ignore-case': 'cloudwatch alarm state change' }] }, true],
    ['wildcard', { detail: { alarmName: [{ wildcard: 'switchyard-*-unhealthy' }] } }, true],
  ])('%s', (_title, pattern, expected) => {
    // Prepare: the pattern above. Act
    const matched = matchesEventPattern(pattern as Record<string, unknown>, alarmEvent);
    // Assess
    expect(matched).toBe(expected);
  });

  it('requires every field of the pattern to match', () => {
    // Prepare
    const pattern = { source: ['aws.cloudwatch'], region: ['us-west-2'] };
    // Act
    const matched = matchesEventPattern(pattern, alarmEvent);
    // Assess
    expect(matched).toBe(false);
  });

  it('refuses matchers it does not implement, at load time', () => {
    // Prepare
    const pattern = { detail: { ip: [{ cidr: '10.0.0.0/8' }] } };
    // Act
    const check = () => assertSupportedEventPattern(pattern);
    // Assess
    expect(check).toThrow(UnsupportedEventPattern);
    expect(check).toThrow(/cidr/);
  });
});

describe('valueAtPath', () => {
  it('reads dotted, indexed and quoted paths', () => {
    // Prepare: alarmEvent. Act
    const read = ['$.detail.alarmName', '$.resources[0]', "$['detail-type']", '$.detail.nothing.here'].map((p) =>
      valueAtPath(alarmEvent, p),
    );
    // Assess
    expect(read).toEqual([
      'switchyard-dev-primary-unhealthy',
      'arn:aws:cloudwatch:us-east-1:000000000000:alarm:switchyard-dev-primary-unhealthy',
      'CloudWatch Alarm State Change',
      undefined,
    ]);
  });
});

describe('renderTargetInput', () => {
  const arn = 'arn:aws:states:us-east-1:000000000000:stateMachine:failover';

  it('passes the whole event when the target shapes nothing', () => {
    // Prepare: a bare target. Act
    const input = renderTargetInput({ stateMachineArn: arn }, alarmEvent, 'rule');
    // Assess
    expect(JSON.parse(input)).toEqual(alarmEvent);
  });

  it('uses a constant Input or an InputPath', () => {
    // Prepare: two targets. Act
    const constant = renderTargetInput({ stateMachineArn: arn, input: '{"reason":"drill"}' }, alarmEvent, 'rule');
    const path = renderTargetInput({ stateMachineArn: arn, inputPath: '$.detail.state' }, alarmEvent, 'rule');
    // Assess
    expect(JSON.parse(constant)).toEqual({ reason: 'drill' });
    expect(JSON.parse(path)).toEqual(alarmEvent.detail.state);
  });

  it('fills an InputTemplate from InputPathsMap, escaping strings inside quotes and inserting other values as JSON', () => {
    // Prepare
    const target = {
      stateMachineArn: arn,
      inputTransformer: {
        InputPathsMap: { alarm: '$.detail.alarmName', reason: '$.detail.state.reason', state: '$.detail.state' },
        InputTemplate:
          '{"alarm": "<alarm>", "reason": "<reason>", "state": <state>, "rule": "<aws.events.rule-name>", "keep": "<unknown>"}',
      },
    };
    // Act
    const input = renderTargetInput(target, alarmEvent, 'failover-on-alarm');
    // Assess
    expect(JSON.parse(input)).toEqual({
      alarm: 'switchyard-dev-primary-unhealthy',
      reason: 'Threshold "crossed"',
      state: alarmEvent.detail.state,
      rule: 'failover-on-alarm',
      keep: '<unknown>',
    });
  });
});
