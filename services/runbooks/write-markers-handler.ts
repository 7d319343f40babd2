import { stepHandler } from './step-handler';
import { writeGateMarkers } from './steps/gate';
import { runbookDeps, runbookParameters } from './wiring';

const deps = runbookDeps({ parameters: runbookParameters });

export const handler = stepHandler('WriteMarkers', (event: Parameters<typeof writeGateMarkers>[1]) => writeGateMarkers(deps, event));
