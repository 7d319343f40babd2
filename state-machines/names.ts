// The runbooks and the names of their state machines, as state-machines.yml declares them
// (`name: ${self:service}-${sls:stage}-<runbook>`). No I/O, so Lambda code may import it; the
// unit tests check it against state-machines.yml and serverless.yml.

/** serverless.yml `service:`: the prefix of every resource name. */
export const SERVICE = 'switchyard';

export const RUNBOOK_MACHINES = ['fence', 'failover', 'failback'] as const;
export type RunbookMachine = (typeof RUNBOOK_MACHINES)[number];

export function stateMachineName(stage: string, machine: RunbookMachine): string {
  return `${SERVICE}-${stage}-${machine}`;
}

/** The runbook a state machine (by name or ARN) runs, or null for any other machine. */
export function runbookOfStateMachine(stage: string, nameOrArn: string): RunbookMachine | null {
  const name = nameOrArn.split(':').at(-1) ?? nameOrArn;
  return RUNBOOK_MACHINES.find((machine) => stateMachineName(stage, machine) === name) ?? null;
}

/** serverless.yml `custom.names`: the tables the runbooks read and write, by stage. */
export const tableNames = (stage: string) => ({
  appState: `${SERVICE}-${stage}-app-state`,
  quorum: `${SERVICE}-${stage}-quorum`,
});
