import { stepHandler } from './step-handler';
import { promote } from './steps/promote';
import { runbookDeps, snsNotifier } from './wiring';

const deps = runbookDeps({ notifier: snsNotifier });

export const handler = stepHandler('Promote', (event: Parameters<typeof promote>[1]) => promote(deps, event));
