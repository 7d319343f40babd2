// biome-ignore-all lint/suspicious/noTemplateCurlyInString: serverless variables as written in the YAML
// The names the tools compute (state-machines/names.ts) against what serverless.yml and
// state-machines.yml declare, and the ResultPaths the read model reads against the ASL.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { resultKeyOf, stepResultOf, stepResults } from '../../../services/runbooks/adapters/runbook-read-model';
import { loadDefinition, RUNBOOK_MACHINES } from '../../../state-machines/definitions';
import { runbookOfStateMachine, SERVICE, stateMachineName, tableNames } from '../../../state-machines/names';

const root = path.resolve(__dirname, '..', '..', '..');
const serverlessYml = fs.readFileSync(path.join(root, 'serverless.yml'), 'utf8');
const machinesYml = YAML.parse(fs.readFileSync(path.join(root, 'state-machines/state-machines.yml'), 'utf8')) as Record<
  string,
  { name: string }
>;

describe('runbook and resource names', () => {
  it('lists the runbooks state-machines.yml declares, named as it names them', () => {
    // Assess
    expect(Object.keys(machinesYml).sort()).toEqual([...RUNBOOK_MACHINES].sort());
    for (const machine of RUNBOOK_MACHINES) {
      expect(machinesYml[machine]?.name.replace('${self:service}', SERVICE).replace('${sls:stage}', 'dev')).toBe(
        stateMachineName('dev', machine),
      );
    }
  });

  it('names the service and the tables as serverless.yml does', () => {
    // Assess
    expect(serverlessYml).toMatch(new RegExp(`^service: ${SERVICE}$`, 'm'));
    expect(serverlessYml).toContain('appStateTable: ${self:service}-${sls:stage}-app-state');
    expect(serverlessYml).toContain('quorumTable: ${self:service}-${sls:stage}-quorum');
    expect(tableNames('dev')).toEqual({ appState: 'switchyard-dev-app-state', quorum: 'switchyard-dev-quorum' });
  });

  it('tells a runbook state machine from its name or ARN, and no other', () => {
    // Assess
    expect(runbookOfStateMachine('dev', 'arn:aws:states:us-west-2:1:stateMachine:switchyard-dev-failover')).toBe('failover');
    expect(runbookOfStateMachine('dev', 'switchyard-dev-fence')).toBe('fence');
    expect(runbookOfStateMachine('dev', 'switchyard-prod-fence')).toBeNull();
    expect(runbookOfStateMachine('dev', 'other-dev-failback')).toBeNull();
  });
});

describe('the read model reads each step result where the ASL stores it', () => {
  it.each(RUNBOOK_MACHINES)('%s: every Task with a ResultPath', (machine) => {
    // Arrange
    const tasks = Object.entries(loadDefinition(machine).States).filter(([, s]) => s.Type === 'Task' && typeof s.ResultPath === 'string');
    expect(tasks.length).toBeGreaterThan(0);
    for (const [name, state] of tasks) {
      const key = String(state.ResultPath).slice(2);
      // Act
      const result = stepResultOf(name, JSON.stringify({ [key]: { from: name } }));
      // Assess
      expect(resultKeyOf(name)).toBe(key);
      expect(result).toEqual({ from: name });
    }
  });

  it('collects the results of every exit of a state, and none of a state without a ResultPath', () => {
    // Arrange
    const exit = (name: string, output: unknown) => ({
      type: 'TaskStateExited',
      stateExitedEventDetails: { name, output: JSON.stringify(output) },
    });
    const events = [
      exit('CheckReplication', { gate: { checks: 1 } }),
      exit('Promote', { promotion: {} }),
      exit('CheckReplication', { gate: { checks: 2 } }),
    ];
    // Act / Assess
    expect(stepResults(events as never, 'CheckReplication')).toEqual([{ checks: 1 }, { checks: 2 }]);
    expect(stepResultOf('DrainInFlightWrites', JSON.stringify({ fence: {} }))).toBeUndefined();
    expect(stepResultOf('Promote', 'not json')).toBeUndefined();
  });
});
