import { stepHandler } from './step-handler';
import { writeGateMarkers } from './steps/gate';
import { runbookDeps } from './wiring';

const deps = runbookDeps();

export const handler = stepHandler('WriteMarkers', (event: Parameters<typeof writeGateMarkers>[1]) => writeGateMarkers(deps, event));
