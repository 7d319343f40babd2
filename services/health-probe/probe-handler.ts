// Scheduled entry point of the health probe (services/health-probe/functions.yml). On AWS the
// schedule fires once a minute and the handler runs a round in every PROBE_INTERVAL_SECONDS
// wall-clock period of its minute and one more (./schedule.ts); the embedded runtime fires it
// every second and the handler runs one round.
import { setTimeout as sleep } from 'node:timers/promises';
import { lambdaEntry, logger } from '../../shared/powertools';
import { runProbe } from './probe';
import { roundTimes } from './schedule';
import { createProbeDeps, loadProbeEnv, probeCadence } from './wiring';

const env = loadProbeEnv();
const deps = createProbeDeps(env);
const cadence = probeCadence(env);

type RoundSummary = { at: string; self: string; peer: string; detail: string };

async function round(): Promise<RoundSummary> {
  const result = await runProbe(deps);
  const summary = {
    at: result.record.checkedAt,
    self: result.record.status,
    peer: result.peerHealthy ? 'healthy' : 'unhealthy',
    detail: result.record.detail,
  };
  if (!result.selfHealthy || !result.peerHealthy) logger.warn('Health probe round found a problem', summary);
  return summary;
}

export const handler = lambdaEntry(async (): Promise<{ rounds: RoundSummary[] }> => {
  const rounds: Array<Promise<RoundSummary>> = [];
  for (const at of roundTimes(Date.now(), cadence)) {
    // Timers may fire a little early: a round that started before its boundary would land in the previous period.
    for (let wait = at - Date.now(); wait > 0; wait = at - Date.now()) await sleep(wait);
    // Each round starts on time, even if the previous one is still waiting on a slow save or
    // publish: its period must get its datapoint (checks and readings have their own timeouts).
    rounds.push(round());
  }
  return { rounds: await Promise.all(rounds) };
});
