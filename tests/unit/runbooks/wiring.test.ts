import type { RunbookParameters } from '../../../services/runbooks/steps/ports';
import { createRunbookDeps, runbookParameters } from '../../../services/runbooks/wiring';
import { runbookEnv } from './fixtures';

// Building the ports makes no call: SDK clients connect on their first request.
describe('runbook wiring', () => {
  it('wires the client ports a handler names, and only those', () => {
    // Act
    const deps = createRunbookDeps(runbookEnv, {}, { parameters: runbookParameters });

    // Assess
    expect(deps.parameters).toBeDefined();
    expect('objects' in deps).toBe(false);
    expect('notifier' in deps).toBe(false);
    expect(deps.config.region).toBe('us-west-2');
  });

  it('takes an override over the factory of the same port', () => {
    // Prepare
    const parameters: RunbookParameters = { autoFailover: async () => 'enabled', maxReplicationLagSeconds: async () => 3 };

    // Act
    const deps = createRunbookDeps(runbookEnv, { parameters }, { parameters: runbookParameters });

    // Assess
    expect(deps.parameters).toBe(parameters);
  });

  it('gives every handler of one container the ports it names (the embedded runtime loads them all in one worker)', () => {
    // Prepare
    const saved = process.env;
    process.env = { ...saved, ...runbookEnv };
    try {
      jest.isolateModules(() => {
        const wiring = require('../../../services/runbooks/wiring') as typeof import('../../../services/runbooks/wiring');

        // Act: the first handler names no client port, the next one SNS, the last one SSM.
        const first = wiring.runbookDeps();
        const fence = wiring.runbookDeps({ notifier: wiring.snsNotifier });
        const markers = wiring.runbookDeps({ parameters: wiring.runbookParameters });

        // Assess: one container, one set of DynamoDB ports; each handler has what it named.
        expect('notifier' in first).toBe(false);
        expect(fence.notifier).toBeDefined();
        expect(markers.parameters).toBeDefined();
        expect(markers.lock).toBe(first.lock);
      });
    } finally {
      process.env = saved;
    }
  });
});
