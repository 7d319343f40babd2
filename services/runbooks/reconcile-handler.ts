import { stepHandler } from './step-handler';
import { reconcileStrandedWrites } from './steps/reconcile';
import { runbookDeps } from './wiring';

const deps = runbookDeps();

export const handler = stepHandler('Reconcile', (event: Parameters<typeof reconcileStrandedWrites>[1]) =>
  reconcileStrandedWrites(deps, event),
);
