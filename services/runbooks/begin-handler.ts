import { stepHandler } from './step-handler';
import { beginRun } from './steps/begin';
import { runbookDeps } from './wiring';

const deps = runbookDeps();

export const handler = stepHandler('Begin', (event: Parameters<typeof beginRun>[1]) => beginRun(deps, event));
