// The local runtime's one time scale: AWS counts the stage's durations in probe rounds of
// thresholds.probeIntervalSeconds (10 s); locally the probe runs every scheduleIntervalMs (1 s),
// so every duration counted in rounds runs at that rate too: "primary healthy for 300 s"
// (30 rounds of 10 s) becomes 30 s. Everything the runtime scales is scaled here, once.
import type { StageConfig } from '../../infra/stage-config.cjs';

export function timeScaleOf(config: Pick<StageConfig, 'thresholds'>, scheduleIntervalMs: number): number {
  return scheduleIntervalMs / 1000 / config.thresholds.probeIntervalSeconds;
}

/** `seconds` of AWS time in local seconds, whole and at least `atLeast`. */
export function scaledSeconds(seconds: number, timeScale: number, atLeast = 1): number {
  return Math.max(atLeast, Math.ceil(seconds * timeScale));
}

/** The functions' variables that count in probe rounds, as the local runtime sets them. */
export function scaledFunctionEnv(config: Pick<StageConfig, 'thresholds' | 'quorum'>, timeScale: number) {
  const { thresholds, quorum } = config;
  return {
    RUNBOOK_PRIMARY_HEALTHY_SECONDS: String(scaledSeconds(thresholds.primaryHealthySecondsBeforeFailback, timeScale)),
    // The replication gate gives up after the same number of probe rounds (at least 10 s).
    RUNBOOK_GATE_TIMEOUT_SECONDS: String(scaledSeconds(thresholds.replicationGateTimeoutSeconds, timeScale, 10)),
    // Heartbeats are renewed every probe round, so their staleness counts in rounds too; the
    // runbook lock is renewed by every step (about once per local probe round while a gate waits).
    HEARTBEAT_STALE_SECONDS: String(scaledSeconds(quorum.heartbeatStaleSeconds, timeScale, 2)),
    // A probe record goes stale after the same number of missed rounds as on AWS.
    HEALTH_RECORD_STALE_SECONDS: String(scaledSeconds(thresholds.healthRecordStaleSeconds, timeScale, 3)),
    RUNBOOK_LOCK_LEASE_SECONDS: String(scaledSeconds(quorum.lockLeaseSeconds, timeScale, 10)),
  };
}

export class UnsupportedSchedule extends Error {
  override readonly name = 'UnsupportedSchedule';
}

const RATE_UNITS: Record<string, number> = { minute: 60, minutes: 60, hour: 3_600, hours: 3_600, day: 86_400, days: 86_400 };

/** Seconds between two runs of an EventBridge rate expression ("rate(1 minute)", "rate(5 minutes)"). */
export function rateSeconds(rate: string): number {
  const match = /^rate\(\s*(\d+)\s+([a-z]+)\s*\)$/.exec(rate.trim());
  const unit = match ? RATE_UNITS[match[2] as string] : undefined;
  if (!match || unit === undefined || Number(match[1]) < 1) {
    throw new UnsupportedSchedule(`Schedule "${rate}": the local runtime runs rate(<n> minute(s)|hour(s)|day(s)) schedules only`);
  }
  return Number(match[1]) * unit;
}

/**
 * How often the local runtime fires a schedule: its AWS period at the time scale. A function that
 * runs rounds within its invocation (the health probe) runs one round per local invocation, so
 * its period is the round's: the probe fires every scheduleIntervalMs, as the time scale is
 * defined. Any other schedule fires at its rate scaled: rate(1 minute) every 6 s at 1 s a round.
 */
export function localScheduleIntervalMs(schedule: { rate: string; roundSeconds?: number }, timeScale: number): number {
  const seconds = schedule.roundSeconds ?? rateSeconds(schedule.rate);
  return Math.max(1, Math.round(seconds * 1000 * timeScale));
}
