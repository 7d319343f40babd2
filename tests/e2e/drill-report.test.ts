// The drill's HTML report in a real browser, rendered from a small synthetic set of figures (no
// drill run): the timeline has a state lane per region, reads and writes apart, the spans, the
// replication lag with its cut marked, the figures table and the JSON behind a link.
import type { Browser, Page } from 'playwright-core';
import type { StateSample } from '../../local/drills/load';
import { type DrillFigures, htmlReport, type LagPoint, stateLanes, type TimelineBucket } from '../../local/drills/report';
import { launchBrowser, screenshot } from '../support/browser';

const START = Date.parse('2030-01-01T00:00:00.000Z');
const iso = (ms: number) => new Date(START + ms).toISOString();
const EAST = 'us-east-1';
const WEST = 'us-west-2';

const figures: DrillFigures = {
  scenario: 'synthetic-failover',
  startedAt: iso(0),
  durationMs: 10_000,
  requests: { reads: 70, readErrors: 5, writeAttempts: 30, writesAcked: 25, writesAbandoned: 0 },
  writesRefused: { WRITES_FENCED: 3, REGION_ISOLATED: 2 },
  detectionMs: 1500,
  runbooks: [{ machine: 'failover', region: WEST, status: 'SUCCEEDED', durationMs: 2500, startedBy: 'alarm', startedAt: iso(4000) }],
  writeOutage: { ms: 3500, from: iso(3000), to: iso(6500) },
  lostBeforeReconciliation: { count: 0, from: null, to: null },
  lostAfterReconciliation: null,
  maxReplicationLagMs: 400,
  samples: 5,
  twoWritableSamples: 0,
  handovers: [
    {
      from: EAST,
      to: WEST,
      lastSentAt: START + 2900,
      lastAckAt: START + 3000,
      firstSentAt: START + 6400,
      firstAckAt: START + 6500,
      gapMs: 3400,
      separated: true,
    },
  ],
  fencing: { leaseMs: 2000, clockSkewMarginMs: 500, promotionWaitMs: 2500 },
  versionForks: [],
  awsEstimate: { detectionMs: 3000, writeOutageMs: 5000, basis: 'synthetic' },
  invariants: [{ name: 'no two writable regions', ok: true, detail: '0 of 5 samples had two' }],
  marks: [
    { at: iso(3000), label: `${EAST} cut` },
    { at: iso(6500), label: `${WEST} serving` },
  ],
};

const view = (state: string, version: number, activeRegion: string, write: boolean, isolated = false) => ({
  state,
  version,
  activeRegion,
  write,
  isolated,
});
const samples: StateSample[] = [
  { at: START + 0, views: { [EAST]: view('active', 1, EAST, true), [WEST]: view('active', 1, EAST, false) }, writable: [EAST] },
  { at: START + 2000, views: { [EAST]: view('fenced', 2, EAST, false), [WEST]: view('fenced', 2, EAST, false) }, writable: [] },
  { at: START + 3000, views: { [EAST]: null, [WEST]: view('fenced', 2, EAST, false) }, writable: [] },
  { at: START + 5000, views: { [EAST]: null, [WEST]: view('failover', 3, WEST, true) }, writable: [WEST] },
  { at: START + 8000, views: { [EAST]: view('active', 2, EAST, false, true), [WEST]: view('failover', 3, WEST, true) }, writable: [WEST] },
];
const buckets: TimelineBucket[] = Array.from({ length: 100 }, (_, i) => ({
  t: i * 100,
  readsOk: i >= 30 && i < 40 ? 0 : 7,
  readsFailed: i >= 30 && i < 40 ? 3 : 0,
  writesOk: i >= 30 && i < 65 ? 0 : 3,
  writesFailed: i >= 30 && i < 65 ? 2 : 0,
}));
const lag: LagPoint[] = Array.from({ length: 100 }, (_, i) => ({ t: i * 100, ms: i < 30 ? 200 : 400, cut: i >= 30 && i < 70 }));

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.setContent(
    htmlReport(figures, buckets, lag, {
      samples,
      spans: [{ kind: 'detection', label: 'detected in 1.50 s', from: iso(3000), to: iso(4500) }],
      jsonHref: 'drill-synthetic.json',
    }),
  );
});

afterAll(async () => {
  await browser?.close();
});

describe('the drill report', () => {
  it('has one state lane per region, showing each state it went through', async () => {
    expect(await page.locator('#timeline [data-lane="state"]').count()).toBe(2);
    const statesOf = (region: string) =>
      page.$$eval(`#timeline [data-lane="state"][data-region="${region}"] rect`, (rects) => rects.map((r) => r.getAttribute('data-state')));
    expect(await statesOf(EAST)).toEqual(['active', 'fenced', 'unreachable', 'isolated']);
    expect(await statesOf(WEST)).toEqual(['active', 'fenced', 'failover']);
    // The lanes are drawn, not just present: they have a width.
    const box = await page.locator(`#timeline [data-region="${WEST}"] rect[data-state="failover"]`).boundingBox();
    expect(box?.width ?? 0).toBeGreaterThan(100);
  });

  it('shows reads and writes apart, ok and failed', async () => {
    for (const lane of ['reads', 'writes']) {
      expect(await page.locator(`#timeline [data-lane="${lane}"] rect[data-kind="ok"]`).count()).toBeGreaterThan(0);
      expect(await page.locator(`#timeline [data-lane="${lane}"] rect[data-kind="failed"]`).count()).toBeGreaterThan(0);
    }
    // Writes failed for longer than reads in this drill, and the chart says so.
    expect(await page.locator('#timeline [data-lane="writes"] rect[data-kind="failed"]').count()).toBe(35);
    expect(await page.locator('#timeline [data-lane="reads"] rect[data-kind="failed"]').count()).toBe(10);
  });

  it('draws the detection, runbook and recovery spans', async () => {
    for (const kind of ['detection', 'runbook', 'recovery'])
      expect(await page.locator(`#timeline [data-lane="span-${kind}"] rect[data-span="${kind}"]`).count()).toBe(1);
    expect(await page.textContent('#timeline [data-lane="span-runbook"]')).toContain('failover succeeded (us-west-2)');
  });

  it('puts replication lag on its own axis, with the cut marked and no line through it', async () => {
    expect(await page.locator('#timeline [data-lane="lag"] rect[data-cut="true"]').count()).toBe(1);
    const d = (await page.getAttribute('#timeline [data-lane="lag"] path', 'd')) ?? '';
    // Two pieces of line: before the cut and after it.
    expect(d.match(/M/g)?.length).toBe(2);
    expect(await page.textContent('#timeline [data-lane="lag"]')).toContain('400 ms');
  });

  it('has the figures table and the JSON behind a link, not dumped in the page', async () => {
    expect(await page.textContent('#figures')).toContain('write outage (RTO)');
    expect(await page.getAttribute('a#figures-json', 'href')).toBe('drill-synthetic.json');
    expect(await page.locator('pre').count()).toBe(0);
    await screenshot(page, 'drill-report');
  });
});

it('stateLanes: a region that stops answering is its own segment', () => {
  const lanes = stateLanes(samples, [EAST], START, START + 10_000);
  expect(lanes.map((l) => [l.state, l.from, l.to])).toEqual([
    ['active', 0, 2000],
    ['fenced', 2000, 3000],
    ['unreachable', 3000, 8000],
    ['isolated', 8000, 10_000],
  ]);
});
