/**
 * A configured chain (a testnet or mainnet) as the node's `--chain FILE` names it: the RPC URL, the chain id
 * and the two contracts' addresses, one strict JSON object. Anything else in the file, or a field of the
 * wrong shape, is refused with the field's name before the node starts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { getAddress, isHexString } from 'ethers';
import { readFileOrNull } from '../durable-file.js';
import type { ChainEndpoint } from './service.js';

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'a 0x address (40 hex digits)');

const schema = z
  .object({
    rpcUrl: z.string().max(2048).regex(/^https?:\/\/[^\s]+$/, 'an http(s) URL'),
    chainId: z.number().int().positive().max(2 ** 53 - 1),
    mining: address,
    token: address,
  })
  .strict();

export class ChainFileError extends Error {
  override name = 'ChainFileError';
}

/** Parses a chain config's text; the addresses come back checksummed. */
export function parseChainConfig(text: string, where = 'the chain config'): ChainEndpoint {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ChainFileError(`${where} is not JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ChainFileError(`${where}: ${issue?.path.map(String).join('.') || 'the object'}: ${issue?.message ?? 'invalid'}`);
  }
  try {
    return { ...parsed.data, mining: getAddress(parsed.data.mining), token: getAddress(parsed.data.token) };
  } catch {
    throw new ChainFileError(`${where}: an address's mixed case is not its checksum (a typo?)`);
  }
}

/** Reads and parses a chain config file (the first 64 KiB: a config is a few hundred bytes); ChainFileError says why not. */
export function readChainConfig(path: string): ChainEndpoint {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').slice(0, 64 * 1024);
  } catch (error) {
    throw new ChainFileError(`cannot read the chain config "${path}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseChainConfig(text, path);
}

/** Where a validator's signing key lives in its data dir (0600, one line of 0x and 64 hex digits). */
export const validatorKeyPath = (dataDir: string) => join(dataDir, 'validator.key');

/** This node's validator key, if its data dir holds one; a damaged file is refused in words. */
export async function readValidatorKey(dataDir: string): Promise<string | null> {
  const path = validatorKeyPath(dataDir);
  const bytes = await readFileOrNull(path, 1024);
  if (bytes === null) return null;
  const key = bytes.toString('utf8').trim();
  if (!isHexString(key, 32)) throw new ChainFileError(`${path} is not a validator key (0x and 64 hex digits)`);
  return key;
}
