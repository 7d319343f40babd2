import '../../local/polyfills';
import { type Runtime, startRuntime } from '../../local/runtime';

export { eventually } from './eventually';

export const RUNTIME_START_TIMEOUT = 180_000;

/** One embedded two-region runtime for a test file (ports chosen by the OS). */
export function startTestRuntime(options: Parameters<typeof startRuntime>[0] = {}): Promise<Runtime> {
  return startRuntime({ portBase: 0, ...options });
}

// The region's clients (through its doors, with its functions' credentials): one builder, local/clients.ts.
export { regionDocumentClient, regionQuorumClient, regionSfnClient } from '../../local/clients';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
