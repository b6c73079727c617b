/**
 * The devnet's journal on a real chain: a replay into a fresh chain of the same genesis gives the same blocks,
 * a reverted transaction included (it was mined and spent its nonce); a torn last line, left by a process
 * killed mid-append, is a call that never returned and is left out.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet, id, parseEther } from 'ethers';
import { afterAll, describe, expect, it } from 'vitest';
import { deployMining } from '../../../worker/chain/deploy.js';
import { startChain } from '../../../worker/chain/evm.js';
import { journaled, replayJournal } from '../../../worker/chain/journal.js';

const KEY = id('airtist journal test');
const GENESIS = new Date('2026-03-01T00:00:00Z');
const chainOf = (path: string) => startChain({ chainId: 777, genesisTime: GENESIS, accounts: [{ privateKey: KEY, balance: parseEther('100') }], wrap: (raw) => journaled(raw, path) });

describe('the chain journal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'airtist-journal-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('replays to the same blocks, a reverted transaction included, and leaves out a torn last line', async () => {
    const path = join(dir, 'journal.ndjson');
    const first = await chainOf(path);
    const wallet = new Wallet(KEY, first.provider);
    const { token } = await deployMining(wallet, { validators: [wallet.address], threshold: 1, emission: { firstEpochWei: '10', halvingEpochs: 1, allocationWei: '100' } });
    // Sent without an estimate, so it is mined and reverts (only the mining contract mints).
    await expect(token.mint(wallet.address, 1n, { gasLimit: 100_000 })).rejects.toThrow();
    await (await wallet.sendTransaction({ to: Wallet.createRandom().address, value: 5n })).wait();
    const head = await first.provider.getBlock('latest');
    first.close();
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(3);

    appendFileSync(path, '{"method":"eth_sendRawTransaction","par'); // killed mid-append
    const second = await startChain({ chainId: 777, genesisTime: GENESIS, accounts: [{ privateKey: KEY, balance: parseEther('100') }] });
    try {
      expect(await replayJournal(second.eip1193, join(dir, 'missing.ndjson'))).toBe(0);
      expect(await replayJournal(second.eip1193, path)).toBe(3);
      const again = await second.provider.getBlock('latest');
      expect([again?.number, again?.hash, again?.timestamp]).toEqual([head?.number, head?.hash, head?.timestamp]);
      expect(await second.provider.getTransactionCount(wallet.address)).toBe(3);
    } finally {
      second.close();
    }
  });
});
