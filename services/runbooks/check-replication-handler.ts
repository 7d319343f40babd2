import { stepHandler } from './step-handler';
import { checkReplicationGate } from './steps/gate';
import { runbookDeps } from './wiring';

const deps = runbookDeps();

export const handler = stepHandler('CheckReplication', (event: Parameters<typeof checkReplicationGate>[1]) =>
  checkReplicationGate(deps, event),
);
