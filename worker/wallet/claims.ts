/**
 * What a wallet's address has earned and can claim, reconciled between the ledger and the chain to the wei:
 * credited (the ledger's total), posted (its cumulative amount in the latest root on chain), claimed (what the
 * contract has paid it), claimable = posted − claimed, pending = credited − posted. A claim proves the posted
 * amount with the ledger's tree for that epoch, whose root must be the chain's; the gas is estimated first, so
 * a wallet without gas hears so before anything is sent.
 */
import { Interface, formatEther, getAddress, type Provider, type Signer } from 'ethers';
import type { RewardRecords } from '../ledger/rewards.js';
import type { ReceiptOf, Sent, TransactionRecords } from '../ledger/transactions.js';
import { rewardProof } from '../rewards/merkle.js';
import { airtMiningAt, AirtMiningAbi } from '../chain/generated/AirtMining.js';
import { airtTokenAt } from '../chain/generated/AirtToken.js';
import type { ChainEndpoint } from '../chain/service.js';

export class ClaimError extends Error {
  override name = 'ClaimError';
}

export interface Balances {
  address: string;
  /** AIRT held, and the chain's gas coin. */
  airt: bigint;
  gas: bigint;
  credited: bigint;
  posted: bigint;
  claimed: bigint;
  claimable: bigint;
  pending: bigint;
  /** The latest epoch whose root is on chain, if any. */
  latestEpoch: number | null;
}

interface Posted {
  epoch: number;
  root: string;
}

async function latestPosted(endpoint: ChainEndpoint, provider: Provider): Promise<Posted | null> {
  const mining = airtMiningAt(endpoint.mining, provider);
  if (!(await mining.posted())) return null;
  // The root of the epoch read, not `latestRoot`: a root posted between two reads would pair one epoch with
  // another's root (seen with 6-second epochs in CI).
  const epoch = await mining.latestEpoch();
  return { epoch: Number(epoch), root: await mining.rootOf(epoch) };
}

/** The address's cumulative amount in the posted root, with its proof, from the ledger's tree of that epoch. */
function provePosted(rewards: RewardRecords, runId: string, posted: Posted, address: string): { amount: bigint; proof: string[] } {
  const epoch = rewards.epoch(runId, posted.epoch);
  if (!epoch) throw new ClaimError(`the chain's latest root is of epoch ${posted.epoch}, which this ledger has not closed: it cannot prove the claim yet`);
  if (epoch.root !== posted.root) throw new ClaimError(`epoch ${posted.epoch}'s root on chain (${posted.root}) is not this ledger's (${epoch.root}): run 'airtist rewards verify'`);
  const totals = rewards.totals(runId, epoch.endRound);
  if (!totals) throw new ClaimError(`this ledger lacks the totals of epoch ${posted.epoch} (it joined later): it cannot prove the claim`);
  const found = rewardProof(totals, address);
  return found ? { amount: found.amount, proof: found.proof } : { amount: 0n, proof: [] };
}

export async function balancesOf(endpoint: ChainEndpoint, provider: Provider, rewards: RewardRecords, runId: string, address: string): Promise<Balances> {
  const wanted = address.toLowerCase();
  const mining = airtMiningAt(endpoint.mining, provider);
  const [airt, gas, claimed, posted] = await Promise.all([airtTokenAt(endpoint.token, provider).balanceOf(address), provider.getBalance(address), mining.claimed(address), latestPosted(endpoint, provider)]);
  const credited = rewards.totals(runId, Number.MAX_SAFE_INTEGER)?.get(wanted) ?? 0n;
  const postedAmount = posted ? provePosted(rewards, runId, posted, wanted).amount : 0n;
  return {
    address,
    airt,
    gas,
    credited,
    posted: postedAmount,
    claimed,
    claimable: postedAmount > claimed ? postedAmount - claimed : 0n,
    pending: credited > postedAmount ? credited - postedAmount : 0n,
    latestEpoch: posted?.epoch ?? null,
  };
}

const ERRORS = new Interface(AirtMiningAbi.filter((item) => item.type === 'error') as never);

/** The contract's error a failed call or transaction carries, by name, wherever ethers put its data. */
export function revertName(error: unknown): string | null {
  const seen = new Set<unknown>();
  const search = (value: unknown): string | null => {
    if (!value || typeof value !== 'object' || seen.has(value)) return null;
    seen.add(value);
    const data = (value as { data?: unknown }).data;
    if (typeof data === 'string' && /^0x[0-9a-f]{8}/i.test(data)) {
      try {
        const parsed = ERRORS.parseError(data);
        if (parsed) return parsed.name;
      } catch {
        // not one of ours: look further in
      }
    }
    for (const inner of Object.values(value)) {
      const found = search(inner);
      if (found) return found;
    }
    return null;
  };
  return search(error);
}

/**
 * Claims what the latest root owes `signer`'s address; the amount paid and the transaction. A root posted
 * between the proof and the transaction's block makes the proof stale (InvalidProof): the claim is proven
 * again against the new root, a few times at most.
 */
