/**
 * Validators agreeing on an epoch's root over gossip, for a chain whose mining contract wants a threshold of
 * them (a swarm's shared devnet, a testnet): each validator signs its own ledger's root of a closed epoch
 * (EIP-712, signatures.ts) and publishes the signature; every node collects what it hears; a validator that
 * holds a threshold of signatures for the root its own ledger has posts them. Validators post in the order
 * of their addresses, each waiting its turn, so normally one transaction lands and the rest see it posted.
 *
 * A signature message is a strict binary record of 162 bytes; its signer is recovered, never claimed, and
 * must be in the contract's validator set. A forged, foreign or garbled message is rejected (the sender is
 * scored down); a stale or repeated one is ignored.
 */
import { Wallet, getAddress, type Provider, type TypedDataDomain } from 'ethers';
import { ByteReader, ByteWriter, CodecError } from '../p2p/codec.js';
import type { Check } from '../p2p/gossip.js';
import type { Peer } from '../p2p/peer.js';
import type { EpochRecord } from '../ledger/rewards.js';
import { airtMiningAt } from './generated/AirtMining.js';
import { epochRootSigner, miningDomain, ordered, signEpochRoot, type EpochRoot, type Signature } from './signatures.js';

const VERSION = 1;
export const ROOT_SIGNATURE_BYTES = 1 + 8 + 20 + 4 + 32 + 32 + 65;
/** How long a validator waits per place before it in the validator list before it posts itself. */
export const POST_STAGGER_MS = 3000;
/** A validator repeats its signature of an epoch not yet posted this often (peers that joined since hear it). */
export const REPUBLISH_MS = 5000;

export const rootSignaturesTopic = (chainId: number, mining: string) => `/airtist/chain-${chainId}-${mining.toLowerCase()}/epoch-roots/1`;

export interface RootSignature {
  chainId: number;
  mining: string;
  epoch: number;
  root: string;
  epochTotal: bigint;
  signature: string;
}

export function encodeRootSignature(message: RootSignature): Uint8Array {
  const chainId = Buffer.alloc(8);
  chainId.writeBigUInt64LE(BigInt(message.chainId));
  const total = message.epochTotal.toString(16).padStart(64, '0');
  if (total.length > 64) throw new RangeError('epochTotal does not fit 256 bits');
  return new ByteWriter()
    .u8(VERSION)
    .fixed(chainId)
    .hex(message.mining.slice(2).toLowerCase(), 20, 'mining')
    .u32(message.epoch)
    .hex(message.root.slice(2).toLowerCase(), 32, 'root')
    .hex(total, 32, 'epochTotal')
    .hex(message.signature.slice(2).toLowerCase(), 65, 'signature')
    .finish();
}

export function decodeRootSignature(bytes: Uint8Array): RootSignature {
  const reader = new ByteReader(bytes);
  const version = reader.u8('version');
  if (version !== VERSION) throw new CodecError(`root signature version ${version} is not ${VERSION}`);
  const chainId = Buffer.from(reader.fixed('chain id', 8)).readBigUInt64LE();
  if (chainId === 0n || chainId > BigInt(Number.MAX_SAFE_INTEGER)) throw new CodecError('chain id out of range');
  const message: RootSignature = {
    chainId: Number(chainId),
    mining: getAddress(`0x${reader.hex('mining', 20)}`),
    epoch: reader.u32('epoch'),
    root: `0x${reader.hex('root', 32)}`,
    epochTotal: BigInt(`0x${reader.hex('epochTotal', 32)}`),
    signature: `0x${reader.hex('signature', 65)}`,
  };
  reader.end();
  return message;
}

/**
 * The signatures heard, per epoch and per (root, total): the checks a gossip message passes, and what is
 * ready to post. Pure: the validator set, the threshold and the latest posted epoch are given.
 */
export class RootCollector {
  private readonly byEpoch = new Map<number, Map<string, Map<string, string>>>();
  private posted = -1;

  constructor(
    private readonly domain: TypedDataDomain,
    private validators: Set<string>,
    private threshold: number,
  ) {}

  setValidators(validators: readonly string[], threshold: number): void {
    this.validators = new Set(validators.map((v) => getAddress(v)));
    this.threshold = threshold;
  }

  /** The latest epoch on chain (-1 before the first). */
  get postedEpoch(): number {
    return this.posted;
  }

  /** Epochs up to this one are on chain: their signatures are dropped, and late ones ignored. */
  setPosted(epoch: number): void {
    this.posted = Math.max(this.posted, epoch);
    for (const known of this.byEpoch.keys()) if (known <= this.posted) this.byEpoch.delete(known);
  }

  /** Checks one decoded message and keeps it if it is accepted. */
  add(message: RootSignature): Check & { signer?: string } {
    if (message.chainId !== Number(this.domain.chainId) || getAddress(message.mining) !== this.domain.verifyingContract) return { outcome: 'reject', reason: 'other-chain' };
    let signer: string;
    try {
      signer = getAddress(epochRootSigner(this.domain, valueOf(message), message.signature));
    } catch {
      return { outcome: 'reject', reason: 'bad-signature' };
    }
    if (!this.validators.has(signer)) return { outcome: 'reject', reason: 'not-validator' };
    if (message.epoch <= this.posted) return { outcome: 'ignore', reason: 'stale' };
    const roots = this.byEpoch.get(message.epoch) ?? new Map<string, Map<string, string>>();
    this.byEpoch.set(message.epoch, roots);
    const key = keyOf(message);
    const signers = roots.get(key) ?? new Map<string, string>();
    roots.set(key, signers);
    if (signers.has(signer)) return { outcome: 'ignore', reason: 'duplicate', signer };
    signers.set(signer, message.signature);
    return { outcome: 'accept', signer };
  }

