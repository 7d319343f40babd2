// When one invocation of the health probe runs its rounds. The alarms read the probe's metrics in
// wall-clock periods of probeIntervalSeconds (10 s) and SelfUnhealthy treats a period without a
// datapoint as breaching, so every period needs a round, also at each minute's handover between
// two invocations. Timing rounds from the invocation's start does not give that: EventBridge runs
// a scheduled rule "within the minute", not on its 0th second, and the next invocation may start
// a little later in its minute than this one did, leaving a period empty. So:
//   - the first round runs at once: the period in progress at the start is covered, however late;
//   - the next rounds start on the period boundaries (multiples of the period since the epoch);
//   - the invocation goes on for one period past the schedule's rate, so the next invocation may
//     start up to a period late and still find its first period covered. The periods both cover
//     get two datapoints, which the alarms' Minimum/Maximum statistics take as one.
// Pure: the handler sleeps until each time and starts the round.

/** functions.yml schedules the probe at rate(1 minute), the lowest rate AWS schedules offer. */
export const SCHEDULE_RATE_MS = 60_000;

export interface ProbeCadence {
  /** Length of an alarm period (probeIntervalSeconds), ms. */
  periodMs: number;
  /** How long after its start an invocation keeps starting rounds, ms (0: one round only). */
  coverMs: number;
}

/** The cadence on AWS: a minute of periods plus one period of overlap with the next invocation. */
export function awsCadence(periodSeconds: number): ProbeCadence {
  const periodMs = periodSeconds * 1000;
  return { periodMs, coverMs: SCHEDULE_RATE_MS + periodMs };
}

/**
 * Start times (ms since the epoch) of the rounds of an invocation that started at `startedAt`:
 * at once, then at every period boundary before startedAt + coverMs.
 */
export function roundTimes(startedAt: number, cadence: ProbeCadence): number[] {
  const times = [startedAt];
  const end = startedAt + cadence.coverMs;
  for (let boundary = (Math.floor(startedAt / cadence.periodMs) + 1) * cadence.periodMs; boundary < end; boundary += cadence.periodMs) {
    times.push(boundary);
  }
  return times;
}
