// The web app in a real browser (Debian's Chromium driven by playwright-core) against the embedded
// two-region runtime, through a planned failover and back. Screenshots: test-artifacts/web/.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { type Machine, runRunbook } from '../../local/drills/runbooks';
import type { Runtime } from '../../local/runtime';
import { startControlServer } from '../../local/runtime/control-server';
import { buildWeb } from '../../web/build';
import { launchBrowser, screenshot } from '../support/browser';
import { RUNTIME_START_TIMEOUT, startTestRuntime } from '../support/runtime';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
const INJECTED = '<img src=x onerror="window.__pwned=1"><b>bold?</b>';

let rt: Runtime;
let control: Awaited<ReturnType<typeof startControlServer>>;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

async function runbook(machine: Machine, region: string, input: Record<string, unknown>) {
  const done = await runRunbook(rt, machine, region, { requestedBy: 'e2e:web', ...input });
  expect({ machine, status: done.status, error: done.error }).toEqual({ machine, status: 'SUCCEEDED', error: undefined });
}

const banner = (state: string) => page.waitForSelector(`#banner[data-state="${state}"]`, { timeout: 30_000 });

beforeAll(async () => {
  rt = await startTestRuntime();
  const webDir = await buildWeb(fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-web-')));
  control = await startControlServer(rt, { port: 0, webDir });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
}, RUNTIME_START_TIMEOUT);

afterAll(async () => {
  await browser?.close();
  await control?.stop();
  await rt?.stop();
}, 60_000);

describe('the web app', () => {
  it('signs in, uploads a photo and shows a comment with injected HTML as text', async () => {
    await page.goto(control.url);
    await page.getByLabel('Your name').fill('Alice');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await banner('active');
    await page.evaluate(() => {
      (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
    });

    await page.getByLabel(/^Image/).setInputFiles({ name: 'harbour.png', mimeType: 'image/png', buffer: PNG });
    await page.getByLabel('Title').fill('Harbour at dawn');
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByRole('button', { name: /Harbour at dawn/ }).click();
    await page.waitForSelector('#photo:not([hidden])');
    await page.waitForFunction(() => document.querySelector('#photo-title')?.textContent !== 'Loading…');
    expect(await page.textContent('#photo-title')).toBe('Harbour at dawn');

    await page.getByLabel('Add a comment').fill(INJECTED);
    await page.getByRole('button', { name: 'Post comment' }).click();
    const shown = page.locator('#comments li .text', { hasText: '<b>bold?</b>' });
    await shown.waitFor();
    expect(await shown.textContent()).toBe(INJECTED);
    expect(await page.locator('#comments b, #comments img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await screenshot(page, '1-photo-and-comment');
  });

  it('disables writes with the reason while fenced, keeping the comment being typed', async () => {
    await page.getByLabel('Add a comment').fill('Typed during the switch');
    await runbook('fence', rt.primary.region, { reason: 'Planned move to the secondary' });
    await banner('fenced');
    expect(await page.getByRole('button', { name: 'Post comment' }).isDisabled()).toBe(true);
    expect(await page.textContent('#write-why')).toContain('Planned move to the secondary');
    expect(await page.textContent('#banner')).toContain('Writes paused');
    expect(await page.inputValue('#comment-text')).toBe('Typed during the switch');
    await screenshot(page, '2-fenced');
  });

  it('follows a planned failover by itself and posts the comment to the secondary', async () => {
    await runbook('fence', rt.primary.region, { reason: 'Back to active for the planned failover', lift: true });
    await runbook('failover', rt.secondary.region, { reason: 'Planned failover from the web test', mode: 'planned' });
    await banner('failover');
    expect(await page.textContent('#banner')).toContain(`${rt.secondary.region} is serving`);
    // Same document (no reload), and the typed comment is still there.
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    expect(await page.inputValue('#comment-text')).toBe('Typed during the switch');

    await page.getByRole('button', { name: 'Post comment' }).click();
    await page.locator('#comments li .text', { hasText: 'Typed during the switch' }).waitFor();
    expect(await page.textContent('#comment-status')).toContain(`in ${rt.secondary.region}`);
    expect(await page.inputValue('#comment-text')).toBe('');
    await screenshot(page, '3-failover');
  });

  it('fails back, and the banner follows', async () => {
    // The primary has been healthy only since this test started: the web test vouches for it (force).
    await runbook('failback', rt.primary.region, { reason: 'Primary recovered (web test)', force: true });
    await banner('active');
    expect(await page.textContent('#banner')).toContain(`Active in ${rt.primary.region}`);
    // Both comments survived the round trip.
    await page.getByRole('button', { name: /Back to the gallery/ }).click();
    await page.getByRole('button', { name: /Harbour at dawn/ }).click();
    await page.locator('#comments li .text', { hasText: 'Typed during the switch' }).waitFor();
    await page.locator('#comments li .text', { hasText: '<b>bold?</b>' }).waitFor();
    expect(await page.locator('#comments li').count()).toBe(2);
    await screenshot(page, '4-failed-back');
  });

  it('says so when neither region answers, and keeps what it shows', async () => {
    rt.chaos.cut(rt.primary.region);
    rt.chaos.cut(rt.secondary.region);
    try {
      await banner('unreachable');
      expect(await page.textContent('#banner')).toContain('Cannot reach either region');
      expect(await page.textContent('#photo-title')).toBe('Harbour at dawn');
      expect(await page.locator('#comments li').count()).toBe(2);
      expect(await page.getByRole('button', { name: 'Post comment' }).isDisabled()).toBe(true);
      await screenshot(page, '5-unreachable');
    } finally {
      rt.chaos.heal(rt.primary.region);
      rt.chaos.heal(rt.secondary.region);
    }
    await banner('active');
  });

  it('fits a phone screen and raised no script errors', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, '6-phone');
    expect(pageErrors).toEqual([]);
  });
});
