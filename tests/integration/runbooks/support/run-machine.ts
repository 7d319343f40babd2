// Runs a runbook's real ASL (state-machines/*.asl.yaml) the one way the project runs ASL: through
// the local control plane's Step Functions (local/control-plane, as the embedded runtime does),
// started and read back with the real SDK client. Each Task state calls the real step of its
// function in-process with deps from the real wiring (services/runbooks/wiring.ts) - what the
// Lambda handlers do, minus the Lambda boundary, which is imitated: JSON in and out.
import '../../../../local/polyfills';
import { randomUUID } from 'node:crypto';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { startControlPlane } from '../../../../local/control-plane';
import { waitsForDrain } from '../../../../services/runbooks/decisions/drain';
import { afterDrain } from '../../../../services/runbooks/step-handler';
import { beginRun } from '../../../../services/runbooks/steps/begin';
import { runFence } from '../../../../services/runbooks/steps/fence';
import { finishRun } from '../../../../services/runbooks/steps/finish';
import { checkReplicationGate, writeGateMarkers } from '../../../../services/runbooks/steps/gate';
import type { RunbookDeps } from '../../../../services/runbooks/steps/ports';
import { checkFailbackPreconditions, checkFailoverPreconditions } from '../../../../services/runbooks/steps/preconditions';
import { promote } from '../../../../services/runbooks/steps/promote';
import { reconcileStrandedWrites } from '../../../../services/runbooks/steps/reconcile';
import { loadDefinition, type RunbookMachine, withFunctionArns } from '../../../../state-machines/definitions';
import { eventually } from '../../../support/eventually';

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
  /** The execution's history, as GetExecutionHistory returns it. */
  events: HistoryEvent[];
}

export interface RunOverrides {
  /** Milliseconds per Wait state (default: drain 50 ms, replication poll 100 ms). */
  waits?: Record<string, number>;
  /** Wait states that wait what their ASL says instead (e.g. the drain until its timestamp). */
  realWaits?: string[];
  /** Called before a Task state's step runs (e.g. to interleave another writer). */
  beforeTask?: (state: string, input: unknown) => Promise<void> | void;
  executionName?: string;
}

const ACCOUNT = '000000000000';
/** Retry intervals and fixed waits at a hundredth of what the ASL says, as the runtime scales them by its time scale. */
const WAIT_TIME_SCALE = 0.01;

export async function runMachine(
  machine: RunbookMachine,
  deps: RunbookDeps,
  input: unknown,
  overrides: RunOverrides = {},
): Promise<MachineRun> {
  const region = deps.config.region;
  const functionPrefix = `arn:aws:lambda:${region}:${ACCOUNT}:function:switchyard-test-`;
  const stateMachineArn = `arn:aws:states:${region}:${ACCOUNT}:stateMachine:switchyard-test-${machine}`;
  const plane = await startControlPlane({
    accountId: ACCOUNT,
    stateMachines: [
      {
        region,
        name: `switchyard-test-${machine}`,
        arn: stateMachineArn,
        definition: withFunctionArns(loadDefinition(machine), (id) => `${functionPrefix}${id}`),
      },
    ],
    alarms: [],
    rules: [],
    waitTimeScale: WAIT_TIME_SCALE,
    waitOverridesMs: Object.fromEntries(
      Object.entries({ DrainInFlightWrites: 50, WaitForReplication: 100, ...overrides.waits }).filter(
        ([state]) => !overrides.realWaits?.includes(state),
      ),
    ),
    invokeFunction: async (_region, functionArn, payload, task) => {
      const logicalId = functionArn.startsWith(functionPrefix) ? functionArn.slice(functionPrefix.length) : '';
      const step = STEPS[logicalId];
      if (!step) throw new Error(`No step for ${functionArn} (Task ${task.state})`);
      // A real drain ends as in a Lambda: the Wait to the second, the step's frame to the millisecond.
      if (overrides.realWaits?.includes('DrainInFlightWrites') && waitsForDrain(task.state)) await afterDrain(payload);
      await overrides.beforeTask?.(task.state, payload);
      const result = await step(deps, JSON.parse(JSON.stringify(payload)));
      return JSON.parse(JSON.stringify(result ?? null));
    },
  });
  const sfn = new SFNClient({
    region,
    endpoint: plane.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  try {
    const executionName = overrides.executionName ?? `${machine}-${randomUUID()}`;
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name: executionName, input: JSON.stringify(input ?? {}) }),
    );
    const ended = await eventually(
      `the ${machine} execution ${executionName} to end`,
      async () => {
        const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
        return described.status !== 'RUNNING' && described;
      },
      120_000,
      50,
    );
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
    const events = history.events ?? [];
    const path = events.flatMap((e) =>
      e.type?.endsWith('StateEntered') && e.stateEnteredEventDetails?.name ? [e.stateEnteredEventDetails.name] : [],
    );
    if (ended.status === 'SUCCEEDED')
      return { executionName, status: 'SUCCEEDED', output: JSON.parse(ended.output ?? 'null'), error: null, cause: null, path, events };
    if (ended.status !== 'FAILED') throw new Error(`${executionName} ended ${ended.status}`);
    return { executionName, status: 'FAILED', output: null, error: ended.error ?? null, cause: ended.cause ?? null, path, events };
  } finally {
    sfn.destroy();
    await plane.stop();
  }
}
