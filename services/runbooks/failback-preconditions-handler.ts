import { stepHandler } from './step-handler';
import { checkFailbackPreconditions } from './steps/preconditions';
import { runbookDeps } from './wiring';

const deps = runbookDeps();

export const handler = stepHandler('CheckPreconditions', (event: Parameters<typeof checkFailbackPreconditions>[1]) =>
  checkFailbackPreconditions(deps, event),
);
