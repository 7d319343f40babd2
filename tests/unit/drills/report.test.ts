import type { AckedWrite, Attempt, StateSample } from '../../../local/drills/load';
import {
  handovers,
  longestWriteGap,
  lostWrites,
  refusedByReason,
  stateSpanLine,
  stateSpans,
  timeline,
  twoWritable,
  versionForks,
  versionRegressions,
} from '../../../local/drills/report';

const ack = (commentId: string, ackAt: number, region = 'us-east-1', sentAt = ackAt - 5): AckedWrite => ({
  key: commentId,
  commentId,
  region,
  home: region,
  sentAt,
  firstTryAt: sentAt,
  ackAt,
});

describe('drill figures', () => {
  it('finds the longest time without an acknowledged write, bounded by the window', () => {
    const acked = [ack('a', 1000), ack('b', 1100), ack('c', 4100), ack('d', 4200)];
    expect(longestWriteGap(acked, 1000, 5000)).toEqual({ ms: 3000, from: 1100, to: 4100 });
    // Nothing acknowledged after the fault: the outage lasts to the end of the window.
    expect(longestWriteGap([ack('a', 500)], 1000, 3000)).toEqual({ ms: 2000, from: 1000, to: 3000 });
  });

  it('counts acknowledged writes missing from the region, with their time window', () => {
    const acked = [
      ack('a', Date.UTC(2026, 0, 1, 0, 0, 1)),
      ack('b', Date.UTC(2026, 0, 1, 0, 0, 2)),
      ack('c', Date.UTC(2026, 0, 1, 0, 0, 3)),
    ];
    expect(lostWrites(acked, new Set(['b']))).toEqual({ count: 2, from: '2026-01-01T00:00:01.000Z', to: '2026-01-01T00:00:03.000Z' });
    expect(lostWrites(acked, new Set(['a', 'b', 'c']))).toEqual({ count: 0, from: null, to: null });
  });

  it('buckets requests per 100 ms and counts refusals by reason', () => {
    const attempts: Attempt[] = [
      { at: 1010, kind: 'read', ok: true, outcome: 'ok', region: 'r', latencyMs: 5 },
      { at: 1050, kind: 'write', ok: false, outcome: 'WRITES_FENCED', region: 'r', latencyMs: 5 },
      { at: 1150, kind: 'write', ok: false, outcome: 'WRITES_FENCED', region: 'r', latencyMs: 5 },
      { at: 1160, kind: 'write', ok: false, outcome: 'NETWORK', region: 'r', latencyMs: 5 },
      { at: 1170, kind: 'read', ok: false, outcome: 'NETWORK', region: 'r', latencyMs: 5 },
    ];
    expect(timeline(attempts, 1000, 1199)).toEqual([
      { t: 0, readsOk: 1, readsFailed: 0, writesOk: 0, writesFailed: 1 },
      { t: 100, readsOk: 0, readsFailed: 1, writesOk: 0, writesFailed: 2 },
    ]);
    expect(refusedByReason(attempts)).toEqual({ WRITES_FENCED: 2, NETWORK: 1 });
    expect(refusedByReason(attempts, 'read')).toEqual({ NETWORK: 1 });
  });

  it('counts the samples where two regions said "write here"', () => {
    const sample = (writable: string[]): StateSample => ({ at: 0, views: {}, writable });
    expect(twoWritable([sample(['us-east-1']), sample(['us-east-1', 'us-west-2']), sample([])])).toBe(1);
  });
});

