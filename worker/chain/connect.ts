/**
 * A configured chain (testnet or mainnet): its RPC must answer, and with the chain id the config names. A
 * mismatch is refused with both ids in words, before anything is signed: a transaction signed for one chain
 * id cannot be replayed on another, but a claim sent to the wrong network would still fail in ways no user
 * could read.
 */
import { JsonRpcProvider, Network } from 'ethers';

export class ChainConfigError extends Error {
  override name = 'ChainConfigError';
}

/** Asks `rpcUrl` its chain id (within `timeoutMs`) and returns a provider fixed to it, if it is `chainId`. */
export async function connectRpc(rpcUrl: string, chainId: number, timeoutMs = 10_000): Promise<JsonRpcProvider> {
  let url: URL;
  try {
    url = new URL(rpcUrl);
  } catch {
    throw new ChainConfigError(`the RPC URL "${rpcUrl}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ChainConfigError(`the RPC URL must be http(s), not ${url.protocol}`);
  let answer: { result?: unknown; error?: { message?: string } };
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    answer = (await response.json()) as typeof answer;
  } catch (error) {
    throw new ChainConfigError(`the RPC at ${url.origin} does not answer: ${(error as Error).message}`);
  }
  if (typeof answer.result !== 'string' || !/^0x[0-9a-f]+$/i.test(answer.result)) throw new ChainConfigError(`the RPC at ${url.origin} gave no chain id${answer.error?.message ? `: ${answer.error.message}` : ''}`);
  const served = Number(BigInt(answer.result));
  if (served !== chainId) throw new ChainConfigError(`the RPC at ${url.origin} serves chain id ${served}, but the config says ${chainId}: check the RPC URL and the chain id`);
  return new JsonRpcProvider(url.toString(), Network.from(chainId), { staticNetwork: true, cacheTimeout: -1 });
}
