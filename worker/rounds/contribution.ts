/**
 * A contribution's header: who trained what, from which base, and the hash of the payload that carries the
 * update. It travels over gossip, signed with the contributor's libp2p key; the payload travels over a stream.
 * The signature covers every field — the reward address included, so nobody can redirect another peer's
 * work — and the signer's public key is inside, so the peer id is derived, never claimed.
 *
 * Binary layout (codec.ts), after the u8 format: run id 16 B · round u32 · base hash 32 B · public key (libp2p
 * protobuf) · reward address flag + 20 B · samples u32 · steps u32 · losses (u8 count, then name + f64) ·
 * payload hash 32 B · payload bytes u32 · then the Ed25519 signature (64 B) over a domain tag and all of that.
 */
import type { PrivateKey } from '@libp2p/interface';
import { LOSS_NAME, MAX_LOSSES } from '../api/contract.js';
import { ByteWriter, CodecError } from '../p2p/codec.js';
import { open, publicKeyBytes, readPublicKey, sign } from '../p2p/signed.js';

const FORMAT = 1;
const DOMAIN = 'airtist/contribution/1';

export interface ContributionHeader {
  runId: string;
  round: number;
  /** The hash of the committed weights the peer trained from. */
  baseHash: string;
  /** The EVM address rewards go to; null until the wallet sets one. */
  rewardAddress: string | null;
  samples: number;
  steps: number;
  losses: Record<string, number>;
  payloadHash: string;
  payloadBytes: number;
}

export interface SignedContribution {
  header: ContributionHeader;
  /** Derived from the key that signed it. */
  peerId: string;
}

function body(header: ContributionHeader, publicKey: Uint8Array): Uint8Array {
  const writer = new ByteWriter()
    .u8(FORMAT)
    .hex(header.runId, 16, 'runId')
    .u32(header.round)
    .hex(header.baseHash, 32, 'baseHash')
    .bytesField(publicKey);
  if (header.rewardAddress === null) writer.u8(0);
  else writer.u8(1).hex(header.rewardAddress.replace(/^0x/, '').toLowerCase(), 20, 'rewardAddress');
  writer.u32(header.samples).u32(header.steps);
  const losses = Object.entries(header.losses);
  if (losses.length > MAX_LOSSES) throw new RangeError(`at most ${MAX_LOSSES} losses`);
  writer.u8(losses.length);
  for (const [name, value] of losses) {
    if (!LOSS_NAME.test(name) || !Number.isFinite(value)) throw new RangeError(`bad loss ${name}: ${value}`);
    writer.string(name).f64(value);
  }
  return writer.hex(header.payloadHash, 32, 'payloadHash').u32(header.payloadBytes).finish();
}

/** The header's wire bytes, signed with this peer's key. */
export async function signContribution(header: ContributionHeader, key: PrivateKey): Promise<Uint8Array> {
  return sign(DOMAIN, body(header, publicKeyBytes(key)), key);
}

/** Decodes strictly and verifies the signature; a `CodecError` says why not (malformed or a bad signature). */
export async function openContribution(bytes: Uint8Array): Promise<SignedContribution> {
  const { value: header, peerId } = await open(DOMAIN, bytes, (reader) => {
    if (reader.u8('format') !== FORMAT) throw new CodecError('unknown contribution format');
    const runId = reader.hex('runId', 16);
    const round = reader.u32('round');
    const baseHash = reader.hex('baseHash', 32);
    const publicKey = readPublicKey(reader);
    const flag = reader.u8('reward address flag');
    if (flag > 1) throw new CodecError('bad reward address flag');
    const rewardAddress = flag === 1 ? `0x${reader.hex('rewardAddress', 20)}` : null;
    const samples = reader.u32('samples');
    const steps = reader.u32('steps');
    const count = reader.u8('losses');
    if (count > MAX_LOSSES) throw new CodecError(`${count} losses is over the limit of ${MAX_LOSSES}`);
    const losses: Record<string, number> = {};
    for (let i = 0; i < count; i++) {
      const name = reader.string('loss name', 32);
      const value = reader.f64('loss');
      if (!LOSS_NAME.test(name) || !Number.isFinite(value) || name in losses) throw new CodecError(`bad loss ${JSON.stringify(name)}`);
      losses[name] = value;
    }
    const payloadHash = reader.hex('payloadHash', 32);
    const payloadBytes = reader.u32('payloadBytes');
    return { value: { runId, round, baseHash, rewardAddress, samples, steps, losses, payloadHash, payloadBytes }, publicKey };
  });
  return { header, peerId };
}
