import { stepHandler } from './step-handler';
import { checkFailoverPreconditions } from './steps/preconditions';
import { runbookDeps, runbookParameters } from './wiring';

const deps = runbookDeps({ parameters: runbookParameters });

export const handler = stepHandler('CheckPreconditions', (event: Parameters<typeof checkFailoverPreconditions>[1]) =>
  checkFailoverPreconditions(deps, event),
);
