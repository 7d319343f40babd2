import '../polyfills';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay, setImmediate as nextTurn } from 'node:timers/promises';
import aslValidator from 'asl-validator';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { AwsServiceError, UnsupportedDefinition } from './errors';
import type { ServiceApi } from './http-server';
import { optionalString, page, requiredString } from './request-fields';

type JsonValue = Parameters<StateMachine['run']>[0];
type EngineEvent = Awaited<ReturnType<ReturnType<StateMachine['run']>['eventLogs']['next']>>['value'];
type Overrides = NonNullable<RunOptions['overrides']>;

export interface StateMachineSpec {
  region: string;
  name: string;
  arn: string;
  definition: object;
}

export interface ExecutionsDeps {
  accountId: string;
  invokeFunction(region: string, functionArn: string, payload: unknown, task: TaskCall): Promise<unknown>;
  publishToTopic(region: string, topicArn: string, message: string, subject?: string): string;
  /** Local seconds per AWS second for Wait states with fixed Seconds and for Retry intervals. */
  waitTimeScale: number;
  /** Milliseconds a Wait state of this name lasts, whatever its Seconds or path says (tests only; the runtime sets none). */
  waitOverridesMs?: Record<string, number>;
  onExecutionStarted(execution: { region: string; executionArn: string; stateMachineArn: string; name: string; input: string }): void;
}

/** Which Task state of which execution calls a function. */
export interface TaskCall {
  state: string;
  executionArn: string;
}

type TaskKind = 'lambda' | 'lambda:invoke' | 'sns:publish';
interface Machine {
  spec: StateMachineSpec;
  engine: StateMachine;
  tasks: Record<string, { kind: TaskKind; resource: string }>;
  /** Wait states on a timestamp, run by the control plane itself (see timestampWait). */
  timestampWaits: Record<string, { timestamp?: string; path?: string[] }>;
  waitTimeOverrides: Record<string, number>;
  retryIntervalOverrides: Record<string, number[]>;
  createdAt: Date;
}

type Status = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';
interface Execution {
  arn: string;
  name: string;
  machine: Machine;
  status: Status;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  startDate: Date;
  stopDate?: Date;
  history: Array<Record<string, unknown>>;
  abort?: () => void;
  /** Ends the control plane's own waits (timestamp Wait states) when the execution stops. */
  stopped: AbortController;
}

export interface ExecutionView {
  executionArn: string;
  stateMachineArn: string;
  status: string;
  startDate: string;
  stopDate?: string;
}

const NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]{1,80}$/u;
const invalid = (message: string) => new AwsServiceError('ValidationException', message);
const seconds = (date: Date) => date.getTime() / 1000;

/** Every state of a definition, including those inside Parallel branches and Map processors. */
function* statesOf(definition: Record<string, unknown>): Generator<[string, Record<string, unknown>]> {
  for (const [name, state] of Object.entries((definition.States ?? {}) as Record<string, Record<string, unknown>>)) {
    yield [name, state];
    const nested = [...((state.Branches as object[] | undefined) ?? []), state.Iterator, state.ItemProcessor].filter(Boolean);
    for (const child of nested) yield* statesOf(child as Record<string, unknown>);
  }
}

function taskKind(resource: string): TaskKind | undefined {
  if (/^arn:aws[a-z-]*:lambda:[^:]+:\d+:function:[^:]+(:[^:]+)?$/.test(resource)) return 'lambda';
  if (resource === 'arn:aws:states:::lambda:invoke') return 'lambda:invoke';
  if (resource === 'arn:aws:states:::sns:publish') return 'sns:publish';
  return undefined;
}

/** How the history names a service integration (TaskScheduled and friends). */
function integrationOf(kind: TaskKind): { resourceType: string; resource: string } {
  return kind === 'sns:publish' ? { resourceType: 'sns', resource: 'publish' } : { resourceType: 'lambda', resource: 'invoke' };
}

/**
 * The errors of a definition as Step Functions validates it (asl-validator, ARNs and paths
 * checked), or null when it is valid. Remembered for the process per definition with its region
 * taken out (the two regions' copies differ in their ARNs' region only, and the validator's
 * verdict does not depend on which region an ARN names): the validator builds its JSON schemas
 * anew on every call (~130 ms of CPU each, most of a runtime's control-plane start), and the
 * drills and tests start many runtimes in one process.
 */