export async function claim(endpoint: ChainEndpoint, signer: Signer, rewards: RewardRecords, runId: string, journal?: TransactionRecords): Promise<{ amount: bigint; hash: string; gasUsed: bigint; epoch: number }> {
  const provider = signer.provider!;
  const address = await signer.getAddress();
  const mining = airtMiningAt(endpoint.mining, signer);
  for (let attempt = 1; ; attempt++) {
    const posted = await latestPosted(endpoint, provider);
    if (!posted) throw new ClaimError('no epoch root is on chain yet: rewards become claimable once an epoch closes and its root is posted');
    const { amount, proof } = provePosted(rewards, runId, posted, address.toLowerCase());
    const already = await mining.claimed(address);
    if (amount <= already) throw new ClaimError(`nothing to claim: epoch ${posted.epoch}'s root owes ${address} ${formatEther(amount)} AIRT in all, and ${formatEther(already)} is claimed`);
    try {
      const gas = await mining.claim.estimateGas(address, amount, proof);
      await ensureCoin(provider, address, gas, 0n, 'the claim needs about {cost} for gas: send it some first');
      const sent = await mining.claim(address, amount, proof, { gasLimit: gas + gas / 5n });
      const receipt = await followed(sent, journal, { chainId: endpoint.chainId, kind: 'claim', coin: 'airt', from: address, to: address, amountWei: (amount - already).toString() });
      return { amount: amount - already, hash: sent.hash, gasUsed: receipt.gasUsed, epoch: posted.epoch };
    } catch (error) {
      if (error instanceof ClaimError) throw error;
      const name = revertName(error);
      if (name === 'InvalidProof' && attempt < 3 && (await latestPosted(endpoint, provider))?.root !== posted.root) continue;
      throw new ClaimError(`the chain refuses this claim${name ? ` (${name})` : ''}: ${(error as { shortMessage?: string }).shortMessage ?? (error as Error).message}`);
    }
  }
}

/** Parses an address a user typed: a mixed-case one must carry a valid EIP-55 checksum (a typo is caught). */
export function recipientOf(text: string): string {
  try {
    return getAddress(text.trim());
  } catch {
    throw new ClaimError(`"${text}" is not an address${/[A-F]/.test(text) && /[a-f]/.test(text) ? ' (its checksum is wrong: check every character)' : ''}`);
  }
}

/** Sends `amount` wei of AIRT, or of the chain's own coin (`coin`), after an estimate of the gas it needs. */
export async function send(endpoint: ChainEndpoint, signer: Signer, to: string, amount: bigint, coin: 'airt' | 'gas', journal?: TransactionRecords): Promise<{ hash: string; gasUsed: bigint }> {
  if (amount <= 0n) throw new ClaimError('the amount must be more than 0');
  const provider = signer.provider!;
  const from = await signer.getAddress();
  const token = airtTokenAt(endpoint.token, signer);
  if (coin === 'airt') {
    const held = await token.balanceOf(from);
    if (held < amount) throw new ClaimError(`${from} holds ${formatEther(held)} AIRT, less than the ${formatEther(amount)} to send`);
  }
  const tx = coin === 'airt' ? await token.transfer.populateTransaction(to, amount) : { to, value: amount };
  const gas = await provider.estimateGas({ ...tx, from });
  await ensureCoin(provider, from, gas, coin === 'gas' ? amount : 0n, 'this needs about {cost} with its gas');
  const sent = await signer.sendTransaction({ ...tx, gasLimit: gas + gas / 5n });
  const receipt = await followed(sent, journal, { chainId: endpoint.chainId, kind: 'send', coin, from, to, amountWei: amount.toString() });
  return { hash: sent.hash, gasUsed: receipt.gasUsed };
}

/** Throws a ClaimError unless `from` holds `gas` at today's price plus `value` of the chain's coin. */
async function ensureCoin(provider: Provider, from: string, gas: bigint, value: bigint, need: string): Promise<void> {
  const fees = await provider.getFeeData();
  const cost = gas * (fees.maxFeePerGas ?? fees.gasPrice ?? 0n) + value;
  const balance = await provider.getBalance(from);
  if (balance < cost) throw new ClaimError(`${from} has ${formatEther(balance)} of the chain's coin, and ${need.replace('{cost}', formatEther(cost))}`);
}

/**
 * Waits for a sent transaction, recorded in `journal` as pending before the wait and settled after it, so a
 * process that dies in between leaves it there for `followPending`.
 */
async function followed(
  sent: { hash: string; wait(): Promise<{ status: number | null; blockNumber: number; gasUsed: bigint } | null> },
  journal: TransactionRecords | undefined,
  what: Omit<Sent, 'hash' | 'sentAt'>,
): Promise<{ gasUsed: bigint }> {
  journal?.sent({ ...what, hash: sent.hash, sentAt: Date.now() });
  let receipt: Awaited<ReturnType<typeof sent.wait>>;
  try {
    receipt = await sent.wait();
  } catch (error) {
    const failed = (error as { receipt?: { blockNumber: number; gasUsed: bigint } }).receipt;
    if (failed) journal?.settle(sent.hash, { status: 'failed', block: failed.blockNumber, gasUsed: failed.gasUsed }, Date.now());
    throw new ClaimError(`the transaction ${sent.hash} failed on chain`);
  }
  if (!receipt) throw new ClaimError(`the transaction ${sent.hash} has no receipt yet: 'airtist wallet history' follows it`);
  journal?.settle(sent.hash, { status: receipt.status === 1 ? 'confirmed' : 'failed', block: receipt.blockNumber, gasUsed: receipt.gasUsed }, Date.now());
  if (receipt.status !== 1) throw new ClaimError(`the transaction ${sent.hash} failed on chain`);
  return receipt;
}

/** What the chain's receipts say of transactions: for TransactionRecords.follow. */
export function receiptsOf(provider: Provider): ReceiptOf {
  return async (hash) => {
    const receipt = await provider.getTransactionReceipt(hash);
    return receipt ? { status: receipt.status === 1 ? 'confirmed' : 'failed', block: receipt.blockNumber, gasUsed: receipt.gasUsed } : null;
  };
}
