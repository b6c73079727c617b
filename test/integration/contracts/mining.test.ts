/**
 * The token and mining contracts on a real in-process EVM (Hardhat's EDR), compiled from contracts/ by
 * `npm run contracts`: an epoch root posted with a threshold of EIP-712 validator signatures pays cumulative
 * claims to the wei, built with the same Merkle tree the nodes compute (worker/rewards/merkle.ts); and each
 * way to cheat reverts with its reason: a second claim, a forged proof, too few or duplicate or outside
 * signatures, signatures of another chain or contract, more than the schedule allows, a mint by anyone else.
 */
import { Interface, Signature, Wallet, id, type TypedDataDomain } from 'ethers';
import { AirtMiningAbi } from '../../../worker/chain/generated/AirtMining.js';
import { AirtTokenAbi } from '../../../worker/chain/generated/AirtToken.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startChain, type InProcessChain } from '../../../worker/chain/evm.js';
import { ascending, deployMining, type MiningDeployment } from '../../../worker/chain/deploy.js';
import { miningDomain, ordered, signEpochRoot, signValidatorSet, type EpochRoot } from '../../../worker/chain/signatures.js';
import { DEFAULT_EMISSION, emittedBefore } from '../../../worker/rewards/emission.js';
import { rewardProof, rewardRoot } from '../../../worker/rewards/merkle.js';

const key = (name: string) => id(`airtist contract tests: ${name}`);
const GAS = 10n ** 21n;
const names = ['deployer', 'validator 1', 'validator 2', 'validator 3', 'outsider', 'miner a', 'miner b'] as const;
/** A small schedule: 1,000 wei an epoch, halving every 2 epochs, 3,500 in all. */
const EMISSION = { firstEpochWei: '1000', halvingEpochs: 2, allocationWei: '3500' };
const GENESIS = new Date('2026-01-01T00:00:00Z');

/** The contracts' errors: a transaction's revert reaches ethers before the contract that knows its name. */
const ERRORS = new Interface([...AirtMiningAbi, ...AirtTokenAbi].filter((item) => item.type === 'error') as never);

async function reverts(action: Promise<unknown>, error: string): Promise<void> {
  const thrown = await action.then(
    () => null,
    (e: { data?: string; message?: string }) => e,
  );
  expect(thrown, `expected a revert with ${error}`).not.toBeNull();
  expect(thrown!.data ? ERRORS.parseError(thrown!.data)?.name : thrown!.message).toBe(error);
}

