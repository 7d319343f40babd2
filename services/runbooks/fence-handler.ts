import { stepHandler } from './step-handler';
import { runFence } from './steps/fence';
import { runbookDeps } from './wiring';

const deps = runbookDeps();

export const handler = stepHandler('Fence', (event: Parameters<typeof runFence>[1]) => runFence(deps, event));