describe('what the regions acknowledged', () => {
  it("measures each hand-over from the old region's last acknowledgement to the new region's first write", () => {
    const acked = [ack('a', 1000), ack('b', 1200, 'us-east-1', 1100), ack('c', 5000, 'us-west-2', 4700), ack('d', 5100, 'us-west-2')];
    expect(handovers(acked)).toEqual([
      {
        from: 'us-east-1',
        to: 'us-west-2',
        lastSentAt: 1100,
        lastAckAt: 1200,
        firstSentAt: 4700,
        firstAckAt: 5000,
        gapMs: 3500,
        separated: true,
      },
    ]);
  });

  it('does not call a hand-over separated when the new region may have committed before the old one stopped', () => {
    // West sent at 1100 and acknowledged at 1400; east acknowledged its last at 1300.
    const acked = [ack('a', 1000, 'us-east-1', 990), ack('b', 1300, 'us-east-1', 1250), ack('c', 1400, 'us-west-2', 1100)];
    expect(handovers(acked)).toEqual([expect.objectContaining({ gapMs: -200, separated: false })]);
    // Split brain with quick, separate commits shows as hand-overs back and forth: the drill
    // allows no more hand-overs than runbooks that moved the state.
    const interleaved = [ack('a', 1000), ack('b', 1100, 'us-west-2', 1050), ack('c', 1300, 'us-east-1', 1200), ack('d', 1400, 'us-west-2')];
    expect(handovers(interleaved).map((h) => `${h.from}>${h.to}`)).toEqual([
      'us-east-1>us-west-2',
      'us-west-2>us-east-1',
      'us-east-1>us-west-2',
    ]);
  });

  it('finds a version shown with two different states', () => {
    const view = (state: string, version: number, activeRegion: string) => ({
      state,
      version,
      activeRegion,
      write: false,
      isolated: false,
    });
    const samples = [
      { at: 1, writable: [], views: { 'us-east-1': view('active', 7, 'us-east-1'), 'us-west-2': view('failover', 7, 'us-west-2') } },
      { at: 2, writable: [], views: { 'us-east-1': view('fenced', 8, 'us-east-1'), 'us-west-2': null } },
    ];
    expect(versionForks(samples)).toEqual(['v7: active in us-east-1 / failover in us-west-2']);
    expect(versionForks(samples.slice(1))).toEqual([]);
  });

  it('counts an answer that went back in time, not an older answer to a poll that overlapped a newer one', () => {
    const view = (version: number, isolated = false) => ({ state: 'fenced', version, activeRegion: 'us-east-1', write: false, isolated });
    const overlapping = [
      { at: 100, doneAt: 150, writable: [], views: { 'us-west-2': view(2) } },
      // Sent at 90, before the v2 answer arrived, and slow: older news, not a regression.
      { at: 90, doneAt: 400, writable: [], views: { 'us-west-2': view(1) } },
    ];
    expect(versionRegressions(overlapping)).toEqual([]);

    const wentBack = [
      ...overlapping,
      { at: 200, doneAt: 210, writable: [], views: { 'us-west-2': view(1) } },
      // An isolated region's answer may be stale by design (it says so): not counted.
      { at: 300, doneAt: 310, writable: [], views: { 'us-west-2': view(0, true) } },
    ];
    expect(versionRegressions(wentBack)).toEqual([{ region: 'us-west-2', at: 200, version: 1, seenBefore: 2 }]);
  });
});

describe("a run's states", () => {
  const at = (ms: number) => new Date(1_000_000 + ms);
  const events = [
    { type: 'ExecutionStarted', timestamp: at(0) },
    { type: 'TaskStateEntered', timestamp: at(10), stateEnteredEventDetails: { name: 'FencePrimary' } },
    { type: 'TaskStateExited', timestamp: at(130), stateExitedEventDetails: { name: 'FencePrimary' } },
    { type: 'WaitStateEntered', timestamp: at(130), stateEnteredEventDetails: { name: 'DrainInFlightWrites' } },
    { type: 'WaitStateExited', timestamp: at(3000), stateExitedEventDetails: { name: 'DrainInFlightWrites' } },
    { type: 'TaskStateEntered', timestamp: at(3000), stateEnteredEventDetails: { name: 'CheckReplication' } },
    { type: 'TaskStateExited', timestamp: at(3400), stateExitedEventDetails: { name: 'CheckReplication' } },
    { type: 'ChoiceStateEntered', timestamp: at(3400), stateEnteredEventDetails: { name: 'ReplicationGate' } },
    { type: 'ChoiceStateExited', timestamp: at(3400), stateExitedEventDetails: { name: 'ReplicationGate' } },
    { type: 'TaskStateEntered', timestamp: at(3400), stateEnteredEventDetails: { name: 'CheckReplication' } },
    { type: 'TaskStateExited', timestamp: at(3500), stateExitedEventDetails: { name: 'CheckReplication' } },
    { type: 'TaskStateEntered', timestamp: at(3500), stateEnteredEventDetails: { name: 'Promote' } },
  ];

  it('are timed from the execution start, an unfinished one without a duration', () => {
    const spans = stateSpans(events);
    expect(spans[0]).toEqual({ state: 'FencePrimary', type: 'Task', startMs: 10, durationMs: 120 });
    expect(spans[1]).toEqual({ state: 'DrainInFlightWrites', type: 'Wait', startMs: 130, durationMs: 2870 });
    expect(spans.at(-1)).toEqual({ state: 'Promote', type: 'Task', startMs: 3500, durationMs: null });
  });

  it('print in one line with the visits of a loop summed and instant states left out', () => {
    expect(stateSpanLine(stateSpans(events))).toBe('FencePrimary 120 · DrainInFlightWrites 2870 · CheckReplication 500 (×2)');
  });
});
