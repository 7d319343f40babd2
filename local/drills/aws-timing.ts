// The drill's figures as they would be on AWS (pure): a model, not a multiple of the local
// figures. Locally the probe runs every second and the alarm periods are scaled to it; on AWS the
// chain from a fault to the first acknowledged write in the other region is
//
//   fault → the next probe round → N breaching datapoints, one per probe period → the last
//   period complete → the alarm's next evaluation → the composite alarm → EventBridge → Step
//   Functions StartExecution → the runbook (its steps as measured here, with AWS's state store
//   round trips and cold Lambda steps instead of the local ones) → the client's next write,
//
// which is what this module adds up from the stage's thresholds and what the drill measured.
// Every constant says where it comes from; where AWS documents no figure the constant is an
// ASSUMPTION, marked as such, and only moves the estimate by its own size.

export interface Constant {
  ms: number;
  source: string;
}

/** What the model takes from AWS, with its source. */
export const AWS_TIMING: Record<
  'alarmEvaluationInterval' | 'compositeAlarm' | 'eventBridgeToStartExecution' | 'stateStoreRoundTrip' | 'lambdaColdStep',
  Constant
> & { stateStoreRoundTripsPerStep: { count: number; source: string } } = {
  alarmEvaluationInterval: {
    ms: 10_000,
    source:
      'CloudWatch User Guide, "Using Amazon CloudWatch alarms" (AlarmThatSendsEmail.html): "If the alarm period is 10 seconds or 30 seconds, the alarm is evaluated every 10 seconds"',
  },
  compositeAlarm: {
    ms: 0,
    source:
      'ASSUMPTION: a composite alarm takes its state from its children\'s states (CloudWatch User Guide, "Composite alarms", alarm-combining.html); AWS documents no delay',
  },
  eventBridgeToStartExecution: {
    ms: 1000,
    source:
      'ASSUMPTION: AWS documents no delivery latency for CloudWatch alarm state-change events (EventBridge User Guide, "Event delivery from AWS services", eb-service-event-delivery-level.html; retries per the target\'s retry policy, eb-rule-retry-policy.html)',
  },
  stateStoreRoundTrip: {
    ms: 100,
    source:
      'ASSUMPTION: DynamoDB documents that MRSC writes and strongly consistent reads have higher latency, synchronously replicated to a second Region ("Global table design", bp-global-table-design.html), without a figure; ~100 ms stands for a cross-Region round trip',
  },
  stateStoreRoundTripsPerStep: {
    count: 2,
    source:
      'ASSUMPTION from the code: every step of a run that holds the lock renews it first, a conditional write to the quorum store (services/runbooks/steps/run-step.ts), and reads or writes the state there once (services/runbooks/steps); Begin and Promote do one or two more, Finish one fewer',
  },
  lambdaColdStep: {
    ms: 400,
    source:
      'ASSUMPTION: a runbook step that runs rarely meets a cold execution environment (Lambda Developer Guide, "Understanding the Lambda execution environment lifecycle", lambda-runtime-environment.html: Init phase); the bundle\'s own cold init is ≤ 100 ms by budget (npm run bench), the rest is the runtime\'s',
  },
};

export interface StageTiming {
  /** thresholds.probeIntervalSeconds: one probe round, and one alarm period, per this many seconds. */
  probeIntervalSeconds: number;
  /** thresholds.peerDownDatapoints of thresholds.peerDownEvaluationPeriods. */
  peerDownDatapoints: number;
  peerDownEvaluationPeriods: number;
}

export interface MeasuredRunbook {
  machine: string;
  /** Start to stop of the execution as measured locally (null: still running). */
  durationMs: number | null;
  /** Task states the execution ran (each a Lambda invocation), from its history. */
  taskSteps: number;
  /** Whether it ran inside the write outage (then its AWS duration moves the outage). */
  inOutage: boolean;
}

export interface ModelInputs {
  stage: StageTiming;
  /** The local quorum store's round trip (ms), which the measured runbooks paid for each round trip. */
  localStateStoreRoundTripMs: number;
  /** Fault → alarm, locally (null: no alarm in this scenario, e.g. a planned failover). */
  localDetectionMs: number | null;
  /** Alarm → the automatic runbook's start, locally (null: none started by an alarm). */
  localStartMs: number | null;
  localWriteOutageMs: number;
  /** Whether the alarm fired inside the write outage (then detection is part of the outage). */
  detectionInOutage: boolean;
  runbooks: readonly MeasuredRunbook[];
}

