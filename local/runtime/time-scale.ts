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
