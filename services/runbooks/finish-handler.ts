import { stepHandler } from './step-handler';
import { finishRun } from './steps/finish';
import { runbookDeps } from './wiring';

const deps = runbookDeps();

export const handler = stepHandler('Finish', (event: Parameters<typeof finishRun>[1]) => finishRun(deps, event));
