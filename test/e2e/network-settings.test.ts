/**
 * The network settings in a real browser against real miners on loopback: a node started without a bootstrap
 * peer is given one on its Settings page, which also shows where the node keeps its files; the page says the node takes it when it restarts (and that the port
 * is the command line's for this run); after a restart the node joins the peer, and nothing is pending any more.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../worker/api/contract.js';
import { ARTIFACTS, launchBrowser, watchedPage } from '../helpers/browser.js';
import { connectApi, dialAddress, loopbackArgs, startNodeProcess, stopNodes, type NodeProcess } from '../helpers/node-process.js';

const OFFLINE_CHAIN = ['--chain', 'none', '--model', 'tiny-gan', '--backend', 'wasm'];

describe('network settings (browser e2e)', { timeout: 150_000 }, () => {
  const dirs = [mkdtempSync(join(tmpdir(), 'airtist-e2e-seed-')), mkdtempSync(join(tmpdir(), 'airtist-e2e-joiner-'))];
  const nodes: NodeProcess[] = [];
  const apis: ApiClient[] = [];
  let browser: Browser;
  let page: Page;
  let problems: string[] = [];
  let seedAddress = '';

  beforeAll(async () => {
    const [seed, launched] = await Promise.all([startNodeProcess(dirs[0]!, [...loopbackArgs(), ...OFFLINE_CHAIN]), launchBrowser()]);
    nodes.push(seed);
    browser = launched;
    apis.push(await connectApi(seed));
    seedAddress = await dialAddress(apis[0]!);
    ({ page, problems } = await watchedPage(browser, { width: 1280, height: 1400 }));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    for (const api of apis) api.close();
    await stopNodes(nodes);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** The joiner: loopback and a free port from the command line, the bootstrap peers from its settings. */
  const startJoiner = async () => {
    const node = await startNodeProcess(dirs[1]!, [...loopbackArgs(), ...OFFLINE_CHAIN]);
    nodes.push(node);
    const api = await connectApi(node);
    apis.push(api);
    await api.call('setSettings', { walletOffered: true });
    return { node, api };
  };

  it('saves a bootstrap peer, says it applies at the restart, and the restarted node joins through it', async () => {
    const first = await startJoiner();
    expect((await first.api.call('network')).peers).toEqual([]);
    await page.goto(first.node.url);
    const panel = page.getByRole('region', { name: 'Network and chain' });
    await panel.waitFor({ state: 'visible', timeout: 15_000 });
    await expect.poll(() => panel.getByTestId('network-settings-command-line').textContent()).toContain('the port');
    // Where the node keeps its files, and how a headless rig picks another place.
    await expect.poll(() => page.getByTestId('data-dir').textContent()).toContain(dirs[1]);
    expect(await page.getByTestId('data-dir').textContent()).toContain('--data-dir');

    // A line that is no peer address is refused in words, before anything is saved.
    const peers = panel.getByLabel('Bootstrap peers');
    await peers.fill('203.0.113.7:7358');
    await panel.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => panel.locator('#bootstrap-peers-help').textContent()).toContain('is not an address with a peer id');
    expect((await first.api.call('getSettings')).bootstrapPeers).toEqual([]);

    await peers.fill(seedAddress);
    await panel.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(async () => (await first.api.call('getSettings')).bootstrapPeers).toEqual([seedAddress]);
    const pending = panel.getByTestId('network-settings-pending');
    await expect.poll(() => pending.textContent(), { timeout: 15_000 }).toContain('the bootstrap peers when it restarts');
    await panel.screenshot({ path: join(ARTIFACTS, 'dashboard-network-settings.png') });

    expect(problems).toEqual([]);

    // Restart the node as its owner would; the saved peer is used now. The page is closed first: it would
    // retry the gone node meanwhile, which the browser logs as refused connections.
    await page.close();
    await stopNodes([first.node]);
    const second = await startJoiner();
    await expect.poll(async () => (await second.api.call('network')).peers.length, { timeout: 30_000 }).toBe(1);
    expect((await second.api.call('network')).running).toMatchObject({ bootstrapPeers: [seedAddress], fromCommandLine: ['p2pPort', 'chain'] });
    ({ page, problems } = await watchedPage(browser, { width: 1280, height: 1400 }));
    await page.goto(second.node.url);
    const panelAgain = page.getByRole('region', { name: 'Network and chain' });
    await panelAgain.waitFor({ state: 'visible', timeout: 15_000 });
    await expect.poll(() => page.getByTestId('network-peer-count').textContent(), { timeout: 30_000 }).toBe('1 peer');
    expect(await panelAgain.getByTestId('network-settings-pending').count()).toBe(0);
    expect(problems).toEqual([]);
  });
});