const validated = new Map<string, string | null>();
function definitionErrors(text: string, region: string, definition: unknown): string | null {
  const key = text.split(region).join('\u0000');
  let errors = validated.get(key);
  if (errors === undefined) {
    const result = aslValidator(definition, { checkArn: true, checkPaths: true });
    errors = result.isValid ? null : result.errorsText('\n');
    validated.set(key, errors);
  }
  return errors;
}

/** Checks a definition once, up front, for what aws-local-stepfunctions would run wrongly or not at all. */
function compile(spec: StateMachineSpec, waitTimeScale: number, waitOverridesMs: Record<string, number> = {}): Machine {
  const fail = (why: string): never => {
    throw new UnsupportedDefinition(`State machine ${spec.name} (${spec.region}): ${why}`);
  };
  const definition = spec.definition as Record<string, unknown>;
  const text = JSON.stringify(definition);
  if (/"QueryLanguage":"JSONata"/.test(text)) fail('JSONata is not supported locally (aws-local-stepfunctions ignores it)');
  if (/"Assign":/.test(text)) fail('variables (Assign) are not supported locally');
  // The definition as written is what Step Functions validates; the engine's copy below differs
  // only in what this module rewrites, so the engine does not validate it again.
  const errors = definitionErrors(text, spec.region, definition);
  if (errors !== null) fail(`the definition is invalid: ${errors}`);
  const tasks: Machine['tasks'] = {};
  const timestampWaits: Machine['timestampWaits'] = {};
  // The engine runs a copy in which each Wait on a timestamp is a Task the control plane serves.
  const engineDefinition = structuredClone(definition);
  for (const [name, state] of statesOf(engineDefinition)) {
    if (state.Type !== 'Wait' || name in waitOverridesMs) continue;
    if (typeof state.Timestamp !== 'string' && typeof state.TimestampPath !== 'string') continue;
    if (tasks[name] || timestampWaits[name]) fail(`two states are named ${name}`);
    const path = typeof state.TimestampPath === 'string' ? state.TimestampPath : undefined;
    if (path !== undefined && !/^\$(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(path))
      fail(`Wait ${name}: TimestampPath ${path} is not a plain $.a.b path (the only kind run locally)`);
    timestampWaits[name] = path === undefined ? { timestamp: state.Timestamp as string } : { path: path.split('.').slice(1) };
    const { Type: _wait, Timestamp: _at, TimestampPath: _path, ...rest } = state;
    for (const key of Object.keys(state)) delete state[key];
    // No Task timeout of the engine's own (its default is 60 s) may end a long Wait: 23 days, about
    // the longest a Node timer holds (2^31 ms).
    Object.assign(state, rest, { Type: 'Task', Resource: 'arn:aws:states:::switchyard-local:wait', TimeoutSeconds: 2_000_000 });
  }
  const waitTimeOverrides: Machine['waitTimeOverrides'] = {};
  const retryIntervalOverrides: Machine['retryIntervalOverrides'] = {};
  for (const [name, state] of statesOf(definition)) {
    if (state.Type === 'Task') {
      const resource = String(state.Resource);
      const kind = taskKind(resource) ?? fail(`Task ${name} uses ${resource}; only Lambda ARNs, lambda:invoke and sns:publish run locally`);
      // Local overrides are keyed by state name, so one name must mean one resource.
      if (tasks[name] && tasks[name].resource !== resource) fail(`two Task states are named ${name}`);
      tasks[name] = { kind, resource };
    }
    if (waitTimeScale !== 1 && state.Type === 'Wait' && typeof state.Seconds === 'number')
      waitTimeOverrides[name] = state.Seconds * 1000 * waitTimeScale;
    if (waitTimeScale !== 1 && Array.isArray(state.Retry))
      retryIntervalOverrides[name] = state.Retry.map((r: { IntervalSeconds?: number }) => (r.IntervalSeconds ?? 1) * 1000 * waitTimeScale);
  }
  for (const [name, state] of statesOf(definition))
    if (state.Type === 'Wait' && name in waitOverridesMs) waitTimeOverrides[name] = waitOverridesMs[name] as number;
  let engine: StateMachine;
  try {
    engine = new StateMachine(engineDefinition as unknown as StateMachineDefinition, { validationOptions: { noValidate: true } });
  } catch (error) {
    return fail((error as Error).message);
  }
  return { spec, engine, tasks, timestampWaits, waitTimeOverrides, retryIntervalOverrides, createdAt: new Date() };
}

/** The error a Task reports for a failed Lambda: its name is the ASL error, its cause the JSON Lambda puts there. */
function lambdaError(thrown: unknown): Error {
  const name =
    thrown instanceof Error || (thrown && typeof thrown === 'object' && 'name' in thrown) ? String((thrown as Error).name) : 'Error';
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  const error = new Error(JSON.stringify({ errorType: name, errorMessage: message }));
  error.name = name;
  return error;
}

/** Step Functions executions of every region, run in-process by aws-local-stepfunctions. */
export function createExecutions(specs: StateMachineSpec[], deps: ExecutionsDeps) {
  const roleArn = `arn:aws:iam::${deps.accountId}:role/local-states-execution`;
  const machines = new Map(specs.map((spec) => [`${spec.region} ${spec.arn}`, compile(spec, deps.waitTimeScale, deps.waitOverridesMs)]));
  const executions = new Map<string, Execution>();

  const machineFor = (region: string, arn: string): Machine => {
    if (!/^arn:aws[a-z-]*:states:[^:]+:[^:]+:stateMachine:[^:]+$/.test(arn))
      throw new AwsServiceError('InvalidArn', `Invalid state machine ARN: ${arn}`);
    const machine = machines.get(`${region} ${arn}`);
    if (!machine) throw new AwsServiceError('StateMachineDoesNotExist', `State machine does not exist in ${region}: ${arn}`);
    return machine;
  };
  const executionFor = (region: string, arn: string): Execution => {
    if (!/^arn:aws[a-z-]*:states:[^:]+:[^:]+:execution:[^:]+:[^:]+$/.test(arn))
      throw new AwsServiceError('InvalidArn', `Invalid execution ARN: ${arn}`);
    const execution = executions.get(arn);
    if (!execution || execution.machine.spec.region !== region)
      throw new AwsServiceError('ExecutionDoesNotExist', `Execution does not exist in ${region}: ${arn}`);
    return execution;
  };

  const record = (execution: Execution, type: string, details: Record<string, unknown> = {}) => {
    const id = execution.history.length + 1;
    execution.history.push({ timestamp: Date.now() / 1000, type, id, previousEventId: id - 1, ...details });
  };

  async function runTask(
    execution: Execution,
    state: string,
    task: { kind: TaskKind; resource: string },
    input: JsonValue,
  ): Promise<JsonValue> {
    const call: TaskCall = { state, executionArn: execution.arn };
    // Let the history take in this state's TaskStateEntered before the task's own events.
    await nextTurn();
    const region = execution.machine.spec.region;
    const live = () => execution.status === 'RUNNING';
    const fields = (input ?? {}) as Record<string, unknown>;
    const service = integrationOf(task.kind);
    if (task.kind === 'lambda') {
      record(execution, 'LambdaFunctionScheduled', {
        lambdaFunctionScheduledEventDetails: { resource: task.resource, input: JSON.stringify(input) },
      });
      record(execution, 'LambdaFunctionStarted');
    } else {
      record(execution, 'TaskScheduled', { taskScheduledEventDetails: { ...service, region, parameters: JSON.stringify(input) } });
      record(execution, 'TaskStarted', { taskStartedEventDetails: service });
    }
    try {
      let output: unknown;
      if (task.kind === 'lambda') output = (await deps.invokeFunction(region, task.resource, input, call)) ?? null;
      else if (task.kind === 'lambda:invoke') {
        if (typeof fields.FunctionName !== 'string')
          throw Object.assign(new Error('lambda:invoke needs Parameters.FunctionName'), { name: 'States.Runtime' });
        // AWS wraps what the function returned in Payload for the lambda:invoke integration.
        const payload = (await deps.invokeFunction(region, fields.FunctionName, fields.Payload ?? {}, call)) ?? null;
        output = { ExecutedVersion: '$LATEST', Payload: payload, SdkHttpMetadata: { HttpStatusCode: 200 }, StatusCode: 200 };
      } else {
        const message = typeof fields.Message === 'string' ? fields.Message : JSON.stringify(fields.Message ?? null);
        const subject = typeof fields.Subject === 'string' ? fields.Subject : undefined;
        output = {
          MessageId: deps.publishToTopic(region, String(fields.TopicArn), message, subject),
          SdkHttpMetadata: { HttpStatusCode: 200 },
        };
      }
      if (live()) {
        if (task.kind === 'lambda')
          record(execution, 'LambdaFunctionSucceeded', { lambdaFunctionSucceededEventDetails: { output: JSON.stringify(output) } });
        else record(execution, 'TaskSucceeded', { taskSucceededEventDetails: { ...service, output: JSON.stringify(output) } });
      }
      return output as JsonValue;
    } catch (thrown) {
      const error = lambdaError(thrown);
      if (live()) {
        if (task.kind === 'lambda')
          record(execution, 'LambdaFunctionFailed', { lambdaFunctionFailedEventDetails: { error: error.name, cause: error.message } });
        else record(execution, 'TaskFailed', { taskFailedEventDetails: { ...service, error: error.name, cause: error.message } });
      }
      throw error;
    }
  }

  /**
   * A Wait state on a timestamp, as Step Functions runs it: "if you specify the wait time as a
   * timestamp, Step Functions considers the time value up to seconds and truncates milliseconds"
   * (ASL Wait state, docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-wait-state.html).
   * aws-local-stepfunctions honours the milliseconds, which would end such a Wait up to 999 ms later
   * than AWS does: kinder than AWS to a design that waits for a bound. A timestamp that is missing
   * or not RFC 3339 fails the execution with States.Runtime, as on AWS.
   */
  async function timestampWait(execution: Execution, wait: Machine['timestampWaits'][string], input: JsonValue): Promise<JsonValue> {
    let value: unknown = wait.timestamp;
    if (wait.path) {
      value = input;
      for (const key of wait.path) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    }
    const at = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value) ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(at))
      throw Object.assign(new Error(`The Wait's timestamp ${JSON.stringify(value ?? null)} is not an RFC 3339 UTC timestamp`), {
        name: 'States.Runtime',
      });
    const ms = Math.floor(at / 1000) * 1000 - Date.now();
    if (ms > 0) await delay(ms, undefined, { signal: execution.stopped.signal }).catch(() => undefined);
    return input;
  }

  /** The Step Functions history event for an aws-local-stepfunctions event, if AWS would show one. */
  function historyEntry(execution: Execution, event: EngineEvent): [string, Record<string, unknown>?] | undefined {
    if (!event) return undefined;
    // The history names a timestamp Wait a Wait, whatever the engine ran it as.
    const typeOf = (state: { name: string; type: string }) => (state.name in execution.machine.timestampWaits ? 'Wait' : state.type);
    const json = (value: unknown) => JSON.stringify(value ?? null);
    const causeOf = (cause: unknown) => (cause instanceof Error ? cause.message : typeof cause === 'string' ? cause : json(cause));
    switch (event.type) {
      case 'ExecutionStarted':
        return [
          'ExecutionStarted',
          { executionStartedEventDetails: { input: execution.input, inputDetails: { truncated: false }, roleArn } },
        ];
      case 'StateEntered':
        return [
          `${typeOf(event.state)}StateEntered`,
          { stateEnteredEventDetails: { name: event.state.name, input: json(event.state.input) } },
        ];
      case 'StateExited':
        return [
          `${typeOf(event.state)}StateExited`,
          { stateExitedEventDetails: { name: event.state.name, output: json(event.state.output) } },
        ];
      case 'StateFailed': {
        const task = execution.machine.tasks[event.state.name];
        const details = { error: event.Error, cause: causeOf(event.Cause) };
        // Other Task failures were recorded by runTask as LambdaFunctionFailed / TaskFailed.
        if (event.state.type === 'Task' && task && event.Error === 'States.Timeout')
          return task.kind === 'lambda'
            ? ['LambdaFunctionTimedOut', { lambdaFunctionTimedOutEventDetails: details }]
            : ['TaskTimedOut', { taskTimedOutEventDetails: { ...integrationOf(task.kind), ...details } }];
        if (event.state.type === 'Parallel' || event.state.type === 'Map') return [`${event.state.type}StateFailed`];
        return undefined;
      }
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
        return [
          event.type,
          {
            [`${event.type.charAt(0).toLowerCase()}${event.type.slice(1)}EventDetails`]: {
              name: event.parentState.name,
              index: event.index,
            },
          },
        ];
      case 'ExecutionSucceeded':
        return ['ExecutionSucceeded', { executionSucceededEventDetails: { output: json(event.output) } }];
      case 'ExecutionFailed':
        return ['ExecutionFailed', { executionFailedEventDetails: { error: event.Error, cause: causeOf(event.Cause) } }];
      case 'ExecutionAborted':
        return ['ExecutionAborted', { executionAbortedEventDetails: { error: execution.error, cause: execution.cause } }];
      case 'ExecutionTimeout':
        return [
          'ExecutionTimedOut',
          { executionTimedOutEventDetails: { error: 'States.Timeout', cause: 'The execution ran longer than TimeoutSeconds' } },
        ];
      default:
        return undefined;
    }
  }

  function finish(execution: Execution, outcome: PromiseSettledResult<JsonValue>): void {
    execution.stopped.abort();
    if (execution.status !== 'RUNNING') return;
    execution.stopDate = new Date();
    if (outcome.status === 'fulfilled') {
      execution.status = 'SUCCEEDED';
      execution.output = JSON.stringify(outcome.value ?? null);
      return;
    }
    const reason = outcome.reason as unknown;
    if (reason instanceof ExecutionAbortedError) execution.status = 'ABORTED';
    else if (reason instanceof ExecutionTimeoutError) Object.assign(execution, { status: 'TIMED_OUT', error: 'States.Timeout' });
    else {
      const cause = reason instanceof ExecutionError && reason.cause instanceof Error ? reason.cause : undefined;
      Object.assign(execution, {
        status: 'FAILED',
        error: cause?.name ?? 'States.Runtime',
        cause: cause?.message ?? 'The execution failed locally',
      });
    }
  }

  function start(region: string, stateMachineArn: string, name: string | undefined, input: string | undefined) {
    const machine = machineFor(region, stateMachineArn);
    const executionName = name ?? randomUUID();
    if (!NAME.test(executionName)) throw new AwsServiceError('InvalidName', `Invalid execution name: ${executionName}`);
    const inputText = input ?? '{}';
    let inputValue: JsonValue;
    try {
      inputValue = JSON.parse(inputText) as JsonValue;
    } catch {
      throw new AwsServiceError('InvalidExecutionInput', 'Execution input must be valid JSON');
    }
    const arn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
    const existing = executions.get(arn);
    // StartExecution is idempotent for a running execution started with the same input.
    if (existing?.status === 'RUNNING' && existing.input === inputText)
      return { executionArn: arn, startDate: seconds(existing.startDate) };
    if (existing) throw new AwsServiceError('ExecutionAlreadyExists', `Execution already exists: ${arn}`);
    const execution: Execution = {
      arn,
      name: executionName,
      machine,
      status: 'RUNNING',
      input: inputText,
      startDate: new Date(),
      history: [],
      stopped: new AbortController(),
    };
    executions.set(arn, execution);
    deps.onExecutionStarted({ region, executionArn: arn, stateMachineArn, name: executionName, input: inputText });
    const overrides: Overrides = {
      taskResourceLocalHandlers: Object.fromEntries([
        ...Object.entries(machine.tasks).map(([state, task]) => [state, (i: JsonValue) => runTask(execution, state, task, i)]),
        ...Object.entries(machine.timestampWaits).map(([state, wait]) => [state, (i: JsonValue) => timestampWait(execution, wait, i)]),
      ]),
      waitTimeOverrides: machine.waitTimeOverrides,
      retryIntervalOverrides: machine.retryIntervalOverrides,
    };
    const context = {
      Execution: { Id: arn, Name: executionName, RoleArn: roleArn, StartTime: execution.startDate.toISOString() },
      StateMachine: { Id: stateMachineArn, Name: machine.spec.name },
    };
    const run = machine.engine.run(inputValue, { overrides, context });
    execution.abort = run.abort;
    const history = (async () => {
      for await (const event of run.eventLogs) {
        const entry = historyEntry(execution, event);
        if (entry) record(execution, ...entry);
      }
    })();
    void Promise.allSettled([run.result, history]).then(([outcome]) => finish(execution, outcome));
    return { executionArn: arn, startDate: seconds(execution.startDate) };
  }

  function stop(execution: Execution, error?: string, cause?: string): void {
    if (execution.status !== 'RUNNING') return;
    Object.assign(execution, { status: 'ABORTED', stopDate: new Date(), error, cause });
    execution.abort?.();
    execution.stopped.abort();
  }

  const summary = (e: Execution) => ({
    executionArn: e.arn,
    stateMachineArn: e.machine.spec.arn,
    name: e.name,
    status: e.status,
    startDate: seconds(e.startDate),
    stopDate: e.stopDate && seconds(e.stopDate),
  });
  const describe = (e: Execution) => ({
    ...summary(e),
    input: e.input,
    inputDetails: { included: true },
    output: e.output,
    outputDetails: e.output === undefined ? undefined : { included: true },
    error: e.error,
    cause: e.cause,
  });

  const api: ServiceApi = {
    address: 'AWSStepFunctions',
    protocol: 'json-1.0',
    operations: {
      StartExecution(region, input) {
        return start(
          region,
          requiredString(input, 'stateMachineArn', invalid),
          optionalString(input, 'name', invalid),
          optionalString(input, 'input', invalid),
        );
      },
      DescribeExecution(region, input) {
        return describe(executionFor(region, requiredString(input, 'executionArn', invalid)));
      },
      ListExecutions(region, input) {
        const machine = machineFor(region, requiredString(input, 'stateMachineArn', invalid));
        const status = optionalString(input, 'statusFilter', invalid);
        const matching = [...executions.values()]
          .filter((e) => e.machine === machine && (!status || e.status === status))
          .sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
        const { items, nextToken } = page(matching, input.maxResults, input.nextToken, 100);
        return { executions: items.map(summary), nextToken };
      },
      GetExecutionHistory(region, input) {
        const execution = executionFor(region, requiredString(input, 'executionArn', invalid));
        const events = input.reverseOrder === true ? [...execution.history].reverse() : execution.history;
        const { items, nextToken } = page(events, input.maxResults, input.nextToken, 1000);
        return { events: items, nextToken };
      },
      StopExecution(region, input) {
        const execution = executionFor(region, requiredString(input, 'executionArn', invalid));
        stop(execution, optionalString(input, 'error', invalid), optionalString(input, 'cause', invalid));
        return { stopDate: seconds(execution.stopDate ?? new Date()) };
      },
      DescribeStateMachine(region, input) {
        const machine = machineFor(region, requiredString(input, 'stateMachineArn', invalid));
        return {
          stateMachineArn: machine.spec.arn,
          name: machine.spec.name,
          status: 'ACTIVE',
          definition: JSON.stringify(machine.spec.definition),
          roleArn: roleArn,
          type: 'STANDARD',
          creationDate: seconds(machine.createdAt),
        };
      },
      ListStateMachines(region, input) {
        const inRegion = [...machines.values()]
          .filter((m) => m.spec.region === region)
          .sort((a, b) => a.spec.name.localeCompare(b.spec.name));
        const { items, nextToken } = page(inRegion, input.maxResults, input.nextToken, 100);
        return {
          stateMachines: items.map((m) => ({
            stateMachineArn: m.spec.arn,
            name: m.spec.name,
            type: 'STANDARD',
            creationDate: seconds(m.createdAt),
          })),
          nextToken,
        };
      },
    },
  };

  return {
    api,
    /** Starts an execution on behalf of an EventBridge rule target. */
    start: (region: string, stateMachineArn: string, input: string) => start(region, stateMachineArn, undefined, input),
    list(region?: string): ExecutionView[] {
      return [...executions.values()]
        .filter((e) => !region || e.machine.spec.region === region)
        .map((e) => ({
          executionArn: e.arn,
          stateMachineArn: e.machine.spec.arn,
          status: e.status,
          startDate: e.startDate.toISOString(),
          ...(e.stopDate ? { stopDate: e.stopDate.toISOString() } : {}),
        }));
    },
    stopAll(): void {
      for (const execution of executions.values()) stop(execution, 'ControlPlaneStopped', 'The local control plane was stopped');
    },
  };
}
