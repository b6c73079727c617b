/**
 * Keeps an in-process chain across restarts. EDR cannot dump its state, so every call that changes it (a sent
 * transaction, a mined block, a set balance) is appended to a journal, fsynced, with the time of the block it
 * mined; a restart replays the journal into a fresh chain of the same genesis, block time by block time, and
 * arrives at the same blocks, balances and events. Calls run one at a time, so the block a call mined is its own.
 * A transaction that reverted was mined too (its nonce is spent): it is journaled and replayed like the rest.
 */
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { Eip1193Provider } from 'ethers';

const WRITES = new Set(['eth_sendRawTransaction', 'eth_sendTransaction', 'evm_mine', 'hardhat_mine', 'hardhat_setBalance', 'hardhat_setCode', 'hardhat_setNonce', 'hardhat_setStorageAt']);

interface Entry {
  method: string;
  params: unknown[];
  /** The mined block's timestamp (hex), or null when the call mined none. */
  time: string | null;
}

export interface JournaledProvider extends Eip1193Provider {
  /** The chain beneath the journal: what a replay sends to, so it does not journal what it replays. */
  upstream: Eip1193Provider;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
}

type Upstream = Eip1193Provider & Partial<Pick<JournaledProvider, 'on' | 'removeListener'>>;

const call = (provider: Eip1193Provider, method: string, params: unknown[] = []) => provider.request({ method, params });

/** Replays `path` into `provider` (a fresh chain of the journal's genesis); returns the entries replayed. */
export async function replayJournal(provider: Eip1193Provider, path: string): Promise<number> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  const lines = text.split('\n');
  // A process killed mid-append leaves a torn last line: that call never returned, so nobody relied on it.
  if (lines.at(-1) !== '') lines.pop();
  let replayed = 0;
  for (const line of lines.filter(Boolean)) {
    const entry = JSON.parse(line) as Entry;
    if (entry.time) await call(provider, 'evm_setNextBlockTimestamp', [entry.time]);
    await call(provider, entry.method, entry.params).catch(() => undefined); // it failed the first time too
    replayed++;
  }
  return replayed;
}

/** `upstream` with every state-changing call journaled to `path` before its answer is given. */
export function journaled(upstream: Upstream, path: string): JournaledProvider {
  let queue: Promise<unknown> = Promise.resolve();
  const append = (entry: Entry) => {
    const fd = openSync(path, 'a', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(entry)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  };
  const write = async (method: string, params: unknown[]) => {
    const before = (await call(upstream, 'eth_blockNumber')) as string;
    let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, value: await upstream.request({ method, params }) };
    } catch (error) {
      outcome = { ok: false, error };
    }
    const latest = (await call(upstream, 'eth_getBlockByNumber', ['latest', false])) as { number: string; timestamp: string };
    const mined = latest.number !== before;
    if (outcome.ok || mined) append({ method, params, time: mined ? latest.timestamp : null });
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  };
  return {
    upstream,
    request({ method, params = [] }: { method: string; params?: unknown[] | Record<string, unknown> }) {
      const list = Array.isArray(params) ? params : [params];
      if (!WRITES.has(method)) return upstream.request({ method, params: list });
      const next = queue.then(() => write(method, list));
      queue = next.catch(() => undefined);
      return next;
    },
    on: (event, listener) => upstream.on?.(event, listener),
    removeListener: (event, listener) => upstream.removeListener?.(event, listener),
  };
}
