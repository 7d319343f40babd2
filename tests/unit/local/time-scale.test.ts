import { loadStageConfig } from '../../../infra/stage-config.cjs';
import {
  localScheduleIntervalMs,
  rateSeconds,
  scaledFunctionEnv,
  scaledSeconds,
  timeScaleOf,
  UnsupportedSchedule,
} from '../../../local/runtime/time-scale';

describe('the local runtime time scale', () => {
  const config = loadStageConfig('dev');

  it('runs a probe round of the stage (10 s) in one local schedule interval', () => {
    expect(timeScaleOf(config, 1000)).toBe(0.1);
    expect(timeScaleOf(config, 10_000)).toBe(1);
  });

  it('scales to whole seconds with a floor', () => {
    expect(scaledSeconds(300, 0.1)).toBe(30);
    expect(scaledSeconds(25, 0.1)).toBe(3);
    expect(scaledSeconds(60, 0.1, 10)).toBe(10);
  });

  it('scales every duration counted in probe rounds, from the stage file', () => {
    // Act
    const env = scaledFunctionEnv(config, 0.1);
    // Assess
    expect(env).toEqual({
      RUNBOOK_PRIMARY_HEALTHY_SECONDS: String(Math.ceil(config.thresholds.primaryHealthySecondsBeforeFailback / 10)),
      RUNBOOK_GATE_TIMEOUT_SECONDS: String(Math.max(10, Math.ceil(config.thresholds.replicationGateTimeoutSeconds / 10))),
      HEARTBEAT_STALE_SECONDS: String(Math.max(2, Math.ceil(config.quorum.heartbeatStaleSeconds / 10))),
      HEALTH_RECORD_STALE_SECONDS: String(Math.max(3, Math.ceil(config.thresholds.healthRecordStaleSeconds / 10))),
      RUNBOOK_LOCK_LEASE_SECONDS: String(Math.max(10, Math.ceil(config.quorum.lockLeaseSeconds / 10))),
    });
  });

  it('fires the health probe once per round, every schedule interval, and other schedules at their rate scaled', () => {
    const timeScale = timeScaleOf(config, 1000);
    // The probe's round is the stage's probe interval: exactly the runtime's schedule interval.
    expect(localScheduleIntervalMs({ rate: 'rate(1 minute)', roundSeconds: config.thresholds.probeIntervalSeconds }, timeScale)).toBe(1000);
    expect(
      localScheduleIntervalMs({ rate: 'rate(1 minute)', roundSeconds: config.thresholds.probeIntervalSeconds }, timeScaleOf(config, 250)),
    ).toBe(250);
    // The background verification, rate(1 minute): every 6 s at 1 s a round.
    expect(localScheduleIntervalMs({ rate: 'rate(1 minute)' }, timeScale)).toBe(6000);
    expect(localScheduleIntervalMs({ rate: 'rate(5 minutes)' }, timeScale)).toBe(30_000);
  });

  it('reads EventBridge rate expressions, and refuses what it cannot run', () => {
    expect(rateSeconds('rate(1 minute)')).toBe(60);
    expect(rateSeconds('rate(2 hours)')).toBe(7200);
    expect(rateSeconds('rate(1 day)')).toBe(86_400);
    for (const rate of ['cron(0 12 * * ? *)', 'rate(0 minutes)', 'rate(1 fortnight)'])
      expect(() => rateSeconds(rate)).toThrow(UnsupportedSchedule);
  });
});