describe('AirtMining and AirtToken', () => {
  let chain: InProcessChain;
  let wallets: Record<(typeof names)[number], Wallet>;
  let validators: Wallet[];
  let deployed: MiningDeployment;
  let domain: TypedDataDomain;

  const start = async (chainId: number) => {
    const started = await startChain({ chainId, genesisTime: GENESIS, accounts: names.map((name) => ({ privateKey: key(name), balance: GAS })) });
    return { chain: started, wallets: Object.fromEntries(names.map((name) => [name, new Wallet(key(name), started.provider)])) as typeof wallets };
  };

  beforeEach(async () => {
    ({ chain, wallets } = await start(31337));
    validators = [wallets['validator 1'], wallets['validator 2'], wallets['validator 3']];
    deployed = await deployMining(wallets.deployer, { validators: validators.map((v) => v.address), threshold: 2, emission: EMISSION });
    domain = miningDomain(31337, deployed.miningAddress);
  });
  afterEach(() => chain.close());

  const signed = async (value: EpochRoot, by: Wallet[] = validators.slice(0, 2), under = domain) => ordered(await Promise.all(by.map((v) => signEpochRoot(v, under, value))));
  const post = async (value: EpochRoot, signatures?: string[]) => {
    const tx = await deployed.mining.postEpochRoot(value.epoch, value.root, value.epochTotal, signatures ?? (await signed(value)));
    return (await tx.wait())!;
  };
  const claimOf = (totals: Map<string, bigint>, who: Wallet) => {
    const proof = rewardProof(totals, who.address.toLowerCase())!;
    return { amount: proof.amount, proof: proof.proof };
  };
  const table = (a: bigint, b: bigint) => new Map([[wallets['miner a'].address.toLowerCase(), a], [wallets['miner b'].address.toLowerCase(), b]]);
  const rootOf = (totals: Map<string, bigint>, epoch: number): EpochRoot => ({ epoch, root: rewardRoot(totals), epochTotal: [...totals.values()].reduce((x, y) => x + y, 0n) });

  it('pays each claim the difference to what was claimed before, to the wei, against the latest root', async () => {
    const first = table(600n, 300n);
    const posted = await post(rootOf(first, 0));
    const miner = wallets['miner a'];
    const a = claimOf(first, miner);
    // Anyone may send the claim; the tokens go to the account.
    const receipt = (await (await deployed.mining.connect(wallets.outsider).claim(miner.address, a.amount, a.proof)).wait())!;
    expect(await deployed.token.balanceOf(miner.address)).toBe(600n);
    const claimed = receipt.logs.map((log) => deployed.mining.interface.parseLog(log)).find((log) => log?.name === 'Claimed');
    expect(claimed?.args.toArray()).toEqual([miner.address, 600n, 600n]);

    const second = table(1_500n, 400n);
    await post(rootOf(second, 1));
    const later = claimOf(second, miner);
    await (await deployed.mining.claim(miner.address, later.amount, later.proof)).wait();
    expect(await deployed.token.balanceOf(miner.address)).toBe(1_500n);
    expect(await deployed.mining.totalClaimed()).toBe(1_500n);
    expect(await deployed.token.totalSupply()).toBe(1_500n);
    console.log(`gas: deploy ${deployed.receipt.gasUsed}, post a root (2 of 3 signatures) ${posted.gasUsed}, first claim ${receipt.gasUsed}`);
  });

  it('a second claim of the same amount pays nothing more', async () => {
    const totals = table(600n, 300n);
    await post(rootOf(totals, 0));
    const { amount, proof } = claimOf(totals, wallets['miner a']);
    await (await deployed.mining.claim(wallets['miner a'].address, amount, proof)).wait();
    await reverts(deployed.mining.claim(wallets['miner a'].address, amount, proof), 'NothingToClaim');
    expect(await deployed.token.balanceOf(wallets['miner a'].address)).toBe(600n);
  });

  it('refuses a forged proof: a larger amount, another account, or no root yet', async () => {
    const totals = table(600n, 300n);
    const { amount, proof } = claimOf(totals, wallets['miner a']);
    await reverts(deployed.mining.claim(wallets['miner a'].address, amount, proof), 'NoRoot');
    await post(rootOf(totals, 0));
    await reverts(deployed.mining.claim(wallets['miner a'].address, amount + 1n, proof), 'InvalidProof');
    await reverts(deployed.mining.claim(wallets['miner b'].address, amount, proof), 'InvalidProof');
    await reverts(deployed.mining.claim(wallets.outsider.address, amount, proof), 'InvalidProof');
  });

  it('refuses too few, repeated, unordered or outside signatures', async () => {
    const value = rootOf(table(600n, 300n), 0);
    const [one, two] = await signed(value, validators.slice(0, 2));
    await reverts(post(value, [one!]), 'TooFewSignatures');
    await reverts(post(value, [one!, one!]), 'SignersNotAscending');
    await reverts(post(value, [two!, one!]), 'SignersNotAscending');
    await reverts(post(value, await signed(value, [validators[0]!, wallets.outsider])), 'NotValidator');
    // A validator's signature of another value does not count for this one.
    const other = await signed({ ...value, epochTotal: value.epochTotal - 1n }, validators.slice(1, 2));
    await reverts(post(value, ordered([{ signer: validators[0]!.address, signature: (await signed(value, [validators[0]!]))[0]! }, { signer: validators[1]!.address, signature: other[0]! }])), 'NotValidator');
    expect(await deployed.mining.posted()).toBe(false);
  });

  it('refuses signatures made for another contract or another chain id', async () => {
    const value = rootOf(table(600n, 300n), 0);
    const twin = await deployMining(wallets.deployer, { validators: validators.map((v) => v.address), threshold: 2, emission: EMISSION });
    await reverts(post(value, await signed(value, validators.slice(0, 2), miningDomain(31337, twin.miningAddress))), 'NotValidator');
    // The same deployer's first contract on chain 31338 has the same address: only the chain id differs.
    const elsewhere = await start(31338);
    try {
      const there = await deployMining(elsewhere.wallets.deployer, { validators: validators.map((v) => v.address), threshold: 2, emission: EMISSION });
      expect(there.miningAddress).toBe(deployed.miningAddress);
      await reverts(post(value, await signed(value, validators.slice(0, 2), miningDomain(31338, deployed.miningAddress))), 'NotValidator');
    } finally {
      elsewhere.chain.close();
    }
    await post(value);
    expect(await deployed.mining.latestRoot()).toBe(value.root);
  });

  it('never lets the posted total, or what is claimed, pass the schedule', async () => {
    // 1,000 may be minted through epoch 0, 2,000 through epoch 1, 2,500 through epoch 2 (halved), 3,500 ever.
    await reverts(post(rootOf(table(700n, 301n), 0)), 'OverEmission');
    await post(rootOf(table(600n, 300n), 0));
    await reverts(post(rootOf(table(600n, 300n), 0)), 'StaleEpoch');
    await reverts(post(rootOf(table(500n, 300n), 1)), 'TotalDecreased');
    await reverts(post(rootOf(table(2_000n, 501n), 2)), 'OverEmission');
    // Validators who sign a total below the table's leaves cannot let claims mint past it.
    const lying = table(2_000n, 400n);
    await post({ epoch: 2, root: rewardRoot(lying), epochTotal: 2_000n });
    const b = claimOf(lying, wallets['miner b']);
    await (await deployed.mining.claim(wallets['miner b'].address, b.amount, b.proof)).wait();
    const a = claimOf(lying, wallets['miner a']);
    await reverts(deployed.mining.claim(wallets['miner a'].address, a.amount, a.proof), 'OverPosted');
    expect(await deployed.token.totalSupply()).toBe(400n);
  });

  it('computes the same schedule as the nodes do, across halvings and up to the allocation', async () => {
    const schedule = await deployMining(wallets.deployer, { validators: validators.map((v) => v.address), threshold: 2, emission: DEFAULT_EMISSION });
    const halving = DEFAULT_EMISSION.halvingEpochs;
    for (const epoch of [0, 1, halving - 1, halving, 3 * halving + 17, 40 * halving, 300 * halving]) {
      expect(await schedule.mining.emittedThrough(epoch), `epoch ${epoch}`).toBe(emittedBefore(DEFAULT_EMISSION, epoch + 1));
    }
    expect(await deployed.mining.emittedThrough(99)).toBe(3_500n);
  });

  it('lets only the mining contract mint', async () => {
    await reverts(deployed.token.connect(wallets.deployer).mint(wallets.deployer.address, 1n), 'NotMinter');
    await reverts(deployed.token.connect(validators[0]!).mint(validators[0]!.address, 1n), 'NotMinter');
    expect(await deployed.token.minter()).toBe(deployed.miningAddress);
    expect(await deployed.token.cap()).toBe(3_500n);
  });

  it('changes its validators only with a threshold of the current ones, each change signed once', async () => {
    const next = ascending([wallets.outsider.address, validators[2]!.address]);
    const change = { validators: next, threshold: 1, nonce: 0 };
    const by = async (signers: Wallet[], value = change) => ordered(await Promise.all(signers.map((v) => signValidatorSet(v, domain, value))));
    await reverts(deployed.mining.setValidators(next, 1, await by([validators[0]!])), 'TooFewSignatures');
    const signatures = await by(validators.slice(0, 2));
    await (await deployed.mining.setValidators(next, 1, signatures)).wait();
    expect(await deployed.mining.validators()).toEqual(next);
    // The same signatures again: the nonce has moved on.
    await reverts(deployed.mining.setValidators(next, 1, signatures), 'NotValidator');
    // The old validators no longer count; the new one alone does.
    const value = rootOf(table(600n, 300n), 0);
    await reverts(post(value, await signed(value, [validators[0]!])), 'NotValidator');
    await post(value, await signed(value, [wallets.outsider]));
    await reverts(deployed.mining.setValidators([], 0, await by([wallets.outsider], { validators: [], threshold: 0, nonce: 1 })), 'BadValidatorSet');
  });

  it('takes EIP-2612 permits', async () => {
    const totals = table(600n, 300n);
    await post(rootOf(totals, 0));
    const owner = wallets['miner a'];
    const { amount, proof } = claimOf(totals, owner);
    await (await deployed.mining.claim(owner.address, amount, proof)).wait();
    const spender = wallets.outsider.address;
    const deadline = BigInt(Math.floor(GENESIS.getTime() / 1000) + 10 * 365 * 86_400);
    const tokenDomain = { name: 'AIRTIST', version: '1', chainId: 31337, verifyingContract: deployed.tokenAddress };
    const types = { Permit: [{ name: 'owner', type: 'address' }, { name: 'spender', type: 'address' }, { name: 'value', type: 'uint256' }, { name: 'nonce', type: 'uint256' }, { name: 'deadline', type: 'uint256' }] };
    const { v, r, s } = Signature.from(await owner.signTypedData(tokenDomain, types, { owner: owner.address, spender, value: 100n, nonce: 0n, deadline }));
    await (await deployed.token.permit(owner.address, spender, 100n, deadline, v, r, s)).wait();
    expect(await deployed.token.allowance(owner.address, spender)).toBe(100n);
  });
});