export interface Range {
  minMs: number;
  typicalMs: number;
  maxMs: number;
}

export interface AwsTimingModel {
  detection: Range | null;
  startMs: number | null;
  runbooks: Array<{ machine: string; localMs: number | null; awsMs: number | null }>;
  writeOutage: Range;
  /** One line per constant and stage figure the model used. */
  sources: string[];
}

/**
 * Fault → ALARM of an "N of M" alarm on a high-resolution metric published once per probe period.
 * The probe runs a round at the start of every period (services/health-probe/schedule.ts), so a
 * fault waits 0..P for the next round; that round and the next N-1 each put one breaching datapoint
 * in their period; the alarm counts a period once it is complete (as local/control-plane evaluates
 * it); it notices at its next evaluation, 0..10 s later. A failed check ends within the probe
 * timeout, inside its period, so the timeout adds nothing while it is shorter than a period.
 */
export function detectionOnAws(stage: StageTiming, constants = AWS_TIMING): Range {
  const period = stage.probeIntervalSeconds * 1000;
  const evaluation = constants.alarmEvaluationInterval.ms;
  const fixed = (stage.peerDownDatapoints - 1) * period + period + constants.compositeAlarm.ms;
  return { minMs: fixed, typicalMs: fixed + period / 2 + evaluation / 2, maxMs: fixed + period + evaluation };
}

/** A runbook's duration on AWS: as measured, with AWS's round trips and cold steps instead of the local ones. */
export function runbookOnAws(r: MeasuredRunbook, localRoundTripMs: number, constants = AWS_TIMING): number | null {
  if (r.durationMs === null) return null;
  const roundTrips = r.taskSteps * constants.stateStoreRoundTripsPerStep.count * (constants.stateStoreRoundTrip.ms - localRoundTripMs);
  return Math.round(r.durationMs + roundTrips + r.taskSteps * constants.lambdaColdStep.ms);
}

export function awsTimingModel(inputs: ModelInputs, constants = AWS_TIMING): AwsTimingModel {
  const detection = inputs.localDetectionMs === null ? null : detectionOnAws(inputs.stage, constants);
  const startMs = inputs.localStartMs === null ? null : constants.eventBridgeToStartExecution.ms;
  const runbooks = inputs.runbooks.map((r) => ({
    machine: r.machine,
    localMs: r.durationMs,
    awsMs: runbookOnAws(r, inputs.localStateStoreRoundTripMs, constants),
  }));
  // The outage moves by what takes longer on AWS inside it; the rest (the clients' polls, the
  // lease waits, the steps' own work) is as measured.
  const runbookDelta = inputs.runbooks.reduce((sum, r, i) => {
    const aws = runbooks[i]?.awsMs;
    return r.inOutage && r.durationMs !== null && aws != null ? sum + (aws - r.durationMs) : sum;
  }, 0);
  const startDelta = inputs.detectionInOutage && startMs !== null && inputs.localStartMs !== null ? startMs - inputs.localStartMs : 0;
  const outage = (detectionMs: number | null) => {
    const detectionDelta =
      inputs.detectionInOutage && detectionMs !== null && inputs.localDetectionMs !== null ? detectionMs - inputs.localDetectionMs : 0;
    return Math.max(0, Math.round(inputs.localWriteOutageMs + detectionDelta + startDelta + runbookDelta));
  };
  const writeOutage: Range = detection
    ? { minMs: outage(detection.minMs), typicalMs: outage(detection.typicalMs), maxMs: outage(detection.maxMs) }
    : { minMs: outage(null), typicalMs: outage(null), maxMs: outage(null) };
  const s = inputs.stage;
  const sources = [
    `probe period ${s.probeIntervalSeconds} s, ${s.peerDownDatapoints} of ${s.peerDownEvaluationPeriods} datapoints: infra/stages/<stage>.yml thresholds, the alarms of infra/resources/alarms.yml`,
    ...Object.entries(constants).map(([name, c]) => `${name} ${'ms' in c ? `${c.ms} ms` : c.count}: ${c.source}`),
    `local state store round trip ${inputs.localStateStoreRoundTripMs} ms: local/quorum (the measured runbooks paid it per round trip)`,
  ];
  return { detection, startMs, runbooks, writeOutage, sources };
}
