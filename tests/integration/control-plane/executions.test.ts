import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { ControlPlane } from '../../../local/control-plane';
import { eventually } from '../../support/eventually';
import { clientConfig, functionArn, startTestControlPlane, stateMachineArn } from './harness';

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const FENCE = functionArn(EAST, 'switchyard-dev-fence');

class PhotoStoreUnavailable extends Error {
  override readonly name = 'PhotoStoreUnavailable';
}
class Throttled extends Error {
  override readonly name = 'Throttled';
}

const definitions = {
  // Direct Lambda ARN, a Catch on a custom error name, and $$ context in Parameters.
  guarded: {
    StartAt: 'Fence',
    States: {
      Fence: {
        Type: 'Task',
        Resource: FENCE,
        Parameters: { 'mode.$': '$.mode', 'executionId.$': '$$.Execution.Id', 'machine.$': '$$.StateMachine.Name' },
        Catch: [{ ErrorEquals: ['PhotoStoreUnavailable'], ResultPath: '$.failure', Next: 'Recovered' }],
        End: true,
      },
      Recovered: { Type: 'Pass', End: true },
    },
  },
  // The lambda:invoke integration, which wraps the result in Payload, retried on a named error.
  invoke: {
    StartAt: 'Invoke',
    States: {
      Invoke: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: FENCE, 'Payload.$': '$' },
        Retry: [{ ErrorEquals: ['Throttled'], IntervalSeconds: 5, MaxAttempts: 2 }],
        ResultSelector: { 'fenced.$': '$.Payload.fenced' },
        End: true,
      },
    },
  },
  waiting: {
    StartAt: 'Hold',
    States: { Hold: { Type: 'Wait', Seconds: 3600, Next: 'Done' }, Done: { Type: 'Succeed' } },
  },
  // A Wait on a timestamp from the input, as the runbooks' drains are.
  until: {
    StartAt: 'Drain',
    States: { Drain: { Type: 'Wait', TimestampPath: '$.fence.until', OutputPath: '$.fence', Next: 'Done' }, Done: { Type: 'Succeed' } },
  },
};

