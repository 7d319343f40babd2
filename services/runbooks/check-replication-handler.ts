import { stepHandler } from './step-handler';
import { checkReplicationGate } from './steps/gate';
import { photoObjects, runbookDeps } from './wiring';

const deps = runbookDeps({ objects: photoObjects });

export const handler = stepHandler('CheckReplication', (event: Parameters<typeof checkReplicationGate>[1]) =>
  checkReplicationGate(deps, event),
);
