import { loadStageConfig } from '../../../infra/stage-config.cjs';
import { scaledFunctionEnv, scaledSeconds, timeScaleOf } from '../../../local/runtime/time-scale';

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
});
