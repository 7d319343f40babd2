import { evaluateReplicationGate, startGateRound } from '../../../services/runbooks/decisions/replication-gate';
import type { GatePlan, GateProgress } from '../../../services/runbooks/model';

const plan: GatePlan = { sourceRegion: 'us-east-1', targetRegion: 'us-west-2', timeoutSeconds: 60, pollSeconds: 1 };
const T0 = 1_000_000;
const all = (visible: boolean) => ({ appState: visible, photos: visible, comments: visible });

function firstRound(requiredVersion: number | null = 5): GateProgress {
  return startGateRound({
    previous: { phase: 'final' },
    plan,
    phase: 'final',
    executionName: 'run-1',
    now: T0,
    maxLagSeconds: 5,
    requiredVersion,
  });
}

describe('startGateRound', () => {
  it('starts a gate: deadline from the timeout, round 1, a marker id naming the execution and phase', () => {
    // Act
    const round = firstRound();
    // Assess
    expect(round).toMatchObject({ round: 1, markerId: 'run-1#final#1', writtenAt: T0, startedAt: T0, deadline: T0 + 60_000, checks: 0 });
  });

  it('keeps the start and deadline across remeasure rounds, so the timeout bounds the whole gate', () => {
    const second = startGateRound({
      previous: { ...firstRound(), checks: 4 },
      plan,
      phase: 'final',
      executionName: 'run-1',
      now: T0 + 9_000,
      maxLagSeconds: 5,
      requiredVersion: 5,
    });
    expect(second).toMatchObject({
      round: 2,
      markerId: 'run-1#final#2',
      writtenAt: T0 + 9_000,
      startedAt: T0,
      deadline: T0 + 60_000,
      checks: 4,
    });
  });

  it('starts afresh for another phase', () => {
    const catchUp = startGateRound({
      previous: { phase: 'catch-up' },
      plan,
      phase: 'catch-up',
      executionName: 'run-1',
      now: T0,
      maxLagSeconds: 5,
      requiredVersion: null,
    });
    const final = startGateRound({
      previous: { phase: 'final' },
      plan,
      phase: 'final',
      executionName: 'run-1',
      now: T0 + 30_000,
      maxLagSeconds: 5,
      requiredVersion: 3,
    });
    expect(catchUp.markerId).toBe('run-1#catch-up#1');
    expect(final).toMatchObject({ round: 1, startedAt: T0 + 30_000, deadline: T0 + 90_000 });
  });
});

describe('evaluateReplicationGate', () => {
  it('passes when every marker and the fence are visible and the lag is under the threshold', () => {
    const next = evaluateReplicationGate(firstRound(), { now: T0 + 800, visible: all(true), targetVersion: 5, maxLagSeconds: 5 });
    expect(next).toMatchObject({ status: 'passed', lagMs: 800, checks: 1 });
  });

  it('waits while a table has not shown its marker, and measures each table from its first sighting', () => {
    // Prepare
    const waiting = evaluateReplicationGate(firstRound(), {
      now: T0 + 300,
      visible: { appState: true, photos: false, comments: true },
      targetVersion: 5,
      maxLagSeconds: 5,
    });
    // Act
    const passed = evaluateReplicationGate(waiting, { now: T0 + 1_300, visible: all(true), targetVersion: 5, maxLagSeconds: 5 });
    // Assess
    expect(waiting.status).toBe('waiting');
    expect(waiting.reason).toMatch(/photos/);
    expect(passed).toMatchObject({
      status: 'passed',
      lagMs: 1_300,
      seenAt: { appState: T0 + 300, photos: T0 + 1_300, comments: T0 + 300 },
    });
  });

  it('waits for the fence version to show in the target even when the markers did', () => {
    const next = evaluateReplicationGate(firstRound(5), { now: T0 + 100, visible: all(true), targetVersion: 4, maxLagSeconds: 5 });
    expect(next.status).toBe('waiting');
    expect(next.reason).toMatch(/version 4/);
  });

  it('ignores the state version when none is required (catch-up phase, practice run)', () => {
    expect(
      evaluateReplicationGate(firstRound(null), { now: T0 + 100, visible: all(true), targetVersion: 0, maxLagSeconds: 5 }).status,
    ).toBe('passed');
  });

  it('asks for a new measurement when the lag is not under the threshold', () => {
    const next = evaluateReplicationGate(firstRound(), { now: T0 + 5_000, visible: all(true), targetVersion: 5, maxLagSeconds: 5 });
    expect(next).toMatchObject({ status: 'remeasure', lagMs: 5_000 });
  });

  it('uses the threshold read at this check (SSM may change during the gate)', () => {
    const next = evaluateReplicationGate(firstRound(), { now: T0 + 2_000, visible: all(true), targetVersion: 5, maxLagSeconds: 1 });
    expect(next.status).toBe('remeasure');
    expect(next.maxLagSeconds).toBe(1);
  });

  it.each([
    ['a marker never arrives', all(false), 5],
    ['the fence never replicates', all(true), 4],
  ])('times out at the deadline when %s', (_case, visible, targetVersion) => {
    const next = evaluateReplicationGate(firstRound(), { now: T0 + 60_000, visible, targetVersion, maxLagSeconds: 5 });
    expect(next.status).toBe('timed-out');
  });

  it('times out rather than remeasure past the deadline', () => {
    const late = { ...firstRound(), writtenAt: T0 + 55_000 };
    expect(evaluateReplicationGate(late, { now: T0 + 61_000, visible: all(true), targetVersion: 5, maxLagSeconds: 5 }).status).toBe(
      'timed-out',
    );
  });
});
