import '../../../local/polyfills';
import fs from 'node:fs';
import path from 'node:path';
import aslValidator from 'asl-validator';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import YAML from 'yaml';
import {
  type AslDefinition,
  type AslState,
  functionLogicalId,
  loadDefinition,
  RUNBOOK_MACHINES,
  taskFunctions,
  withFunctionArns,
} from '../../../state-machines/definitions';
import { STEPS } from '../../integration/runbooks/support/run-machine';

const root = path.resolve(__dirname, '..', '..', '..');
const functionsYml = YAML.parse(fs.readFileSync(path.join(root, 'services/runbooks/functions.yml'), 'utf8')) as Record<
  string,
  { handler: string; iamRoleStatements: Array<{ Effect: string; Action: string[] }>; events?: unknown[] }
>;
/** The state machines' steps: every runbook function but those with a trigger of their own (the background verification's schedule). */
const stepFunctionsYml = Object.fromEntries(Object.entries(functionsYml).filter(([, fn]) => fn.events === undefined));
const machinesYml = YAML.parse(fs.readFileSync(path.join(root, 'state-machines/state-machines.yml'), 'utf8')) as Record<
  string,
  { name: string; definition: string; alarms: { metrics: string[]; topics: Record<string, unknown> } }
>;
const arnOf = (logicalId: string) => `arn:aws:lambda:us-west-2:123456789012:function:switchyard-dev-${logicalId}`;
const RETRIED = ['Lambda.ServiceException', 'Lambda.TooManyRequestsException', 'Lambda.SdkClientException', 'TransientDependencyError'];
/** The one Catch that continues a run instead of closing it: an ungraceful failover does not depend on fencing a dead primary. */
const CONTINUING_CATCH = 'FencePrimaryBestEffort';
/** Tries once (RUNBOOK.md: "one try with a 2 s budget"): a retry would hold the ungraceful failover on a dead primary. */
const ONE_TRY = new Set(['FencePrimaryBestEffort']);

function nextStates(state: AslState): string[] {
  const next: string[] = [];
  if (typeof state.Next === 'string') next.push(state.Next);
  if (typeof state.Default === 'string') next.push(state.Default);
  for (const choice of (state.Choices as Array<{ Next: string }> | undefined) ?? []) next.push(choice.Next);
  return next;
}

function reachable(definition: AslDefinition, from: string): Set<string> {
  const seen = new Set<string>();
  const queue = [from];
  while (queue.length > 0) {
    const name = queue.pop() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    const state = definition.States[name];
    if (state) queue.push(...nextStates(state), ...((state.Catch as Array<{ Next: string }> | undefined) ?? []).map((c) => c.Next));
  }
  return seen;
}

describe.each(RUNBOOK_MACHINES)('the %s state machine', (machine) => {
  const definition = loadDefinition(machine);
  const tasks = Object.entries(definition.States).filter(([, s]) => s.Type === 'Task');

  it('is valid ASL (asl-validator, with path and ARN checks)', () => {
    // Prepare
    const resolved = withFunctionArns(definition, arnOf);
    // Act
    const result = aslValidator(structuredClone(resolved), { checkPaths: true, checkArn: true });
    // Assess
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('is accepted by the local Step Functions engine', () => {
    expect(() => new StateMachine(withFunctionArns(definition, arnOf) as unknown as StateMachineDefinition)).not.toThrow();
  });

  it('uses only what runs the same on AWS and locally: JSONPath, direct Lambda ARNs, no variables or task tokens', () => {
    const text = JSON.stringify(definition);
    expect(text).not.toMatch(/JSONata|"Assign"|"Variables"|waitForTaskToken|arn:aws:states:::lambda:invoke|"Arguments"|"Output"/);
    for (const [, state] of tasks)
      expect(state.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Runbook\w+LambdaFunction$/), 'Arn'] });
  });

  it('calls only functions declared in services/runbooks/functions.yml', () => {
    const declared = new Set(Object.keys(functionsYml).map(functionLogicalId));
    for (const logicalId of Object.values(taskFunctions(definition))) expect(declared).toContain(logicalId);
  });

  it('retries transient Lambda and dependency errors with backoff on every task but the one-try best-effort fence', () => {
    for (const [name, state] of tasks.filter(([n]) => !ONE_TRY.has(n))) {
      const retried = ((state.Retry as Array<{ ErrorEquals: string[]; BackoffRate?: number }> | undefined) ?? []).filter(
        (r) => (r.BackoffRate ?? 0) >= 2,
      );
      const errors = retried.flatMap((r) => r.ErrorEquals);
      for (const error of RETRIED) expect({ name, retried: errors.includes(error) }).toEqual({ name, retried: true });
    }
  });

  it('catches every error of every task', () => {
    for (const [name, state] of tasks) {
      const catchers = (state.Catch as Array<{ ErrorEquals: string[] }> | undefined) ?? [];
      expect({ name, catchesAll: catchers.some((c) => c.ErrorEquals.includes('States.ALL')) }).toEqual({ name, catchesAll: true });
    }
  });

  it('never transitions the state on a Catch path: a caught error only closes the run and fails it with a named error', () => {
    const transitions = new Set(['RunbookFenceLambdaFunction', 'RunbookPromoteLambdaFunction', 'RunbookReconcileLambdaFunction']);
    const functionOf = taskFunctions(definition);
    for (const [name, state] of tasks) {
      if (name === CONTINUING_CATCH) continue;
      for (const catcher of (state.Catch as Array<{ Next: string }> | undefined) ?? []) {
        const after = [...reachable(definition, catcher.Next)];
        expect({ from: name, writes: after.filter((s) => transitions.has(functionOf[s] ?? '')) }).toEqual({ from: name, writes: [] });
        const ends = after.filter((s) => definition.States[s]?.Type === 'Fail');
        expect(ends.length).toBeGreaterThan(0);
        expect(after.some((s) => definition.States[s]?.Type === 'Succeed')).toBe(false);
      }
    }
  });

  it('fails with the error the run ended on (ErrorPath), not a generic one', () => {
    for (const [, state] of Object.entries(definition.States).filter(([, s]) => s.Type === 'Fail')) {
      expect(state.ErrorPath).toEqual(expect.stringMatching(/^\$\./));
      expect(state.Error).toBeUndefined();
    }
  });

  it('is declared in state-machines.yml with its stage name and failure alarms', () => {
    const declared = machinesYml[machine];
    expect(declared?.name).toBe(`\${self:service}-\${sls:stage}-${machine}`);
    expect(declared?.definition).toBe(`\${file(./state-machines/${machine}.asl.yaml)}`);
    expect(declared?.alarms.metrics).toEqual(expect.arrayContaining(['executionsFailed', 'executionsTimedOut', 'executionsAborted']));
    expect(declared?.alarms.topics.alarm).toEqual({ Ref: 'NotificationsTopic' });
  });
});

