// Reads the runbook ASL files as serverless-step-functions will (YAML with anchors, function
// references as Fn::GetAtt), for tests and tooling that run or validate them outside a deploy.
// The ASL files stay the one source of truth; nothing here restates a state.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

import { RUNBOOK_MACHINES, type RunbookMachine } from './names';

export { RUNBOOK_MACHINES, type RunbookMachine } from './names';

export type AslState = Record<string, unknown> & { Type: string; Resource?: unknown };
export interface AslDefinition {
  Comment?: string;
  StartAt: string;
  TimeoutSeconds?: number;
  States: Record<string, AslState>;
}

export function definitionFile(machine: RunbookMachine): string {
  return path.join(__dirname, `${machine}.asl.yaml`);
}

/** The definition as written: Task resources are `{ "Fn::GetAtt": [<FunctionLogicalId>, "Arn"] }`. */
export function loadDefinition(machine: RunbookMachine): AslDefinition {
  return YAML.parse(fs.readFileSync(definitionFile(machine), 'utf8'), { merge: true }) as AslDefinition;
}

/** serverless' logical id of a function key: runbookBegin → RunbookBeginLambdaFunction. */
export function functionLogicalId(functionKey: string): string {
  const normalized = functionKey.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return `${normalized.charAt(0).toUpperCase()}${normalized.slice(1)}LambdaFunction`;
}

/** Task state name → the logical id of the function it calls. */
export function taskFunctions(definition: AslDefinition): Record<string, string> {
  const tasks: Record<string, string> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type !== 'Task') continue;
    const ref = (state.Resource as { 'Fn::GetAtt'?: unknown } | undefined)?.['Fn::GetAtt'];
    if (!Array.isArray(ref) || typeof ref[0] !== 'string' || ref[1] !== 'Arn') {
      throw new Error(`Task ${name} must reference its function as Fn::GetAtt: [<FunctionLogicalId>, Arn]`);
    }
    tasks[name] = ref[0];
  }
  return tasks;
}

/** A copy with every Task resource replaced by the ARN `arnOf` gives for its function's logical id. */
export function withFunctionArns(definition: AslDefinition, arnOf: (logicalId: string) => string): AslDefinition {
  const copy = structuredClone(definition);
  for (const [name, logicalId] of Object.entries(taskFunctions(definition))) {
    (copy.States[name] as AslState).Resource = arnOf(logicalId);
  }
  return copy;
}

let resultKeys: Readonly<Record<string, string>> | null = null;

/**
 * Task state name → the key of the execution document its result is stored under (its
 * `ResultPath: $.<key>`), over every runbook. A state name means the same step in every machine,
 * so one that stores its result under two keys is an error here.
 */
export function taskResultKeys(): Readonly<Record<string, string>> {
  if (resultKeys) return resultKeys;
  const keys: Record<string, string> = {};
  for (const machine of RUNBOOK_MACHINES) {
    for (const [name, state] of Object.entries(loadDefinition(machine).States)) {
      if (state.Type !== 'Task' || typeof state.ResultPath !== 'string') continue;
      const key = /^\$\.(\w+)$/.exec(state.ResultPath)?.[1];
      if (!key) throw new Error(`${machine}: Task ${name} has ResultPath ${state.ResultPath}, not $.<key>`);
      if (keys[name] && keys[name] !== key) throw new Error(`Task ${name} stores its result under $.${keys[name]} and $.${key}`);
      keys[name] = key;
    }
  }
  resultKeys = keys;
  return keys;
}
