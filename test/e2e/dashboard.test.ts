/**
 * The dashboard in a real browser against a real headless miner: live numbers, the network's paintings,
 * the Network view of a node started offline, Pause, and no Content-Security-Policy violations.
 * Screenshots land in test/artifacts/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Status } from '../../worker/api/contract.js';
import { ARTIFACTS, launchBrowser, watchedPage } from '../helpers/browser.js';
import { connectApi, skipWalletOffer, startNodeProcess, type NodeProcess } from '../helpers/node-process.js';

/** What the test reads of an element in the page (its types have no DOM); callbacks run there, inlined. */
type Shown = { getBoundingClientRect(): { width: number }; naturalWidth: number; scrollWidth: number; clientWidth: number };
type Styled = { getComputedStyle(e: unknown): Record<string, string> };

describe('dashboard (browser e2e)', { timeout: 120_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'airtist-e2e-'));
  let node: NodeProcess;
  let browser: Browser;
  let page: Page;
  let problems: string[] = [];

  beforeAll(async () => {
    [node, browser] = await Promise.all([startNodeProcess(dataDir), launchBrowser()]);
    await skipWalletOffer(node);
    ({ page, problems } = await watchedPage(browser, { width: 1280, height: 800 }));
  });

  afterAll(async () => {
    await browser?.close();
    node?.child.kill('SIGTERM');
    await node?.exited;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows live training and what the network is painting', async () => {
    await page.goto(node.url);
    // The token moves from the address bar into session storage.
    await page.waitForFunction("!location.search.includes('token=')");

    await expect
      .poll(async () => Number.parseFloat((await page.getByTestId('samples-per-second').textContent()) ?? '0'), { timeout: 30_000 })
      .toBeGreaterThan(0);
    await expect.poll(async () => (await page.getByTestId('state').textContent()) ?? '').toMatch(/training/i);
    await expect.poll(async () => (await page.getByTestId('backend').textContent()) ?? '').toMatch(/WebAssembly/i);

    const grid = page.getByTestId('samples-grid');

    await grid.waitFor({ state: 'visible' });
    await expect
      .poll(() => grid.evaluate((img) => {
        const image = img as unknown as { complete: boolean; naturalWidth: number };
        return image.complete ? image.naturalWidth : 0;
      }))
      .toBeGreaterThan(100);
    // Enlarged only by whole screen pixels per image pixel (this page's device pixel ratio is 1), so every
    // grid line is equally thick; shrunk to fit, it is smoothed rather than jagged.
    const shown = (await grid.evaluate((img) => {
      const e = img as unknown as Shown;
      return { scale: e.getBoundingClientRect().width / e.naturalWidth, rendering: (globalThis as unknown as Styled).getComputedStyle(img).imageRendering! };
    }));
    if (shown.scale >= 1) expect(Number.isInteger(shown.scale) && shown.rendering === 'pixelated', JSON.stringify(shown)).toBe(true);
    else expect(shown.rendering).toBe('auto');
    await page.getByRole('button', { name: 'Enlarge' }).click();
    const enlarged = await grid.evaluate((img) => (img as unknown as Shown).getBoundingClientRect().width / (img as unknown as Shown).naturalWidth);
    expect(enlarged).toBeGreaterThanOrEqual(shown.scale);
    await page.getByRole('button', { name: 'Smaller' }).click();
    expect(await page.getByTestId('save-painting').getAttribute('download')).toMatch(/^airtist-step-\d+\.png$/);
    await page.getByTestId('loss-chart').waitFor({ state: 'visible' });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-training.png'), fullPage: true });

    // Reload: the token survives in session storage, the page reconnects.
    await page.reload();
    await expect.poll(async () => (await page.getByTestId('state').textContent()) ?? '', { timeout: 15_000 }).toMatch(/training/i);
  });

  it('counts the uptime on, and numbers shards from 1', async () => {
    const uptime = page.getByTestId('uptime');
    const before = await uptime.textContent();
    await expect.poll(async () => uptime.textContent(), { timeout: 5000 }).not.toBe(before);
    const status = (await (await fetch(`http://127.0.0.1:${node.port}/api/status`, { headers: { authorization: `Bearer ${node.token}` } })).json()) as Status;
    expect(await page.getByTestId('shard').textContent()).toBe(`#${status.shard + 1} of ${status.shardCount}`);
  });

  it('says the node trains alone when it was started without network options', async () => {
    const view = page.getByTestId('network');
    const offline = page.getByTestId('network-offline');
    await offline.waitFor({ state: 'visible', timeout: 15_000 });
    expect(await offline.textContent()).toBe('Offline: training alone (start with network options to join the swarm)');
    // One line and nothing else: no peer id, round or traffic of a network this node is not in.
    expect(await view.getByRole('heading').allTextContents()).toEqual(['Network']);
    expect(await view.locator('dl, ul, table').count()).toBe(0);
    await view.screenshot({ path: join(ARTIFACTS, 'dashboard-network-offline.png') });
  });

  it('pauses and resumes from the button', async () => {
    const toggle = page.getByTestId('toggle-training');
    await toggle.click();
    await expect.poll(async () => (await page.getByTestId('state').textContent()) ?? '', { timeout: 15_000 }).toMatch(/paused/i);
    expect(await page.getByTestId('state').textContent()).toMatch(/by you/i);
    const status = (await (await fetch(`http://127.0.0.1:${node.port}/api/status`, { headers: { authorization: `Bearer ${node.token}` } })).json()) as Status;
    expect(status.state).toBe('paused');
    // Paused, the node trains at 0 samples/s, whatever the trainer's last report said as it stopped.
    await expect.poll(async () => page.getByTestId('samples-per-second').textContent(), { timeout: 5000 }).toMatch(/^\s*0(\.0)?\s*$/);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-paused.png'), fullPage: true });

    await toggle.click();
    await expect.poll(async () => (await page.getByTestId('state').textContent()) ?? '', { timeout: 15_000 }).toMatch(/training/i);
  });

  it('pauses for an hour from its button, and Resume ends it', async () => {
    await page.getByTestId('pause-for-hour').click();
    await expect.poll(async () => (await page.getByTestId('state').textContent()) ?? '', { timeout: 15_000 }).toMatch(/Paused\s*—\s*by you until \d\d:\d\d/);
    await page.getByTestId('toggle-training').click();
    await expect.poll(async () => (await page.getByTestId('state').textContent()) ?? '', { timeout: 15_000 }).toMatch(/training/i);
  });

  it("in idle mode, chosen on the page, the desktop app's signals pause and resume training, in words", async () => {
    const panel = page.getByTestId('schedule-panel');
    await panel.getByText('When the computer is idle').click();
    // This machine's own load (other tests run beside this one) is not what this test is about.
    await panel.getByLabel('Pause when other programs use more than (%)').fill('100');
    await panel.getByRole('button', { name: 'Save' }).click();
    await panel.getByText('Saved').waitFor();
    const api = await connectApi(node);
    try {
      expect((await api.call('getSettings')).scheduleMode).toBe('idle');
      // What Electron's main process reports: the user is at the keyboard, then away.
      await api.call('reportSignals', { idleSeconds: 0, screenLocked: false });
      await expect.poll(async () => (await page.getByTestId('state').textContent()) ?? '', { timeout: 15_000 }).toMatch(/Paused — you are using the computer$/);
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-schedule-in-use.png'), fullPage: true });
      await api.call('reportSignals', { idleSeconds: 3600, screenLocked: false });
      await expect.poll(async () => (await page.getByTestId('state').textContent()) ?? '', { timeout: 15_000 }).toMatch(/training/i);
      await api.call('setSettings', { scheduleMode: 'always' });
    } finally {
      api.close();
    }
  });

  it('switches themes from Settings at once, keeps the choice over a reload, and follows the system when asked', async () => {
    const background = () => page.evaluate(`getComputedStyle(document.body).backgroundColor`);
    const theme = () => page.evaluate(`document.documentElement.dataset.theme`);
    await page.getByRole('radio', { name: 'Dark' }).click();
    await expect.poll(theme).toBe('dark');
    const dark = await background();
    await page.getByRole('radio', { name: 'Light' }).click();
    await expect.poll(theme).toBe('light');
    await expect.poll(background).not.toBe(dark);
    const api = await connectApi(node);
    try {
      expect((await api.call('getSettings')).theme).toBe('light'); // a node setting: every window of this node
    } finally {
      api.close();
    }
    await page.reload();
    await page.getByTestId('state').waitFor();
    await expect.poll(theme, { timeout: 15_000 }).toBe('light');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-light.png'), fullPage: true });
    // "Like the system" follows the operating system's preference, also when it changes.
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByRole('radio', { name: 'Like the system' }).click();
    await expect.poll(theme).toBe('dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(theme).toBe('light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(background).toBe(dark);
  });

  it('fits a 390 px wide window: no sideways page scroll, nothing cut, wide tables scroll in their own box', async () => {
    const narrow = await browser.newPage({ viewport: { width: 390, height: 844 } });
    try {
      await narrow.goto(node.url);
      await narrow.getByTestId('state').waitFor();
      await expect.poll(async () => Number.parseFloat((await narrow.getByTestId('samples-per-second').textContent()) ?? '0'), { timeout: 30_000 }).toBeGreaterThan(0);
      for (const hash of ['#dashboard', '#earnings', '#wallet']) {
        await narrow.evaluate(`location.hash = ${JSON.stringify(hash)}`);
        await narrow.waitForTimeout(300);
        // Text cut by its box: a scrollWidth past its width, on elements that show words.
        const layout = (await narrow.evaluate(`(() => {
          const root = document.documentElement;
          const cut = [...document.querySelectorAll('.detail, .label, .panel-title, .legend li, .value')]
            .filter((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflow !== 'visible')
            .map((e) => e.textContent);
          return { width: root.scrollWidth, client: root.clientWidth, cut };
        })()`)) as { width: number; client: number; cut: string[] };
        expect(layout, hash).toEqual({ width: layout.client, client: 390, cut: [] });
      }
      await narrow.evaluate(`location.hash = '#dashboard'`);
      // The work table is wider than the window: it scrolls inside a box that shows there is more.
      const table = narrow.locator('.scroll-x').first();
      expect(await table.evaluate((e) => e.scrollWidth > e.clientWidth && (globalThis as unknown as Styled).getComputedStyle(e).overflowX === 'auto')).toBe(true);
      await narrow.screenshot({ path: join(ARTIFACTS, 'dashboard-390px.png'), fullPage: true });
    } finally {
      await narrow.close();
    }
  });

  it('refuses a wrong token and says how to get the right one', async () => {
    const stranger = await browser.newPage();
    await stranger.goto(`http://127.0.0.1:${node.port}/?token=${'0'.repeat(64)}`);
    await expect.poll(async () => (await stranger.textContent('body')) ?? '', { timeout: 15_000 }).toMatch(/token/i);
    // Where the token is, for a bookmark or a new tab that lands here without it.
    expect(await stranger.textContent('body')).toMatch(/the file api-token in the node's data folder/);
    // Nothing of a node is shown to a page that may not see it.
    expect(await stranger.getByTestId('backend').textContent()).toMatch(/—/);
    await stranger.screenshot({ path: join(ARTIFACTS, 'dashboard-unauthorized.png') });
    await stranger.close();
  });

  it('works from the keyboard: every control takes focus in turn, shows it, and has a name; the tabs open with Enter', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(node.url);
    await page.getByTestId('state').waitFor();
    // Tab from the top of the page until focus comes back round (or leaves the page), noting each stop's name
    // and how it looks focused: its outline, shadow and border, its wrapper's, and the next sibling's (a switch
    // hides its checkbox and rings the track beside it). Then the same with nothing focused: a stop whose look
    // does not change shows no focus.
    // Read once the focus transitions have run (a loaded machine may not have started them 200 ms later).
    const look = `async (e) => {
      const els = [e, e.parentElement, e.nextElementSibling].filter(Boolean);
      await Promise.race([Promise.all(els.flatMap((el) => el.getAnimations()).map((a) => a.finished)), new Promise((r) => setTimeout(r, 3000))]);
      return els.map((el) => {
        const s = getComputedStyle(el);
        return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.borderColor].join(' ');
      }).join(' | ');
    }`;
    const visit = `(async () => {
      const e = document.activeElement;
      if (!e || e === document.body || e.dataset.kbStop) return null;
      e.dataset.kbStop = String(document.querySelectorAll('[data-kb-stop]').length);
      const labelled = e.getAttribute('aria-labelledby');
      const name = (e.getAttribute('aria-label') || (labelled && document.getElementById(labelled)?.textContent) ||
        (e.labels && e.labels[0] && e.labels[0].textContent) || e.textContent || e.getAttribute('title') || '').trim().replace(/\\s+/g, ' ');
      return { stop: e.dataset.kbStop, what: e.tagName.toLowerCase() + (e.getAttribute('role') ? '[' + e.getAttribute('role') + ']' : ''), name: name.slice(0, 50), focused: await (${look})(e) };
    })()`;
    // Start at the top of the page, once the node's status is in (a control waiting for it is disabled, and a
    // disabled control takes no focus).
    await expect.poll(() => page.getByRole('button', { name: 'Pause training' }).isEnabled(), { timeout: 15_000 }).toBe(true);
    await page.evaluate(`document.activeElement?.blur()`);
    await page.mouse.click(1, 1);
    const stops: Array<{ stop: string; what: string; name: string; focused: string; ring?: boolean }> = [];
    for (let i = 0; i < 150; i++) {
      await page.keyboard.press('Tab');
      const stop = (await page.evaluate(visit)) as (typeof stops)[number] | null;
      if (!stop) break;
      stops.push(stop);
    }
    await page.evaluate(`document.activeElement?.blur()`);
    await page.mouse.move(0, 0);
    for (const stop of stops) {
      const unfocused = await page.evaluate(`(${look})(document.querySelector('[data-kb-stop="${stop.stop}"]'))`);
      stop.ring = unfocused !== stop.focused;
    }
    const listed = stops.map((s) => `${s.what} "${s.name}"${s.ring ? '' : ' (no focus shown)'}`).join('\n');
    expect(stops.length, listed).toBeGreaterThan(15);
    expect(stops.filter((s) => !s.name), listed).toEqual([]);
    expect(stops.filter((s) => !s.ring), listed).toEqual([]);
    for (const name of ['Earnings', 'Pause training', 'Pause for 1 hour', 'Refresh paintings every', 'Bootstrap peers']) expect(stops.some((s) => s.name.includes(name)), `${name}\n${listed}`).toBe(true);
    // A radio group is one tab stop, its chosen option; the arrow keys, Home and End choose within it.
    const themes = ['Like the system', 'Dark', 'Light'];
    expect(stops.filter((s) => themes.includes(s.name)), listed).toHaveLength(1);
    const theme = () => page.evaluate(`document.documentElement.dataset.theme`);
    await page.getByRole('radiogroup', { name: 'Theme' }).getByRole('radio', { checked: true }).focus();
    await page.keyboard.press('End');
    await expect.poll(theme).toBe('light');
    await expect.poll(() => page.evaluate(`document.activeElement?.textContent`)).toBe('Light');
    await page.keyboard.press('ArrowRight'); // round to the first
    await expect.poll(() => page.getByRole('radio', { name: 'Like the system' }).getAttribute('aria-checked')).toBe('true');

    await page.getByRole('link', { name: 'Earnings' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction("location.hash === '#earnings'");
    await page.goto(node.url);
    await page.getByTestId('state').waitFor();
  });

  it('loaded without console errors or CSP violations', () => {
    // A failed WebSocket upgrade with the wrong token is logged by the stranger page, not this one.
    expect(problems).toEqual([]);
  });
});
