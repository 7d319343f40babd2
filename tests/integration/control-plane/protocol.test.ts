import { CloudWatchClient, GetMetricDataCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { ListActivitiesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { InvalidParameterException, ListTopicsCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { ControlPlane } from '../../../local/control-plane';
import { eventually } from '../../support/eventually';
import { clientConfig, startTestControlPlane } from './harness';

const EAST = 'us-east-1';
const WEST = 'us-west-2';

describe('control plane: regions, SNS and the wire protocols', () => {
  let plane: ControlPlane;
  const down = new Set<string>();

  beforeAll(async () => {
    plane = await startTestControlPlane({
      timeScale: 0.1,
      isRegionDown: (region) => down.has(region),
      parameters: [
        { region: EAST, name: '/switchyard/dev/p', value: 'east' },
        { region: WEST, name: '/switchyard/dev/p', value: 'west' },
      ],
    });
  });
  afterAll(async () => {
    await plane.stop();
  });

  it('drops every request for a region that is down, like an unreachable endpoint, while the other region answers', async () => {
    // Prepare
    const east = new SSMClient(clientConfig(plane, EAST));
    const west = new SSMClient(clientConfig(plane, WEST));
    down.add(WEST);
    try {
      // Act
      const fromWest = await west.send(new GetParameterCommand({ Name: '/switchyard/dev/p' })).catch((e: unknown) => e);
      const fromEast = await east.send(new GetParameterCommand({ Name: '/switchyard/dev/p' }));
      down.delete(WEST);
      const westAgain = await west.send(new GetParameterCommand({ Name: '/switchyard/dev/p' }));
      // Assess
      expect(fromWest).toBeInstanceOf(Error);
      // A network failure, not an answer: the SDK got no HTTP response at all.
      expect((fromWest as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBeUndefined();
      expect(fromEast.Parameter?.Value).toBe('east');
      expect(westAgain.Parameter?.Value).toBe('west');
    } finally {
      down.delete(WEST);
      east.destroy();
      west.destroy();
    }
  });

  it('stops evaluating the alarms of a region that is down', async () => {
    // Prepare: the same alarm in both regions; with no data and notBreaching it goes OK at its first evaluation.
    const alarm = {
      AlarmName: 'quiet',
      Namespace: 'Switchyard',
      MetricName: 'Nothing',
      Statistic: 'Sum' as const,
      Period: 10,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold' as const,
      TreatMissingData: 'notBreaching',
    };
    for (const region of [EAST, WEST]) {
      const client = new CloudWatchClient(clientConfig(plane, region));
      await client.send(new PutMetricAlarmCommand(alarm));
      client.destroy();
    }
    down.add(WEST);
    try {
      // Act: let east evaluate twice over, so west has had its chances too.
      await eventually('east to evaluate', () => plane.alarmStates(EAST)[0]?.state === 'OK', 60_000);
      const evaluatedAt = Date.parse(plane.alarmStates(EAST)[0]?.updatedAt ?? '');
      await eventually('two more periods of east', () => Date.now() > evaluatedAt + 2_000, 60_000);
      const westWhileDown = plane.alarmStates(WEST)[0]?.state;
      down.delete(WEST);
      // Assess
      expect(westWhileDown).toBe('INSUFFICIENT_DATA');
      await eventually('west to evaluate once back', () => plane.alarmStates(WEST)[0]?.state === 'OK', 60_000);
    } finally {
      down.delete(WEST);
    }
  }, 120_000);

  it('records SNS Publish per region and refuses a topic of another region', async () => {
    // Prepare
    const sns = new SNSClient(clientConfig(plane, WEST));
    const topic = 'arn:aws:sns:us-west-2:000000000000:switchyard-dev-notifications';
    // Act
    const published = await sns.send(new PublishCommand({ TopicArn: topic, Subject: 'Failover', Message: '{"to":"us-west-2"}' }));
    const wrongRegion = await sns
      .send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:switchyard-dev-notifications', Message: 'x' }))
      .catch((e: unknown) => e);
    sns.destroy();
    // Assess
    expect(published.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(plane.snsMessages(WEST)).toEqual([
      { region: WEST, topicArn: topic, subject: 'Failover', message: '{"to":"us-west-2"}', at: expect.any(String) },
    ]);
    expect(plane.snsMessages(EAST)).toEqual([]);
    expect(wrongRegion).toBeInstanceOf(InvalidParameterException);
  });

  it.each([
    ['SNS ListTopics', () => new SNSClient(clientConfig(plane, EAST)).send(new ListTopicsCommand({})), 'sns:ListTopics'],
    [
      'CloudWatch GetMetricData',
      () =>
        new CloudWatchClient(clientConfig(plane, EAST)).send(
          new GetMetricDataCommand({ MetricDataQueries: [], StartTime: new Date(), EndTime: new Date() }),
        ),
      'GraniteServiceVersion20100801.GetMetricData',
    ],
    [
      'Step Functions ListActivities',
      () => new SFNClient(clientConfig(plane, EAST)).send(new ListActivitiesCommand({})),
      'AWSStepFunctions.ListActivities',
    ],
  ])('answers %s with UnknownOperationException naming it', async (_title, call, named) => {
    // Prepare: an operation outside the local API. Act
    const failure = await call().catch((e: unknown) => e);
    // Assess
    expect(failure).toMatchObject({ name: 'UnknownOperationException', message: expect.stringContaining(named) });
  });

  it('answers unsigned and malformed requests with a 4xx that says why', async () => {
    // Prepare: requests no SDK would send. Act
    const unsigned = await fetch(plane.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'AmazonSSM.GetParameter', 'content-type': 'application/x-amz-json-1.1' },
      body: '{"Name":"/switchyard/dev/p"}',
    });
    const malformed = await fetch(plane.endpoint, {
      method: 'POST',
      headers: {
        'x-amz-target': 'AmazonSSM.GetParameter',
        'content-type': 'application/x-amz-json-1.1',
        authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/ssm/aws4_request, SignedHeaders=host, Signature=x',
      },
      body: '{not json',
    });
    // Assess
    expect(unsigned.status).toBe(400);
    expect(await unsigned.json()).toEqual({ __type: 'IncompleteSignature', message: expect.stringContaining('SigV4') });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ __type: 'SerializationException', message: 'The request body is not a JSON object' });
  });
});

describe('control plane: definitions it cannot run', () => {
  const arn = 'arn:aws:states:us-east-1:000000000000:stateMachine:m';
  const machine = (definition: object) => ({ stateMachines: [{ region: EAST, name: 'm', arn, definition }] });

  it.each([
    [
      'a JSONata state machine',
      machine({ QueryLanguage: 'JSONata', StartAt: 'A', States: { A: { Type: 'Pass', End: true } } }),
      /State machine m \(us-east-1\): JSONata/,
    ],
    [
      'a Task on an integration the control plane does not run',
      machine({ StartAt: 'A', States: { A: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', End: true } } }),
      /Task A uses arn:aws:states:::dynamodb:putItem/,
    ],
    ['an invalid definition', machine({ StartAt: 'Missing', States: {} }), /State machine m \(us-east-1\)/],
    [
      'a metric-math alarm',
      { alarms: [{ region: EAST, kind: 'metric' as const, properties: { AlarmName: 'math', Metrics: [{ Id: 'e', Expression: 'a+b' }] } }] },
      /Alarm math \(us-east-1\): Metric math/,
    ],
    [
      'a composite alarm on an unknown alarm',
      { alarms: [{ region: EAST, kind: 'composite' as const, properties: { AlarmName: 'c', AlarmRule: 'ALARM("ghost")' } }] },
      /Alarm c \(us-east-1\): .*ghost/,
    ],
    [
      'a rule with a matcher the event bus lacks',
      { rules: [{ region: EAST, name: 'r', eventPattern: { source: [{ cidr: '10.0.0.0/8' }] }, target: { stateMachineArn: arn } }] },
      /Rule r \(us-east-1\): .*cidr/,
    ],
  ])('refuses %s at start, naming it', async (_title, options, message) => {
    // Prepare: the options above. Act
    const start = startTestControlPlane(options);
    // Assess
    await expect(start).rejects.toThrow(message);
  });
});
