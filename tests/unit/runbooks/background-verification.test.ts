import { backgroundUntil, behindSeconds, planBackgroundRun } from '../../../services/runbooks/decisions/background-verification';
import { startJournalVerification, VERIFIED_POINT_MARGIN_MS } from '../../../services/runbooks/decisions/journal-verification';

const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const iso = (msBeforeNow: number) => new Date(NOW - msBeforeNow).toISOString();
const RETENTION = 3_600;

describe("the background verification's window", () => {
  it('ends a writer timeout and the clock-skew margin before now: every write stamped earlier has committed', () => {
    expect(backgroundUntil(NOW, { writerTimeoutMs: 10_000, clockSkewMarginMs: 500 })).toBe(iso(10_500));
    expect(backgroundUntil(NOW, { writerTimeoutMs: 30_000, clockSkewMarginMs: 0 })).toBe(iso(30_000));
  });

  it('tells how far a point is behind, and nothing for no point', () => {
    expect(behindSeconds(iso(12_340), NOW)).toBe(12.3);
    expect(behindSeconds(null, NOW)).toBeNull();
  });
});

describe('planning a background run', () => {
  const until = iso(10_500);
  const savedWindow = (since: string, savedUntil: string) => ({
    ...startJournalVerification({ since, until: savedUntil }),
    entriesRead: 42,
  });

  it.each([
    {
      name: 'no saved proof, no point: from the journal retention to until',
      saved: null,
      recordedThrough: null,
      lastVerified: null,
      expected: { action: 'start', since: iso(RETENTION * 1000), until },
    },
    {
      name: 'no saved proof: from the point minus the margin to until',
      saved: null,
      recordedThrough: null,
      lastVerified: iso(120_000),
      expected: { action: 'start', since: iso(120_000 + VERIFIED_POINT_MARGIN_MS), until },
    },
    {
      name: 'the point is the one this verification recorded last: from the point itself, its proof saw everything before it',
      saved: null,
      recordedThrough: iso(16_500),
      lastVerified: iso(16_500),
      expected: { action: 'start', since: iso(16_500), until },
    },
    {
      name: 'a gate moved the point past what this verification recorded: from the point minus the margin',
      saved: null,
      recordedThrough: iso(60_000),
      lastVerified: iso(30_000),
      expected: { action: 'start', since: iso(30_000 + VERIFIED_POINT_MARGIN_MS), until },
    },
    {
      name: 'its own point, older than the journal keeps: from the retention',
      saved: null,
      recordedThrough: iso(RETENTION * 1000 + 5_000),
      lastVerified: iso(RETENTION * 1000 + 5_000),
      expected: { action: 'start', since: iso(RETENTION * 1000), until },
    },
    {
      name: 'a saved proof still ahead of the point: carried on, with its own until',
      recordedThrough: null,
      saved: savedWindow(iso(600_000), iso(300_000)),
      lastVerified: iso(500_000),
      expected: { action: 'continue', since: iso(600_000), until: iso(300_000), entriesRead: 42 },
    },
    {
      name: 'a saved proof the point has passed (a gate got further): a new one from the point',
      recordedThrough: null,
      saved: savedWindow(iso(600_000), iso(300_000)),
      lastVerified: iso(200_000),
      expected: { action: 'start', since: iso(200_000 + VERIFIED_POINT_MARGIN_MS), until, entriesRead: 0 },
    },
    {
      name: 'a saved proof stuck for longer than the journal keeps: a new one',
      recordedThrough: null,
      saved: savedWindow(iso(5_000_000), iso(RETENTION * 1000 + 1)),
      lastVerified: null,
      expected: { action: 'start', since: iso(RETENTION * 1000), until },
    },
    {
      name: 'a saved proof without an until (not the background’s): a new one',
      recordedThrough: null,
      saved: { ...savedWindow(iso(600_000), iso(300_000)), until: null },
      lastVerified: null,
      expected: { action: 'start', until },
    },
  ])('$name', ({ saved, recordedThrough, lastVerified, expected }) => {
    // Act
    const plan = planBackgroundRun({ saved, recordedThrough, lastVerified, now: NOW, until, retentionSeconds: RETENTION });
    // Assess
    expect(plan.action).toBe(expected.action);
    if (plan.action === 'up-to-date') throw new Error('unexpected');
    const { action: _action, ...window } = expected;
    expect(plan.progress).toMatchObject(window);
  });

  it('proves nothing when the point is at or past until already (a gate just passed)', () => {
    for (const lastVerified of [until, iso(1_000)]) {
      expect(
        planBackgroundRun({ saved: null, recordedThrough: lastVerified, lastVerified, now: NOW, until, retentionSeconds: RETENTION }),
      ).toMatchObject({
        action: 'up-to-date',
      });
    }
  });
});
