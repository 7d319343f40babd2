// Scheduled entry point of the health probe (services/health-probe/functions.yml). On AWS the
// schedule fires once a minute and the handler runs a round every PROBE_INTERVAL_SECONDS inside
// it; the embedded runtime fires it every second and the handler runs one round.
import { setTimeout as sleep } from 'node:timers/promises';
import { logger } from '../../shared/powertools';
import { runProbe } from './probe';
import { createProbeDeps, loadProbeEnv, probeCadence } from './wiring';

const env = loadProbeEnv();
const deps = createProbeDeps(env);
const cadence = probeCadence(env);

export async function handler(): Promise<{ rounds: Array<{ at: string; self: string; peer: string; detail: string }> }> {
  const started = Date.now();
  const rounds = [];
  for (let round = 0; round < cadence.rounds; round += 1) {
    const pause = started + round * cadence.intervalMs - Date.now();
    if (pause > 0) await sleep(pause);
    const result = await runProbe(deps);
    const summary = {
      at: result.record.checkedAt,
      self: result.record.status,
      peer: result.peerHealthy ? 'healthy' : 'unhealthy',
      detail: result.record.detail,
    };
    if (!result.selfHealthy || !result.peerHealthy) logger.warn('Health probe round found a problem', summary);
    rounds.push(summary);
  }
  return { rounds };
}
