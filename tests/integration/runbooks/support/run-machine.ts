// Runs a runbook's real ASL (state-machines/*.asl.yaml) with aws-local-stepfunctions, each
// Task state calling the real step of its function in-process with deps from the real wiring
// (services/runbooks/wiring.ts) - what the Lambda handlers do, minus the Lambda boundary, which
// is imitated: JSON in and out, and errors reported as AWS reports them (name + JSON cause).
import '../../../../local/polyfills';
import { randomUUID } from 'node:crypto';
import { ExecutionError, type RunOptions, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { beginRun } from '../../../../services/runbooks/steps/begin';
import { runFence } from '../../../../services/runbooks/steps/fence';
import { finishRun } from '../../../../services/runbooks/steps/finish';
import { checkReplicationGate, writeGateMarkers } from '../../../../services/runbooks/steps/gate';
import type { RunbookDeps } from '../../../../services/runbooks/steps/ports';
import { checkFailbackPreconditions, checkFailoverPreconditions } from '../../../../services/runbooks/steps/preconditions';
import { promote } from '../../../../services/runbooks/steps/promote';
import { reconcileStrandedWrites } from '../../../../services/runbooks/steps/reconcile';
import { loadDefinition, type RunbookMachine, taskFunctions, withFunctionArns } from '../../../../state-machines/definitions';

type Json = Parameters<StateMachine['run']>[0];
// biome-ignore lint/suspicious/noExplicitAny: each step takes its own document shape
type Step = (deps: RunbookDeps, event: any) => Promise<unknown>;

/** Function logical id → the step its handler runs (services/runbooks/*-handler.ts). */
export const STEPS: Record<string, Step> = {
  RunbookBeginLambdaFunction: beginRun,
  RunbookFailoverPreconditionsLambdaFunction: checkFailoverPreconditions,
  RunbookFailbackPreconditionsLambdaFunction: checkFailbackPreconditions,
  RunbookFenceLambdaFunction: runFence,
  RunbookWriteMarkersLambdaFunction: writeGateMarkers,
  RunbookCheckReplicationLambdaFunction: checkReplicationGate,
  RunbookPromoteLambdaFunction: promote,
  RunbookReconcileLambdaFunction: reconcileStrandedWrites,
  RunbookFinishLambdaFunction: finishRun,
};

export interface MachineRun {
  executionName: string;
  status: 'SUCCEEDED' | 'FAILED';
  output: Record<string, unknown> | null;
  error: string | null;
  cause: string | null;
  /** Names of the states entered, in order. */
  path: string[];
}

export interface RunOverrides {
  /** Milliseconds per Wait state (default: drain 50 ms, replication poll 100 ms). */
  waits?: Record<string, number>;
  /** Called before a Task state's step runs (e.g. to interleave another writer). */
  beforeTask?: (state: string, input: unknown) => Promise<void> | void;
  executionName?: string;
}

function asLambdaError(thrown: unknown): Error {
  const name = thrown instanceof Error ? thrown.name : 'Error';
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  const error = new Error(JSON.stringify({ errorType: name, errorMessage: message, trace: ['(omitted)'] }));
  error.name = name;
  return error;
}

export async function runMachine(
  machine: RunbookMachine,
  deps: RunbookDeps,
  input: unknown,
  overrides: RunOverrides = {},
): Promise<MachineRun> {
  const region = deps.config.region;
  const definition = loadDefinition(machine);
  const functions = taskFunctions(definition);
  const resolved = withFunctionArns(definition, (id) => `arn:aws:lambda:${region}:000000000000:function:switchyard-test-${id}`);
  const engine = new StateMachine(resolved as unknown as StateMachineDefinition, {
    validationOptions: { checkPaths: true, checkArn: true },
  });

  const handlers: NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']> = {};
  const retries: Record<string, number> = {};
  for (const [state, logicalId] of Object.entries(functions)) {
    const step = STEPS[logicalId];
    if (!step) throw new Error(`No step for ${logicalId} (Task ${state})`);
    retries[state] = 10;
    handlers[state] = async (event: Json) => {
      await overrides.beforeTask?.(state, event);
      try {
        const result = await step(deps, JSON.parse(JSON.stringify(event)));
        return JSON.parse(JSON.stringify(result ?? null)) as Json;
      } catch (error) {
        throw asLambdaError(error);
      }
    };
  }

  const executionName = overrides.executionName ?? `${machine}-${randomUUID()}`;
  const executionId = `arn:aws:states:${region}:000000000000:execution:switchyard-test-${machine}:${executionName}`;
  const path: string[] = [];
  const run = engine.run(input as Json, {
    overrides: {
      taskResourceLocalHandlers: handlers,
      waitTimeOverrides: { DrainInFlightWrites: 50, WaitForReplication: 100, ...overrides.waits },
      retryIntervalOverrides: retries,
    },
    context: { Execution: { Id: executionId, Name: executionName, StartTime: new Date().toISOString() } },
  });
  const events = (async () => {
    for await (const event of run.eventLogs) if (event.type === 'StateEntered') path.push(event.state.name);
  })();
  try {
    const output = (await run.result) as Record<string, unknown>;
    await events;
    return { executionName, status: 'SUCCEEDED', output, error: null, cause: null, path };
  } catch (error) {
    await events.catch(() => undefined);
    if (!(error instanceof ExecutionError)) throw error;
    const cause = error.cause as Error;
    return { executionName, status: 'FAILED', output: null, error: cause.name, cause: cause.message, path };
  }
}