describe('the best-effort fence of an ungraceful failover', () => {
  const state = loadDefinition('failover').States.FencePrimaryBestEffort as AslState;
  const fenceFunction = functionsYml.runbookFence as unknown as { timeout: number };

  it('tries once: no Retry, so its whole time budget is its own TimeoutSeconds', () => {
    expect(state.Retry).toBeUndefined();
    expect(state.TimeoutSeconds).toEqual(expect.any(Number));
    // 2 s for the primary's calls (RUNBOOK_BEST_EFFORT_TIMEOUT_MS) plus invocation and the audit record.
    expect(state.TimeoutSeconds as number).toBeLessThanOrEqual(5);
    // The shared fence function keeps a longer timeout for the planned fence; the state bounds this use of it.
    expect(fenceFunction.timeout).toBeGreaterThan(state.TimeoutSeconds as number);
  });

  it('goes on to the promotion whatever happens, timeout included', () => {
    expect(state.Catch).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'ChooseGate' })]);
    expect(state.Next).toBe('ChooseGate');
  });

  it('is the only one-try task of the three machines', () => {
    const oneTry = RUNBOOK_MACHINES.flatMap((m) =>
      Object.entries(loadDefinition(m).States)
        .filter(([, s]) => s.Type === 'Task' && s.Retry === undefined)
        .map(([n]) => n),
    );
    expect(oneTry).toEqual([...ONE_TRY]);
  });
});

describe('runbook functions', () => {
  it('each grant themselves named actions only (no wildcard)', () => {
    for (const [key, fn] of Object.entries(functionsYml)) {
      expect(fn.iamRoleStatements.length).toBeGreaterThan(0);
      for (const statement of fn.iamRoleStatements) {
        for (const action of statement.Action)
          expect({ key, action }).toEqual({ key, action: expect.not.stringMatching(/(^\*$|:\*$|\*)/) });
      }
    }
  });

  it('are all wired in the integration harness, which runs the same steps as their handlers', () => {
    expect(Object.keys(STEPS).sort()).toEqual(Object.keys(stepFunctionsYml).map(functionLogicalId).sort());
    for (const [key, fn] of Object.entries(stepFunctionsYml)) {
      const handler = fs.readFileSync(path.join(root, `${fn.handler.replace(/\.handler$/, '')}.ts`), 'utf8');
      expect({ key, calls: handler.includes(`${STEPS[functionLogicalId(key)]?.name}(deps, event)`) }).toEqual({ key, calls: true });
    }
  });

  it('point at handler modules that exist', () => {
    for (const fn of Object.values(functionsYml)) {
      const file = `${fn.handler.replace(/\.handler$/, '')}.ts`;
      expect(fs.existsSync(path.join(root, file))).toBe(true);
    }
  });
});