describe('control plane: Step Functions', () => {
  let plane: ControlPlane;
  let sfn: SFNClient;
  const calls: Array<{ region: string; functionArn: string; payload: unknown }> = [];
  let behaviour: (payload: unknown) => Promise<unknown> = async () => ({});

  beforeAll(async () => {
    plane = await startTestControlPlane({
      invokeFunction: async (region, fn, payload) => {
        calls.push({ region, functionArn: fn, payload });
        return behaviour(payload);
      },
      stateMachines: Object.entries(definitions).map(([name, definition]) => ({
        region: EAST,
        name,
        arn: stateMachineArn(EAST, name),
        definition,
      })),
      // Wait and Retry timings: 1 local ms per AWS second keeps the Retry quick, the Wait still long.
      waitTimeScale: 0.001,
    });
    sfn = new SFNClient(clientConfig(plane, EAST));
  });
  afterAll(async () => {
    sfn.destroy();
    await plane.stop();
  });
  beforeEach(() => {
    calls.length = 0;
  });

  const finished = (executionArn: string) =>
    eventually(
      `${executionArn} to finish`,
      async () => {
        const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
        return d.status !== 'RUNNING' && d;
      },
      60_000,
    );

  it('runs a Task through invokeFunction with the $$ context, and its history reads back through the SDK', async () => {
    // Prepare
    behaviour = async (payload) => ({ fenced: true, saw: payload });
    // Act
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: stateMachineArn(EAST, 'guarded'), name: 'ok-1', input: '{"mode":"drill"}' }),
    );
    const described = await finished(started.executionArn!);
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn }));
    // Assess
    expect(started.startDate).toBeInstanceOf(Date);
    expect(calls).toEqual([
      { region: EAST, functionArn: FENCE, payload: { mode: 'drill', executionId: started.executionArn, machine: 'guarded' } },
    ]);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output ?? '')).toEqual({
      fenced: true,
      saw: { mode: 'drill', executionId: started.executionArn, machine: 'guarded' },
    });
    expect(described.stopDate).toBeInstanceOf(Date);
    expect(history.events?.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(history.events?.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(history.events?.[0]?.timestamp).toBeInstanceOf(Date);
    expect(history.events?.[1]?.stateEnteredEventDetails?.name).toBe('Fence');
    expect(JSON.parse(history.events?.[4]?.lambdaFunctionSucceededEventDetails?.output ?? '')).toMatchObject({ fenced: true });
  });

  it('surfaces a named error from the Lambda to a Catch on that name', async () => {
    // Prepare
    behaviour = async () => {
      throw new PhotoStoreUnavailable('bucket unreachable');
    };
    // Act
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: stateMachineArn(EAST, 'guarded'), input: '{"mode":"x"}' }));
    const described = await finished(started.executionArn!);
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn }));
    // Assess
    expect(described.status).toBe('SUCCEEDED');
    const output = JSON.parse(described.output ?? '');
    expect(output.failure.Error).toBe('PhotoStoreUnavailable');
    expect(JSON.parse(output.failure.Cause)).toEqual({ errorType: 'PhotoStoreUnavailable', errorMessage: 'bucket unreachable' });
    const failed = history.events?.find((e) => e.type === 'LambdaFunctionFailed');
    expect(failed?.lambdaFunctionFailedEventDetails?.error).toBe('PhotoStoreUnavailable');
    expect(history.events?.map((e) => e.type)).toContain('PassStateEntered');
  });

  it('fails the execution with the error name when nothing catches it', async () => {
    // Prepare
    behaviour = async () => {
      throw new TypeError('boom');
    };
    // Act
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: stateMachineArn(EAST, 'guarded'), input: '{"mode":"x"}' }));
    const described = await finished(started.executionArn!);
    // Assess
    expect(described).toMatchObject({ status: 'FAILED', error: 'TypeError' });
    expect(JSON.parse(described.cause ?? '')).toEqual({ errorType: 'TypeError', errorMessage: 'boom' });
  });

  it('wraps a lambda:invoke result in Payload and retries a named error', async () => {
    // Prepare: throttled once, then fine.
    let attempts = 0;
    behaviour = async () => {
      attempts += 1;
      if (attempts === 1) throw new Throttled('slow down');
      return { fenced: 'yes' };
    };
    // Act
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: stateMachineArn(EAST, 'invoke'), input: '{"region":"us-east-1"}' }),
    );
    const described = await finished(started.executionArn!);
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn }));
    // Assess
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output ?? '')).toEqual({ fenced: 'yes' });
    expect(calls.map((c) => c.payload)).toEqual([{ region: 'us-east-1' }, { region: 'us-east-1' }]);
    expect(history.events?.filter((e) => e.type === 'TaskFailed').map((e) => e.taskFailedEventDetails?.error)).toEqual(['Throttled']);
    expect(history.events?.filter((e) => e.type === 'TaskSucceeded')).toHaveLength(1);
  });

  it('ends a Wait on a timestamp at its whole second, as Step Functions truncates the milliseconds', async () => {
    // Prepare: a timestamp 999 ms past a whole second that is one to two seconds ahead.
    const second = Math.ceil(Date.now() / 1000) * 1000 + 1000;
    const until = new Date(second + 999).toISOString();
    // Act
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: stateMachineArn(EAST, 'until'), input: JSON.stringify({ fence: { until } }) }),
    );
    const described = await finished(started.executionArn!);
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn }));
    // Assess: not before the whole second, and before the milliseconds on top of it.
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output ?? '')).toEqual({ until });
    const ended = (described.stopDate as Date).getTime();
    expect(ended).toBeGreaterThanOrEqual(second);
    expect(ended).toBeLessThan(second + 999);
    expect(history.events?.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'WaitStateEntered',
      'WaitStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('fails an execution whose Wait timestamp is missing with States.Runtime', async () => {
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: stateMachineArn(EAST, 'until'), input: '{"fence":{}}' }));
    const described = await finished(started.executionArn!);
    expect(described.status).toBe('FAILED');
    expect(described.error).toBe('States.Runtime');
  });

  it('refuses a second execution with the same name', async () => {
    // Prepare
    behaviour = async () => ({});
    const first = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: stateMachineArn(EAST, 'guarded'), name: 'once', input: '{"mode":"x"}' }),
    );
    await finished(first.executionArn!);
    // Act
    const second = await sfn
      .send(new StartExecutionCommand({ stateMachineArn: stateMachineArn(EAST, 'guarded'), name: 'once', input: '{"mode":"x"}' }))
      .catch((e: unknown) => e);
    // Assess
    expect(second).toBeInstanceOf(ExecutionAlreadyExists);
  });

  it('stops a running execution, which then lists as ABORTED with its history closed', async () => {
    // Prepare
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: stateMachineArn(EAST, 'waiting'), input: '{}' }));
    // Act
    await sfn.send(new StopExecutionCommand({ executionArn: started.executionArn, error: 'Drill', cause: 'operator stopped it' }));
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    const aborted = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: stateMachineArn(EAST, 'waiting'), statusFilter: 'ABORTED' }),
    );
    const history = await eventually(
      'the ExecutionAborted history event',
      async () => {
        const h = await sfn.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn }));
        return h.events?.at(-1)?.type === 'ExecutionAborted' && h;
      },
      60_000,
    );
    // Assess
    expect(described).toMatchObject({ status: 'ABORTED', error: 'Drill', cause: 'operator stopped it' });
    expect(aborted.executions?.map((e) => e.executionArn)).toEqual([started.executionArn]);
    expect(history.events?.at(-1)?.executionAbortedEventDetails?.error).toBe('Drill');
    expect(plane.executions(EAST).find((e) => e.executionArn === started.executionArn)?.status).toBe('ABORTED');
  });

  it('lists executions newest first and describes state machines of the region only', async () => {
    // Prepare
    behaviour = async () => ({});
    const older = await sfn.send(new StartExecutionCommand({ stateMachineArn: stateMachineArn(EAST, 'guarded'), input: '{"mode":"x"}' }));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const newer = await sfn.send(new StartExecutionCommand({ stateMachineArn: stateMachineArn(EAST, 'guarded'), input: '{"mode":"x"}' }));
    const west = new SFNClient(clientConfig(plane, WEST));
    // Act
    const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: stateMachineArn(EAST, 'guarded') }));
    const machine = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: stateMachineArn(EAST, 'guarded') }));
    const eastMachines = await sfn.send(new ListStateMachinesCommand({}));
    const westMachines = await west.send(new ListStateMachinesCommand({}));
    const fromWest = await west
      .send(new DescribeStateMachineCommand({ stateMachineArn: stateMachineArn(EAST, 'guarded') }))
      .catch((e: unknown) => e);
    const unknownExecution = await sfn
      .send(
        new DescribeExecutionCommand({ executionArn: `${stateMachineArn(EAST, 'guarded').replace(':stateMachine:', ':execution:')}:nope` }),
      )
      .catch((e: unknown) => e);
    west.destroy();
    // Assess
    const arns = listed.executions?.map((e) => e.executionArn) ?? [];
    expect(arns.indexOf(newer.executionArn)).toBeLessThan(arns.indexOf(older.executionArn));
    expect(JSON.parse(machine.definition ?? '')).toEqual(definitions.guarded);
    expect(eastMachines.stateMachines?.map((m) => m.name)).toEqual(['guarded', 'invoke', 'until', 'waiting']);
    expect(westMachines.stateMachines).toEqual([]);
    expect(fromWest).toBeInstanceOf(StateMachineDoesNotExist);
    expect(unknownExecution).toBeInstanceOf(ExecutionDoesNotExist);
  });
});
