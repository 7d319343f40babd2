import type { LambdaPool } from './lambda-pool';
import { localScheduleIntervalMs } from './time-scale';
import type { RegionTopology } from './topology';

/** Invocations of one schedule allowed to overlap before a tick is skipped. */
const MAX_OVERLAPPING = 3;

/**
 * The schedules of serverless.yml (the health probe, the background verification), each at its
 * own local interval (./time-scale.ts, localScheduleIntervalMs) in each region that is not cut.
 * Returns the function that stops them.
 */
export function startSchedules(options: {
  topologies: readonly RegionTopology[];
  lambdas: LambdaPool;
  /** Local seconds per AWS second (./time-scale.ts): the probe's round runs every scheduleIntervalMs. */
  timeScale: number;
  isRegionDown(region: string): boolean;
  log(line: string): void;
}): () => Promise<void> {
  const timers: NodeJS.Timeout[] = [];
  for (const topology of options.topologies) {
    const region = topology.region;
    for (const schedule of topology.schedules) {
      // Like an EventBridge schedule, a tick does not wait for the previous invocation (a
      // probe round may take its checks' timeouts); at most 3 overlap, so nothing piles up.
      let running = 0;
      const intervalMs = localScheduleIntervalMs(schedule, options.timeScale);
      const timer = setInterval(() => {
        if (running >= MAX_OVERLAPPING || options.isRegionDown(region)) return;
        running += 1;
        const event = schedule.input ?? {
          version: '0',
          'detail-type': 'Scheduled Event',
          source: 'aws.events',
          region,
          time: new Date().toISOString(),
          detail: {},
        };
        options.lambdas
          .invoke(region, schedule.functionKey, event)
          .catch((e: Error) => options.log(`[${region}] schedule ${schedule.functionKey}: ${e.name}: ${e.message}`))
          .finally(() => {
            running -= 1;
          });
      }, intervalMs);
      timer.unref();
      timers.push(timer);
    }
  }
  return async () => {
    for (const timer of timers) clearInterval(timer);
  };
}