  /** The signatures of exactly this root and total, in the contract's order, once there are enough; else null. */
  ready(epoch: number, root: string, epochTotal: bigint): string[] | null {
    const signers = this.byEpoch.get(epoch)?.get(keyOf({ root, epochTotal }));
    if (!signers) return null;
    const valid: Signature[] = [...signers].filter(([signer]) => this.validators.has(signer)).map(([signer, signature]) => ({ signer, signature }));
    return valid.length >= this.threshold ? ordered(valid) : null;
  }
}

const valueOf = (message: Pick<RootSignature, 'epoch' | 'root' | 'epochTotal'>): EpochRoot => ({ epoch: message.epoch, root: message.root, epochTotal: message.epochTotal });
const keyOf = (message: Pick<RootSignature, 'root' | 'epochTotal'>) => `${message.root.toLowerCase()}/${message.epochTotal}`;

export interface RootSigner {
  /** This node closed an epoch: sign its root, publish it, and post once a threshold agrees. */
  epochClosed(record: EpochRecord): void;
  stop(): void;
}

export interface RootSignerOptions {
  chainId: number;
  mining: string;
  provider: Provider;
  peer: Peer;
  /** This node's validator key; absent, it only relays and checks what it hears. */
  key?: string;
  log: (line: string) => void;
}

/** Joins the chain's root-signature topic; with a validator key, signs, publishes and posts. */
export async function startRootSigner({ chainId, mining, provider, peer, key, log }: RootSignerOptions): Promise<RootSigner> {
  const domain = miningDomain(chainId, mining);
  const contract = airtMiningAt(mining, provider);
  const validator = key ? new Wallet(key, provider) : null;
  const collector = new RootCollector(domain, new Set(), 1);
  const refresh = async () => {
    const [list, threshold, posted] = await Promise.all([contract.validators(), contract.threshold(), contract.posted()]);
    collector.setValidators(list, Number(threshold));
    if (posted) collector.setPosted(Number(await contract.latestEpoch()));
    return list.map((v) => getAddress(v));
  };
  let validators = await refresh();
  const topic = rootSignaturesTopic(chainId, mining);
  const mine = validator && validators.includes(validator.address) ? validator : null;
  if (validator && !mine) log(`chain: ${validator.address} is not a validator of chain ${chainId}: this node signs no roots`);
  /** Our own closed epoch waiting to be posted, with its signature message. */
  let pending: { record: EpochRecord; bytes: Uint8Array } | null = null;
  let postTimer: NodeJS.Timeout | null = null;
  let stopped = false;

  const schedulePost = () => {
    if (!mine || !pending || postTimer || stopped) return;
    const { record } = pending;
    if (!collector.ready(record.epoch, record.root, BigInt(record.totalWei))) return;
    const rank = validators.indexOf(mine.address);
    postTimer = setTimeout(() => void post(record).finally(() => (postTimer = null)), rank * POST_STAGGER_MS);
  };

  async function post(record: EpochRecord): Promise<void> {
    try {
      await refresh();
      const signatures = collector.ready(record.epoch, record.root, BigInt(record.totalWei));
      if (!signatures) return; // posted meanwhile (the collector dropped the epoch), or the set changed
      const started = performance.now();
      const receipt = await (await contract.connect(mine!).postEpochRoot(record.epoch, record.root, BigInt(record.totalWei), signatures)).wait();
      log(`chain: epoch ${record.epoch}'s root posted with ${signatures.length} validators' signatures (${receipt?.gasUsed} gas, ${Math.round(performance.now() - started)} ms)`);
      collector.setPosted(record.epoch);
    } catch (error) {
      // Another validator's post landed first (StaleEpoch), or the chain did not answer: the next close retries.
      log(`chain: posting epoch ${record.epoch}'s root: ${(error as { shortMessage?: string }).shortMessage ?? (error as Error).message}`);
      await refresh().catch(() => undefined);
    }
  }

  peer.subscribe<RootSignature>({
    topic,
    maxBytes: ROOT_SIGNATURE_BYTES,
    decode: decodeRootSignature,
    check: (message) => collector.add(message),
    deliver: () => schedulePost(),
  });

  const publish = () => {
    if (pending) void peer.publish(topic, pending.bytes).catch(() => undefined);
  };
  // Until its epoch is on chain, our signature is repeated: a validator that started or reconnected since
  // hears it, and what the chain says (posted, the validator set) is read again.
  const republish = setInterval(() => {
    if (!pending) return;
    void refresh()
      .then((list) => (validators = list))
      .catch(() => undefined)
      .then(() => {
        if (pending && pending.record.epoch <= collector.postedEpoch) pending = null;
        publish();
        schedulePost();
      });
  }, REPUBLISH_MS);
  republish.unref();

  return {
    epochClosed(record) {
      if (!mine) return;
      void (async () => {
        const value = { epoch: record.epoch, root: record.root, epochTotal: BigInt(record.totalWei) };
        const { signature } = await signEpochRoot(mine, domain, value);
        const message: RootSignature = { chainId, mining: domain.verifyingContract as string, ...value, signature };
        collector.add(message); // our own counts toward the threshold
        pending = { record, bytes: encodeRootSignature(message) };
        publish();
        schedulePost();
      })().catch((error: Error) => log(`chain: signing epoch ${record.epoch}'s root: ${error.message}`));
    },
    stop() {
      stopped = true;
      clearInterval(republish);
      if (postTimer) clearTimeout(postTimer);
    },
  };
}
