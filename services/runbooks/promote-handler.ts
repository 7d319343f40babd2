import { stepHandler } from './step-handler';
import { promote } from './steps/promote';
import { runbookDeps } from './wiring';

const deps = runbookDeps();

export const handler = stepHandler('Promote', (event: Parameters<typeof promote>[1]) => promote(deps, event));
