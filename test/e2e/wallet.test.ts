/**
 * The wallet in a real browser against a real node on its devnet, as a new miner meets it: the first run
 * offers a wallet before anything else; creating one shows its words and asks three of them back (a wrong
 * word is refused); the second step chooses when to train, showing the speed measured now; then, once an epoch's root is posted, the Earnings page claims it and follows the
 * transaction to confirmed, and the AIRT on chain is what the node said was claimable, to the wei. The
 * Wallet page shows the address with its QR code and the claim in its history. Screenshots in test/artifacts/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient, WalletBalances } from '../../worker/api/contract.js';
import { formatAirt } from '../../worker/rewards/emission.js';
import { ARTIFACTS, launchBrowser, watchedPage } from '../helpers/browser.js';
import { connectApi, loopbackArgs, startNodeProcess, type NodeProcess } from '../helpers/node-process.js';

const PASSWORD = 'a long enough password';
const ROUNDS = ['--round-seconds', '3', '--inner-steps', '2', '--epoch-rounds', '2', '--batch-size', '8', '--model', 'mlp-gan', '--backend', 'wasm'];

describe('the wallet in the dashboard (browser e2e)', { timeout: 240_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'airtist-e2e-wallet-'));
  let node: NodeProcess;
  let api: ApiClient;
  let browser: Browser;
  let page: Page;
  let problems: string[] = [];

  beforeAll(async () => {
    [node, browser] = await Promise.all([startNodeProcess(dataDir, [...loopbackArgs(), ...ROUNDS]), launchBrowser()]);
    api = await connectApi(node);
    ({ page, problems } = await watchedPage(browser, { width: 1280, height: 900 }));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    api?.close();
    node?.child.kill('SIGTERM');
    await node?.exited;
    rmSync(dataDir, { recursive: true, force: true });
  });

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  it('offers a wallet first, and makes one only with its words written down', async () => {
    await page.goto(node.url);
    await page.getByTestId('first-run').waitFor({ timeout: 20_000 });
    // Before anything else: the dashboard's pages are not there yet.
    expect(await page.getByRole('navigation', { name: 'Pages' }).count()).toBe(0);

    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByLabel('Password again').fill('short');
    await page.getByRole('button', { name: 'Create wallet' }).click();
    await page.getByText('At least 8 characters.').waitFor();
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Password again').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create wallet' }).click();

    const words = page.getByTestId('mnemonic-words').locator('.w');
    await words.first().waitFor({ timeout: 20_000 });
    const mnemonic = await words.allTextContents();
    expect(mnemonic).toHaveLength(12);
    await shot('wallet-backup-words');
    // The node holds the same wallet: its export, with the password, is these words.
    expect((await api.call('walletExport', { password: PASSWORD })).mnemonic).toBe(mnemonic.join(' '));

    const next = page.getByRole('button', { name: 'Next' });
    expect(await next.isDisabled()).toBe(true);
    await page.getByLabel('I wrote the words down in order').check();
    await next.click();

    const asked = page.locator('input[id^="backup-word-"]');
    await asked.first().waitFor();
    const positions = (await asked.evaluateAll((inputs) => inputs.map((input) => input.id))).map((id) => Number(id.replace('backup-word-', '')));
    expect(positions).toHaveLength(3);
    // One word wrong: refused, naming it.
    for (const [i, position] of positions.entries()) await asked.nth(i).fill(i === 0 ? 'notaword' : mnemonic[position]!);
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByText(`Word ${positions[0]! + 1} is not right`).waitFor();
    await asked.nth(0).fill(mnemonic[positions[0]!]!.toUpperCase());
    await page.getByRole('button', { name: 'Done' }).click();

    // Then when to train, with the speed this computer trains at now (a browser tab defaults to always).
    await expect.poll(async () => (await page.getByTestId('first-run-speed').textContent()) ?? '', { timeout: 20_000 }).toMatch(/^This computer trains at [\d.,]+ samples a second right now\.$/);
    // And what it can expect to earn a day at the network's pace, once a few rounds were committed.
    await expect.poll(async () => (await page.getByTestId('first-run-estimate').textContent()) ?? '', { timeout: 40_000 }).toMatch(/^About [\d.,]+ AIRT a day, at the network's pace now: [\d,]+ rounds a day, 1 miner in each/);
    expect(await page.getByLabel('Always').isChecked()).toBe(true);
    await page.getByLabel('Quiet mode: half speed, less heat and fan noise').check();
    await shot('onboarding-mode');
    await page.getByRole('button', { name: 'Start mining' }).click();

    // Done: the dashboard, the offer answered for good and the choices saved (node settings).
    await page.getByRole('navigation', { name: 'Pages' }).waitFor();
    await expect.poll(async () => (await api.call('getSettings')).walletOffered).toBe(true);
    expect(await api.call('getSettings')).toMatchObject({ scheduleMode: 'always', quietMode: true });
    await api.call('setSettings', { quietMode: false }); // full speed for the claim below
    const info = await api.call('walletStatus');
    expect(info).toMatchObject({ locked: false, hasMnemonic: true, rewardAddress: info.address!.toLowerCase() });
  });

  it("claims from the Earnings page once an epoch's root is posted, and the chain pays it to the wei", async () => {
    await page.getByRole('link', { name: 'Earnings' }).click();
    const button = page.getByTestId('claim-button');
    await button.waitFor({ timeout: 20_000 });
    await expect.poll(() => button.isEnabled(), { timeout: 150_000, interval: 500 }).toBe(true);
    const before: WalletBalances = await api.call('walletBalances');
    expect(BigInt(before.claimableWei)).toBeGreaterThan(0n);
    await button.click();

    const status = page.getByTestId('claim-status');
    await expect.poll(async () => (await status.textContent()) ?? '', { timeout: 30_000 }).toMatch(/^Claimed: /);
    await shot('dashboard-earnings-claimed');
    const after = await api.call('walletBalances');
    const [claim] = (await api.call('walletHistory', { limit: 1 })).transactions;
    expect(claim).toMatchObject({ kind: 'claim', status: 'confirmed' });
    // What was claimed is what the chain now holds for the wallet, and at least what was claimable before the
    // click (a root posted in between may add to it).
    expect(BigInt(after.airtWei)).toBe(BigInt(claim!.amountWei));
    expect(BigInt(after.airtWei)).toBeGreaterThanOrEqual(BigInt(before.claimableWei));
    expect(await status.textContent()).toContain(formatAirt(BigInt(claim!.amountWei), 4));
  });

  it('shows the address with its QR code, the balances and the claim in the history', async () => {
    await page.getByRole('link', { name: 'Wallet' }).click();
    const info = await api.call('walletStatus');
    await expect.poll(async () => page.getByTestId('wallet-address').textContent(), { timeout: 10_000 }).toBe(info.address);
    expect(await page.getByTestId('wallet-qr').isVisible()).toBe(true);
    await page.getByTestId('wallet-transactions').getByText('Confirmed').first().waitFor({ timeout: 10_000 });
    const held = await page.getByTestId('balance-airtWei').textContent();
    expect(held).toContain(formatAirt(BigInt((await api.call('walletBalances')).airtWei), 4));
    await shot('dashboard-wallet');
    expect(problems).toEqual([]);
  });
});
