import { AWS_TIMING, awsTimingModel, detectionOnAws, type ModelInputs, runbookOnAws } from '../../../local/drills/aws-timing';
import { type DrillFigures, summaryRows } from '../../../local/drills/report';

const stage = { probeIntervalSeconds: 10, peerDownDatapoints: 3, peerDownEvaluationPeriods: 3 };

const outage: ModelInputs = {
  stage,
  localStateStoreRoundTripMs: 15,
  localDetectionMs: 4000,
  localStartMs: 100,
  localWriteOutageMs: 7000,
  detectionInOutage: true,
  runbooks: [{ machine: 'failover', durationMs: 1500, taskSteps: 5, inOutage: true }],
};

describe('the AWS timing model', () => {
  it('detects after N datapoints of one probe period each, the last period complete, and the next 10 s evaluation', () => {
    // Best: the fault just before a round and an evaluation right after the third period ends.
    // Worst: a whole period until the next round, and a whole evaluation interval.
    expect(detectionOnAws(stage)).toEqual({ minMs: 30_000, typicalMs: 40_000, maxMs: 50_000 });
    // One datapoint of a 30 s period: the period is the cost.
    expect(detectionOnAws({ probeIntervalSeconds: 30, peerDownDatapoints: 1, peerDownEvaluationPeriods: 1 })).toEqual({
      minMs: 30_000,
      typicalMs: 50_000,
      maxMs: 70_000,
    });
  });

  it('gives a runbook the state store round trips and cold steps of AWS instead of the local ones', () => {
    const run = { machine: 'failover', durationMs: 1500, taskSteps: 5, inOutage: true };
    const perStep = AWS_TIMING.stateStoreRoundTripsPerStep.count * (AWS_TIMING.stateStoreRoundTrip.ms - 15) + AWS_TIMING.lambdaColdStep.ms;
    const expected = 1500 + 5 * perStep;
    expect(runbookOnAws(run, 15)).toBe(expected);
    expect(runbookOnAws({ ...run, durationMs: null }, 15)).toBeNull();
  });

  it('moves the write outage by what takes longer on AWS inside it, the rest as measured', () => {
    const model = awsTimingModel(outage);
    const runbook = runbookOnAws(outage.runbooks[0]!, 15) as number;
    const delta = (detection: number) => detection - 4000 + (AWS_TIMING.eventBridgeToStartExecution.ms - 100) + (runbook - 1500);
    expect(model.writeOutage).toEqual({ minMs: 7000 + delta(30_000), typicalMs: 7000 + delta(40_000), maxMs: 7000 + delta(50_000) });
    expect(model.detection?.typicalMs).toBe(40_000);
    expect(model.startMs).toBe(AWS_TIMING.eventBridgeToStartExecution.ms);
    expect(model.runbooks).toEqual([{ machine: 'failover', localMs: 1500, awsMs: runbook }]);
  });

  it('leaves a planned failover without detection, and runbooks outside the outage out of it', () => {
    const planned = awsTimingModel({
      ...outage,
      localDetectionMs: null,
      localStartMs: null,
      detectionInOutage: false,
      runbooks: [
        { machine: 'failover', durationMs: 3000, taskSteps: 8, inOutage: true },
        { machine: 'fence', durationMs: 200, taskSteps: 3, inOutage: false },
      ],
    });
    expect(planned.detection).toBeNull();
    const moved =
      8 * (AWS_TIMING.stateStoreRoundTripsPerStep.count * (AWS_TIMING.stateStoreRoundTrip.ms - 15) + AWS_TIMING.lambdaColdStep.ms);
    expect(planned.writeOutage).toEqual({ minMs: 7000 + moved, typicalMs: 7000 + moved, maxMs: 7000 + moved });
  });

  it('names the source of every constant and stage figure it used, and marks the assumptions', () => {
    const { sources } = awsTimingModel(outage);
    for (const name of Object.keys(AWS_TIMING)) expect(sources.some((s) => s.startsWith(`${name} `))).toBe(true);
    expect(sources.find((s) => s.startsWith('alarmEvaluationInterval'))).toContain('evaluated every 10 seconds');
    expect(sources.filter((s) => s.includes('ASSUMPTION')).length).toBe(5);
    expect(sources[0]).toContain('probe period 10 s, 3 of 3 datapoints');
  });
});

describe('the report with the model', () => {
  it('prints the AWS figures beside the local ones, and the sources', () => {
    const model = awsTimingModel(outage);
    const figures: DrillFigures = {
      scenario: 'region-outage',
      startedAt: '2030-01-01T00:00:00.000Z',
      durationMs: 20_000,
      requests: { reads: 1, readErrors: 0, writeAttempts: 1, writesAcked: 1, writesAbandoned: 0 },
      writesRefused: {},
      detectionMs: 4000,
      runbooks: [{ machine: 'failover', region: 'us-west-2', status: 'SUCCEEDED', durationMs: 1500, startedBy: 'alarm:x' }],
      writeOutage: { ms: 7000, from: null, to: null },
      lostBeforeReconciliation: { count: 0, from: null, to: null },
      lostAfterReconciliation: null,
      maxReplicationLagMs: null,
      samples: 0,
      twoWritableSamples: 0,
      handovers: [],
      fencing: { leaseMs: 2000, clockSkewMarginMs: 500, promotionWaitMs: 3500 },
      versionForks: [],
      awsEstimate: { detectionMs: model.detection?.typicalMs ?? null, writeOutageMs: model.writeOutage.typicalMs, basis: 'model', model },
      invariants: [],
      marks: [],
    };
    const rows = Object.fromEntries(summaryRows(figures));
    expect(rows.detection).toBe('4.00 s · on AWS 40.00 s (30.00 s–50.00 s)');
    expect(rows['runbook failover']).toBe(
      `SUCCEEDED in 1.50 s (us-west-2, alarm:x) · on AWS ${((model.runbooks[0]?.awsMs ?? 0) / 1000).toFixed(2)} s`,
    );
    expect(rows['write outage (RTO)']).toMatch(/^7\.00 s · on AWS \d+\.\d\d s \(/);
    expect(rows['on AWS: constants and sources']).toContain('AlarmThatSendsEmail.html');
  });
});
