import { stepHandler } from './step-handler';
import { runFence } from './steps/fence';
import { runbookDeps, snsNotifier } from './wiring';

const deps = runbookDeps({ notifier: snsNotifier });

export const handler = stepHandler('Fence', (event: Parameters<typeof runFence>[1]) => runFence(deps, event));
