/**
 * Signed messages: a body, the signer's public key inside it, and an Ed25519 signature over a domain tag and
 * the body. The tag keeps a signature made for one message type from being replayed as another; the key
 * inside means the signer's peer id is derived, never claimed. Used by every message that speaks for a peer.
 */
import { publicKeyFromProtobuf, publicKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { peerIdFromPublicKey } from '@libp2p/peer-id';
import { ByteReader, CodecError } from './codec.js';

/** A well-formed message whose signature does not verify: counted apart from garbage, as forgery or tampering. */
export class SignatureError extends CodecError {
  override name = 'SignatureError';
}

const SIGNATURE_BYTES = 64;
const MAX_KEY_BYTES = 64;

/** The signer's public key, as it goes first in a signed body. */
export const publicKeyBytes = (key: PrivateKey) => publicKeyToProtobuf(key.publicKey);

const tagged = (domain: string, body: Uint8Array) => Buffer.concat([new TextEncoder().encode(`${domain}\u0000`), body]);

/** `body` (which must hold `publicKeyBytes(key)` where `open` expects it) followed by its signature. */
export async function sign(domain: string, body: Uint8Array, key: PrivateKey): Promise<Uint8Array> {
  return Buffer.concat([body, await key.sign(tagged(domain, body))]);
}

/**
 * Verifies a signed message whose body is read by `read`, which gets the body's reader and must return the
 * public key bytes it found (read with `readPublicKey`). A `CodecError` says why not: malformed, an unusable
 * key, or a bad signature.
 */
export async function open<T>(domain: string, bytes: Uint8Array, read: (reader: ByteReader) => { value: T; publicKey: Uint8Array }): Promise<{ value: T; peerId: string }> {
  if (bytes.length <= SIGNATURE_BYTES) throw new CodecError('too short for a signed message');
  const body = bytes.subarray(0, bytes.length - SIGNATURE_BYTES);
  const signature = bytes.subarray(bytes.length - SIGNATURE_BYTES);
  const reader = new ByteReader(body);
  const { value, publicKey: keyBytes } = read(reader);
  reader.end();
  let publicKey;
  try {
    publicKey = publicKeyFromProtobuf(keyBytes);
  } catch {
    throw new CodecError('the public key does not decode');
  }
  if (publicKey.type !== 'Ed25519') throw new CodecError('messages are signed with Ed25519 keys');
  if (!(await publicKey.verify(tagged(domain, body), signature))) throw new SignatureError('bad signature');
  return { value, peerId: peerIdFromPublicKey(publicKey).toString() };
}

export const readPublicKey = (reader: ByteReader) => reader.bytesField('public key', MAX_KEY_BYTES);
