/**
 * The embedded devnet on a real data dir: it deploys the contracts on its first start and serves JSON-RPC on
 * loopback; a root its validator signs pays a claim; stopped and started again it replays its journal to the
 * same chain — the contracts where they were, the claimed AIRT still there — and keeps going. A configured RPC
 * whose chain id differs from the config's is refused in words.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { afterAll, describe, expect, it } from 'vitest';
import { ChainConfigError, connectRpc } from '../../../worker/chain/connect.js';
import { DEVNET_CHAIN_ID, Devnet } from '../../../worker/chain/devnet.js';
import { airtMiningAt } from '../../../worker/chain/generated/AirtMining.js';
import { airtTokenAt } from '../../../worker/chain/generated/AirtToken.js';
import { miningDomain, ordered, signEpochRoot } from '../../../worker/chain/signatures.js';
import { DEFAULT_EMISSION } from '../../../worker/rewards/emission.js';
import { rewardProof, rewardRoot } from '../../../worker/rewards/merkle.js';

describe('the embedded devnet', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'airtist-devnet-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const miner = Wallet.createRandom();
  const options = { dir: join(dir, 'chain'), emission: DEFAULT_EMISSION };

  /** Posts `totals` as `epoch`'s root signed by the devnet's validator, and claims `miner`'s share over RPC. */
  async function earnAndClaim(devnet: Devnet, epoch: number, totals: Map<string, bigint>) {
    const rpc = await connectRpc(devnet.rpcUrl, DEVNET_CHAIN_ID);
    try {
      const poster = devnet.validator.connect(rpc);
      const mining = airtMiningAt(devnet.contracts.miningAddress, poster);
      const value = { epoch, root: rewardRoot(totals), epochTotal: [...totals.values()].reduce((a, b) => a + b, 0n) };
      const signatures = ordered([await signEpochRoot(devnet.validator, miningDomain(DEVNET_CHAIN_ID, devnet.contracts.miningAddress), value)]);
      await (await mining.postEpochRoot(value.epoch, value.root, value.epochTotal, signatures)).wait();
      await devnet.fund(miner.address);
      const { amount, proof } = rewardProof(totals, miner.address.toLowerCase())!;
      await (await mining.connect(miner.connect(rpc)).claim(miner.address, amount, proof)).wait();
      return await airtTokenAt(devnet.contracts.tokenAddress, rpc).balanceOf(miner.address);
    } finally {
      rpc.destroy();
    }
  }

  it('deploys on its first start, serves JSON-RPC on loopback, and a validator-signed root pays a claim', async () => {
    const devnet = await Devnet.start(options);
    try {
      expect(devnet.started.deployed).toBe(true);
      expect(devnet.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const balance = await earnAndClaim(devnet, 0, new Map([[miner.address.toLowerCase(), 1_234_567n], [`0x${'ab'.repeat(20)}`, 5n]]));
      expect(balance).toBe(1_234_567n);
      console.log(`devnet: first start (deploy) ${devnet.started.ms} ms`);
    } finally {
      await devnet.stop();
    }
  });

  it('comes back the same after a restart: contracts where they were, the claimed AIRT still there, and goes on', async () => {
    const devnet = await Devnet.start(options);
    try {
      expect(devnet.started).toMatchObject({ deployed: false });
      expect(devnet.started.replayed).toBeGreaterThanOrEqual(4);
      const rpc = await connectRpc(devnet.rpcUrl, DEVNET_CHAIN_ID);
      expect(await airtTokenAt(devnet.contracts.tokenAddress, rpc).balanceOf(miner.address)).toBe(1_234_567n);
      rpc.destroy();
      // Epoch 1's root: the miner's cumulative total grows, and the claim pays the difference.
      expect(await earnAndClaim(devnet, 1, new Map([[miner.address.toLowerCase(), 2_000_000n]]))).toBe(2_000_000n);
      console.log(`devnet: restart (replaying ${devnet.started.replayed} journal entries) ${devnet.started.ms} ms`);
    } finally {
      await devnet.stop();
    }
  });

  it("refuses an RPC whose chain id is not the config's, or that does not answer, with a reason", async () => {
    const devnet = await Devnet.start(options);
    try {
      await expect(connectRpc(devnet.rpcUrl, 1)).rejects.toThrow(new ChainConfigError(`the RPC at ${devnet.rpcUrl} serves chain id ${DEVNET_CHAIN_ID}, but the config says 1: check the RPC URL and the chain id`));
    } finally {
      await devnet.stop();
    }
    await expect(connectRpc(devnet.rpcUrl, DEVNET_CHAIN_ID, 2_000)).rejects.toThrow(/does not answer/);
    await expect(connectRpc('ftp://127.0.0.1', DEVNET_CHAIN_ID)).rejects.toThrow(/must be http/);
  });
});
