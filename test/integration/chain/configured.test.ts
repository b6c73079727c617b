/**
 * A configured chain (a testnet or mainnet) as the node starts it: another devnet stands in for the remote
 * chain. The config's chain id must be the RPC's, and its mining address must hold a contract, or the start
 * is refused in words; a good config answers reads, writes `chain/rpc.json` for the wallet commands, and
 * posts nothing (the network's validators post roots there).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChainConfigError } from '../../../worker/chain/connect.js';
import { Devnet } from '../../../worker/chain/devnet.js';
import { airtMiningAt } from '../../../worker/chain/generated/AirtMining.js';
import { chainEndpointPath, startChainService, type ChainEndpoint } from '../../../worker/chain/service.js';
import { DEFAULT_EMISSION } from '../../../worker/rewards/emission.js';

describe('a configured chain', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'airtist-configured-'));
  let remote: Devnet;
  let endpoint: ChainEndpoint;
  beforeAll(async () => {
    remote = await Devnet.start({ dir: join(dir, 'remote'), emission: DEFAULT_EMISSION });
    endpoint = { rpcUrl: remote.rpcUrl, chainId: remote.chainId, mining: remote.contracts.miningAddress, token: remote.contracts.tokenAddress };
  });
  afterAll(async () => {
    await remote?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const start = (configured: ChainEndpoint, name: string) => startChainService({ dataDir: join(dir, name), emission: DEFAULT_EMISSION, configured, log: () => {} });

  it('refuses a chain id the RPC does not serve, naming both', async () => {
    const refused = start({ ...endpoint, chainId: 11155111 }, 'wrong-id');
    await expect(refused).rejects.toThrow(ChainConfigError);
    await expect(refused).rejects.toThrow(`serves chain id ${remote.chainId}, but the config says 11155111`);
  });

  it('refuses a mining address without a contract', async () => {
    await expect(start({ ...endpoint, mining: '0x8ba1f109551bD432803012645Ac136ddd64DBA72' }, 'no-contract')).rejects.toThrow(/no contract at 0x8ba1f109551bD432803012645Ac136ddd64DBA72/);
  });

  it('connects to a good config, answers reads and writes where it answers', async () => {
    const chain = await start(endpoint, 'good');
    try {
      expect(chain.kind).toBe('configured');
      expect(await airtMiningAt(endpoint.mining, chain.provider).posted()).toBe(false);
      expect(JSON.parse(readFileSync(chainEndpointPath(join(dir, 'good')), 'utf8'))).toEqual(endpoint);
    } finally {
      await chain.stop();
    }
  });
});
