/**
 * A swarm's one chain: an embedded devnet in the swarm's own process, deployed with the first members as
 * its validators (a majority must sign each root), its endpoint written as a chain config every member is
 * started with (`--chain FILE`), and each validator's key written into its data dir before it starts, where
 * the node looks for it (chain/config.ts). The validators get gas from the devnet's faucet.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Wallet, getAddress } from 'ethers';
import { readValidatorKey, validatorKeyPath } from '../chain/config.js';
import { Devnet } from '../chain/devnet.js';
import type { ChainEndpoint } from '../chain/service.js';
import { writeFileDurably } from '../durable-file.js';
import { DEFAULT_RUN_SPEC } from '../rounds/run-spec.js';
import type { SwarmChain } from './swarm.js';

export interface SwarmChainHost {
  endpoint: ChainEndpoint;
  /** The chain config members are started with. */
  configPath: string;
  validators: string[];
  threshold: number;
  summary(): Promise<SwarmChain>;
  stop(): Promise<void>;
}

/** Starts the devnet with a validator for each of `validatorDirs` (members' data dirs, made if missing). */
export async function startSwarmChain(dataDir: string, validatorDirs: string[]): Promise<SwarmChainHost> {
  // A swarm started again on its data dir finds its devnet and its validators' keys where they were.
  const keys: Array<{ address: string; privateKey: string }> = [];
  for (const dir of validatorDirs) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const existing = await readValidatorKey(dir);
    const key = existing ? new Wallet(existing) : Wallet.createRandom();
    if (!existing) await writeFileDurably(validatorKeyPath(dir), Buffer.from(`${key.privateKey}\n`), { mode: 0o600 });
    keys.push(key);
  }
  const validators = keys.map((key) => getAddress(key.address)).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  const threshold = Math.floor(validators.length / 2) + 1;
  const devnet = await Devnet.start({ dir: join(dataDir, 'chain'), emission: DEFAULT_RUN_SPEC.rewards, validators: { addresses: validators, threshold } });
  for (const address of validators) await devnet.fund(address);
  const endpoint: ChainEndpoint = { rpcUrl: devnet.rpcUrl, chainId: devnet.chainId, mining: devnet.contracts.miningAddress, token: devnet.contracts.tokenAddress };
  const configPath = join(dataDir, 'chain.json');
  await writeFileDurably(configPath, Buffer.from(`${JSON.stringify(endpoint, null, 2)}\n`));
  const mining = devnet.contracts.mining;
  return {
    endpoint,
    configPath,
    validators,
    threshold,
    async summary() {
      const roots: SwarmChain['roots'] = [];
      if (await mining.posted()) {
        const latest = Number(await mining.latestEpoch());
        for (let epoch = 0; epoch <= latest; epoch++) {
          const root = await mining.rootOf(epoch);
          if (BigInt(root) !== 0n) roots.push({ epoch, root });
        }
      }
      return { chainId: devnet.chainId, validators, threshold, roots };
    },
    stop: () => devnet.stop(),
  };
}
