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
let other: Page;
const pageErrors: string[] = [];
const notFound: string[] = [];

async function runbook(machine: Machine, region: string, input: Record<string, unknown>) {
  const done = await runRunbook(rt, machine, region, { requestedBy: 'e2e:web', ...input });
  expect({ machine, status: done.status, error: done.error }).toEqual({ machine, status: 'SUCCEEDED', error: undefined });
}

const banner = (state: string, on: Page = page) => on.waitForSelector(`#banner[data-state="${state}"]`, { timeout: 30_000 });
const bannerColour = () => page.$eval('#banner', (el) => getComputedStyle(el).backgroundColor);
const bannerColours: Record<string, string> = {};

async function signInAs(on: Page, name: string): Promise<void> {
  await on.goto(control.url);
  await on.getByLabel('Your name').fill(name);
  await on.getByRole('button', { name: 'Sign in' }).click();
  await on.waitForSelector('#app:not([hidden])');
  await on.evaluate(() => {
    (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
  });
}

beforeAll(async () => {
  rt = await startTestRuntime();
  const webDir = await buildWeb(fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-web-')));
  control = await startControlServer(rt, { port: 0, webDir });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('response', (response) => {
    if (response.status() === 404) notFound.push(response.url());
  });
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
    expect(await page.textContent('#banner-title')).toBe('All is working');
    bannerColours.active = await bannerColour();
    // A second tab, signed in as someone else, that never reloads.
    other = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await signInAs(other, 'Bob');

    await page.getByLabel(/^Image/).setInputFiles({ name: 'harbour.png', mimeType: 'image/png', buffer: PNG });
    await page.getByLabel('Title').fill('Harbour at dawn');
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByRole('button', { name: /Harbour at dawn/ }).click();
    await page.waitForSelector('#photo:not([hidden])');
    await page.waitForFunction(() => document.querySelector('#photo-title')?.textContent !== 'Loading…');
    expect(await page.textContent('#photo-title')).toBe('Harbour at dawn');
    expect(await page.textContent('#photo-meta')).toMatch(/^Uploaded by Alice, \S/);
    expect(await page.isVisible('#photo-delete')).toBe(true);

    await page.getByLabel('Add a comment').fill(INJECTED);
    await page.getByRole('button', { name: 'Post comment' }).click();
    const shown = page.locator('#comments li .text', { hasText: '<b>bold?</b>' });
    await shown.waitFor();
    expect(await shown.textContent()).toBe(INJECTED);
    expect(await page.locator('#comments b, #comments img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    // "Posted." is a passing note: it clears by itself.
    await page.waitForFunction(() => document.querySelector('#comment-status')?.textContent === '', undefined, { timeout: 20_000 });
    await screenshot(page, '1-photo-and-comment');
  });

  it('shows a photo uploaded in one tab in another without a reload, with its uploader, and no Delete for others', async () => {
    await other.getByRole('button', { name: /Harbour at dawn/ }).waitFor({ timeout: 20_000 });
    expect(await other.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    await other.getByRole('button', { name: /Harbour at dawn/ }).click();
    await other.waitForFunction(() => document.querySelector('#photo-meta')?.textContent?.startsWith('Uploaded by Alice'));
    await other.locator('#comments li .text', { hasText: '<b>bold?</b>' }).waitFor();
    // Bob's tab: not his photo nor his comment, so nothing to delete.
    expect(await other.isVisible('#photo-delete')).toBe(false);
    expect(await other.locator('#comments button.delete').count()).toBe(0);
    // A comment Bob posts appears in Alice's open photo without a reload.
    await other.getByLabel('Add a comment').fill('Lovely light 🌅🎉');
    await other.getByRole('button', { name: 'Post comment' }).click();
    await page.locator('#comments li .text', { hasText: 'Lovely light' }).waitFor({ timeout: 20_000 });
    expect(await page.locator('#comments li', { hasText: 'Lovely light' }).locator('button.delete').count()).toBe(0);
    expect(await page.locator('#comments li', { hasText: '<b>bold?</b>' }).locator('button.delete').count()).toBe(1);
  });

  it('renders emoji in comments with a colour emoji font (not empty boxes)', async () => {
    // Draw the comment's text with the page's own font stack: a colour emoji font paints colour.
    const coloured = await page.$eval('#comments li .text', () => {
      const el = [...document.querySelectorAll('#comments li .text')].find((e) => e.textContent?.includes('🌅')) as HTMLElement;
      const canvas = document.createElement('canvas');
      canvas.width = 64;
      canvas.height = 64;
      const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
      ctx.font = `40px ${getComputedStyle(el).fontFamily}`;
      ctx.fillStyle = '#000';
      ctx.fillText('🌅', 4, 48);
      const data = ctx.getImageData(0, 0, 64, 64).data;
      let colourful = 0;
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b, a] = [data[i] ?? 0, data[i + 1] ?? 0, data[i + 2] ?? 0, data[i + 3] ?? 0];
        if (a > 0 && Math.max(r, g, b) - Math.min(r, g, b) > 60) colourful += 1;
      }
      return colourful;
    });
    expect(coloured).toBeGreaterThan(50);
    expect(await page.$eval('#comments', (el) => getComputedStyle(el).fontFamily)).toMatch(/Noto Color Emoji/);
  });

  it('disables writes with the reason while fenced, keeping the comment being typed', async () => {
    await page.getByLabel('Add a comment').fill('Typed during the switch');
    await runbook('fence', rt.primary.region, { reason: 'Planned move to the secondary' });
    await banner('fenced');
    expect(await page.getByRole('button', { name: 'Post comment' }).isDisabled()).toBe(true);
    expect(await page.textContent('#write-why')).toContain('Saving is paused');
    expect(await page.textContent('#banner-title')).toBe('Saving is paused for a moment');
    // The operator's reason is for operators (runbook status), not for the people using the app.
    expect(await page.textContent('body')).not.toContain('Planned move to the secondary');
    expect(await page.inputValue('#comment-text')).toBe('Typed during the switch');
    bannerColours.fenced = await bannerColour();
    // Deletes are gated like every write.
    expect(await page.isDisabled('#photo-delete')).toBe(true);
    expect(await page.locator('#comments li', { hasText: '<b>bold?</b>' }).locator('button.delete').isDisabled()).toBe(true);
    await screenshot(page, '2-fenced');
  });

  it('follows a planned failover by itself and posts the comment to the secondary', async () => {
    await runbook('fence', rt.primary.region, { reason: 'Back to active for the planned failover', lift: true });
    await runbook('failover', rt.secondary.region, { reason: 'Planned failover from the web test', mode: 'planned' });
    await banner('failover');
    expect(await page.textContent('#banner-title')).toBe('Running on the backup site');
    expect(await page.textContent('#banner-technical')).toContain(`active region ${rt.secondary.region}`);
    // The failover has its own look, not the amber of "paused".
    bannerColours.failover = await bannerColour();
    expect(new Set(Object.values(bannerColours)).size).toBe(3);
    // Same document (no reload), and the typed comment is still there.
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    expect(await page.inputValue('#comment-text')).toBe('Typed during the switch');

    await page.getByRole('button', { name: 'Post comment' }).click();
    await page.locator('#comments li .text', { hasText: 'Typed during the switch' }).waitFor();
    expect(await page.textContent('#comment-status')).toBe('Posted.');
    expect(await page.inputValue('#comment-text')).toBe('');
    await screenshot(page, '3-failover');
  });

  it('fails back, and the banner follows', async () => {
    // The primary has been healthy only since this test started: the web test vouches for it (force).
    await runbook('failback', rt.primary.region, { reason: 'Primary recovered (web test)', force: true });
    await banner('active');
    expect(await page.textContent('#banner-technical')).toContain(`active region ${rt.primary.region}`);
    // No status line from the failover lingers.
    expect(await page.textContent('#comment-status')).toBe('');
    // Both comments survived the round trip.
    await page.getByRole('button', { name: /Back to the gallery/ }).click();
    await page.getByRole('button', { name: /Harbour at dawn/ }).click();
    await page.locator('#comments li .text', { hasText: 'Typed during the switch' }).waitFor();
    await page.locator('#comments li .text', { hasText: '<b>bold?</b>' }).waitFor();
    expect(await page.locator('#comments li').count()).toBe(3);
    await screenshot(page, '4-failed-back');
  });

  it('says so when neither region answers, and keeps what it shows', async () => {
    rt.chaos.cut(rt.primary.region);
    rt.chaos.cut(rt.secondary.region);
    try {
      await banner('unreachable');
      expect(await page.textContent('#banner-title')).toBe('The service cannot be reached');
      expect(await page.textContent('#banner-technical')).toContain('Cannot reach either region');
      expect(await page.textContent('#photo-title')).toBe('Harbour at dawn');
      expect(await page.locator('#comments li').count()).toBe(3);
      expect(await page.getByRole('button', { name: 'Post comment' }).isDisabled()).toBe(true);
      await screenshot(page, '5-unreachable');
    } finally {
      rt.chaos.heal(rt.primary.region);
      rt.chaos.heal(rt.secondary.region);
    }
    await banner('active');
  });

  it("deletes one's own comment and photo after a confirmation, and the other tab follows", async () => {
    // Dismissing the confirmation deletes nothing.
    page.once('dialog', (dialog) => void dialog.dismiss());
    await page.locator('#comments li', { hasText: '<b>bold?</b>' }).locator('button.delete').click();
    expect(await page.locator('#comments li').count()).toBe(3);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.locator('#comments li', { hasText: '<b>bold?</b>' }).locator('button.delete').click();
    await page.waitForFunction(() => document.querySelectorAll('#comments li').length === 2);
    await other.waitForFunction(() => document.querySelectorAll('#comments li').length === 2, undefined, { timeout: 20_000 });

    await other.getByRole('button', { name: /Back to the gallery/ }).click();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('#photo-delete');
    await page.waitForSelector('#gallery-section:not([hidden])');
    await page.waitForFunction(() => !document.querySelector('#gallery [data-photo-id]'));
    await other.waitForFunction(() => !document.querySelector('#gallery [data-photo-id]'), undefined, { timeout: 20_000 });
    await screenshot(page, '5b-deleted');
  });

  it('says saving is unavailable, in a look of its own, when no region can confirm the state', async () => {
    // Neither region reaches a majority of the quorum: both answer from their own copy, isolated.
    rt.chaos.witnessDown();
    rt.chaos.partitionLink();
    try {
      await banner('isolated');
      expect(await page.textContent('#banner-title')).toBe('Saving is unavailable');
      expect(await page.textContent('#write-why')).toContain('cannot confirm where to save');
      expect(await page.isDisabled('#upload-button')).toBe(true);
      bannerColours.isolated = await bannerColour();
      expect(new Set(Object.values(bannerColours)).size).toBe(4);
      await screenshot(page, '5c-isolated');
    } finally {
      rt.chaos.healPartitionLink();
      rt.chaos.witnessUp();
    }
    await banner('active');
  });

  it('fits a phone screen and raised no script errors', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, '6-phone');
    expect(pageErrors).toEqual([]);
    // The favicon included: no 404 in the console.
    expect(notFound).toEqual([]);
  });
});
