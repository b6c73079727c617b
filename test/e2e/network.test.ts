/**
 * The Network view in a real browser against two real miners in one swarm on loopback: this node's peer id,
 * the one peer it is connected to, the current round with its countdown, the last commit (the same model
 * hash the other peer holds) and the rounds this node took part in. Screenshot in test/artifacts/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../worker/api/contract.js';
import { formatAirt } from '../../worker/rewards/emission.js';
import { ARTIFACTS, launchBrowser, watchedPage } from '../helpers/browser.js';
import { connectApi, dialAddress, loopbackArgs, startNodeProcess, stopNodes, type NodeProcess } from '../helpers/node-process.js';

const ADDRESS = `0x${'a1'.repeat(20)}`;
const ROUNDS = ['--round-seconds', '4', '--inner-steps', '5', '--batch-size', '16', '--model', 'mlp-gan', '--backend', 'wasm'];

describe('the Network view of a node in a swarm (browser e2e)', { timeout: 150_000 }, () => {
  const dirs = [mkdtempSync(join(tmpdir(), 'airtist-e2e-a-')), mkdtempSync(join(tmpdir(), 'airtist-e2e-b-'))];
  const nodes: NodeProcess[] = [];
  const apis: ApiClient[] = [];
  let browser: Browser;
  let page: Page;
  let problems: string[] = [];

  beforeAll(async () => {
    const [a, launched] = await Promise.all([startNodeProcess(dirs[0]!, [...loopbackArgs(), ...ROUNDS, '--reward-address', ADDRESS]), launchBrowser()]);
    nodes.push(a);
    browser = launched;
    apis.push(await connectApi(a));
    await apis[0]!.call('setSettings', { walletOffered: true });
    const address = await dialAddress(apis[0]!);
    const b = await startNodeProcess(dirs[1]!, [...loopbackArgs([address]), ...ROUNDS]);
    nodes.push(b);
    apis.push(await connectApi(b));
    ({ page, problems } = await watchedPage(browser, { width: 1280, height: 900 }));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    for (const api of apis) api.close();
    await stopNodes(nodes);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('shows the peer, the round counting down, the last commit both peers hold, and the rounds taken part in', async () => {
    const [a, b] = await Promise.all(apis.map((api) => api.call('network')));
    await page.goto(nodes[0]!.url);
    await page.waitForFunction("!location.search.includes('token=')");
    const view = page.getByTestId('network');
    await view.waitFor({ state: 'visible', timeout: 15_000 }).catch(async (error: Error) => {
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-network-online-failed.png'), fullPage: true });
      throw error;
    });

    await expect.poll(() => view.getByTestId('network-peer-id').getAttribute('title')).toBe(a!.peerId);
    await expect.poll(() => view.getByTestId('network-peer-count').textContent(), { timeout: 30_000 }).toBe('1 peer');
    await expect.poll(() => view.getByTestId('network-peers').textContent()).toContain(b!.peerId!.slice(-4));

    // The round's heading and a countdown that moves (or says the round is closing).
    const round = view.getByTestId('network-round');
    await expect.poll(() => round.locator('h3').textContent(), { timeout: 30_000 }).toMatch(/^Round \d+$/);
    await expect.poll(() => view.getByTestId('network-countdown').textContent()).toMatch(/\d|clos/i);

    // A commit both peers hold: once the other peer has joined, the round and hash the page shows are the ones
    // it applied too (the first commits may be from before it joined, when this node trained alone).
    const commit = view.getByTestId('network-commit');
    const shownAndOther = async () => {
      const hash = await commit.locator('dd[title]').first().getAttribute('title');
      const round = Number((await commit.locator('dd').first().textContent())?.replace(/\D/g, ''));
      const other = (await apis[1]!.call('roundHistory', { limit: 100 })).rounds.find((r) => r.round === round);
      return { hash, same: !!hash && other?.modelHash === hash };
    };
    await expect.poll(async () => (await shownAndOther()).same, { timeout: 60_000 }).toBe(true);
    expect((await shownAndOther()).hash).toMatch(/^[0-9a-f]{64}$/);

    // This node's rounds, with its own contribution's fate.
    const table = view.getByTestId('rounds-table');
    await expect.poll(() => table.locator('tbody tr').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(() => table.locator('tbody').textContent(), { timeout: 30_000 }).toMatch(/accepted/i);
    await view.screenshot({ path: join(ARTIFACTS, 'dashboard-network-online.png') });
    expect(problems).toEqual([]);
  });

  it("shows today's AIRT beside today's work, and the Earnings page lists each contribution with its fate and credit", async () => {
    // Credits come with commits: wait until the node has been credited for an accepted contribution.
    const credited = async () => (await apis[0]!.call('earnings', { limit: 200 })).totals.creditedWei;
    await expect.poll(async () => BigInt(await credited()) > 0n, { timeout: 60_000 }).toBe(true);
    const airt = (wei: string) => formatAirt(BigInt(wei));
    await expect.poll(async () => (await page.getByTestId('today-detail').textContent()) ?? '', { timeout: 15_000 }).toMatch(/[\d.,]+ AIRT earned/);

    await page.getByRole('link', { name: 'Earnings' }).click();
    await page.waitForFunction("location.hash === '#earnings'");
    const table = page.getByTestId('earnings-table');
    await expect.poll(() => table.locator('tbody tr.accepted').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    // What the page shows is what the ledger credited, to the shown digits: the total and each accepted row.
    const earnings = await apis[0]!.call('earnings', { limit: 200 });
    await expect.poll(async () => (await page.getByTestId('earned-total').textContent()) ?? '', { timeout: 15_000 }).toContain(`${airt(earnings.totals.creditedWei)} AIRT`);
    const accepted = earnings.contributions.find((c) => c.status === 'accepted' && c.creditedWei)!;
    await expect.poll(async () => (await table.locator('tbody').textContent()) ?? '').toContain(`${airt(accepted.creditedWei!)} AIRT`);
    expect(await page.getByTestId('epoch-progress').textContent()).toMatch(/Epoch \d+/);
    // What a day at this pace would bring: the node's own estimate, as the page shows it.
    await expect.poll(async () => (await apis[0]!.call('earnings', { limit: 1 })).estimate !== null, { timeout: 30_000 }).toBe(true);
    const estimate = (await apis[0]!.call('earnings', { limit: 1 })).estimate!;
    expect(estimate.contributors).toBeGreaterThanOrEqual(1);
    expect(BigInt(estimate.weiPerDay)).toBeGreaterThan(0n);
    await expect.poll(async () => (await page.getByTestId('earned-expected').textContent()) ?? '', { timeout: 15_000 }).toMatch(/Expected a day\s*≈ [\d.,]+ AIRT/);
    await expect.poll(() => page.getByTestId('airt-chart').locator('rect').count()).toBeGreaterThan(0);
    // A reload keeps the page (its name is in the address).
    await page.reload();
    await page.getByTestId('earnings-table').waitFor({ state: 'visible', timeout: 15_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-earnings.png'), fullPage: true });
    expect(problems).toEqual([]);
  });
});
