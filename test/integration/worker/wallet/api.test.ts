/**
 * The wallet through the control API of a real node on its devnet, as the dashboard drives it: create (the
 * mnemonic comes only from a password-checked export), lock and unlock, wait for an epoch's root, claim
 * (answered once sent, then followed by `transaction` events to confirmed), balances reconciled to the wei,
 * a send refused for a checksum typo. Every reply, every event and every log line is scanned for the key
 * and the mnemonic: only the export's reply may carry the mnemonic.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HDNodeWallet } from 'ethers';
import { afterAll, describe, expect, it } from 'vitest';
import type { ServerMessage, WalletBalances, WalletInfo, WalletTransaction } from '../../../../worker/api/contract.js';
import { until } from '../../../helpers/peers.js';

const dist = (path: string) => new URL(`../../../../dist/worker/${path}`, import.meta.url).href;
await import(dist('p2p/polyfill.js'));
const { startNode } = (await import(dist('node.js'))) as typeof import('../../../../worker/node.js');

const PASSWORD = 'a long enough password';

describe('the wallet over the control API', { timeout: 240_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'airtist-wallet-api-'));
  const logs: string[] = [];
  const messages: ServerMessage[] = [];
  let stop: (() => Promise<void>) | null = null;
  afterAll(async () => {
    await stop?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates, exports only with the password, claims to the wei and never leaks a secret', async () => {
    const node = await startNode({
      dataDir: join(dir, 'node'),
      backend: 'wasm',
      model: 'mlp-gan',
      batchSize: 8,
      network: { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, roundSeconds: 3, innerSteps: 2, epochRounds: 2, chain: 'devnet' },
      wallet: { scryptN: 1 << 10 },
      log: (line) => logs.push(line),
    });
    stop = () => node.stop();
    let nextId = 1;
    const replies = new Map<number, (message: ServerMessage) => void>();
    const connection = node.hub.connect((message) => {
      messages.push(structuredClone(message));
      if (message.kind !== 'event') replies.get(message.id)?.(message);
    });
    /** One call; resolves with the reply message (result or error). */
    const call = (method: string, params: object = {}) =>
      new Promise<ServerMessage>((resolve) => {
        const id = nextId++;
        replies.set(id, resolve);
        connection.receive({ kind: 'call', id, method, params });
      });
    const result = async <T>(method: string, params: object = {}): Promise<T> => {
      const reply = await call(method, params);
      if (reply.kind !== 'result') throw new Error(`${method}: ${JSON.stringify(reply)}`);
      return reply.result as T;
    };
    const refusal = async (method: string, params: object = {}) => {
      const reply = await call(method, params);
      expect(reply.kind, `${method} should be refused`).toBe('error');
      return reply.kind === 'error' ? reply.error : null;
    };

    // No wallet yet: status says so, and what needs one is refused in words.
    const none = await result<WalletInfo>('walletStatus');
    expect(none).toMatchObject({ address: null, locked: true, problem: null });
    expect(await refusal('walletBalances')).toMatchObject({ code: 'REFUSED' });
    expect(await refusal('walletCreate', { password: 'short' })).toEqual({ code: 'REFUSED', message: expect.stringMatching(/at least 8 characters/) });

    const created = await result<WalletInfo>('walletCreate', { password: PASSWORD });
    expect(created).toMatchObject({ locked: false, hasMnemonic: true, rewardAddress: created.address!.toLowerCase() });
    expect(await refusal('walletCreate', { password: PASSWORD })).toMatchObject({ code: 'REFUSED', message: expect.stringMatching(/already exists/) });
    expect(await refusal('walletExport', { password: 'not the password' })).toMatchObject({ code: 'REFUSED', message: expect.stringMatching(/wrong password/) });
    const exportCall = nextId;
    const { mnemonic } = await result<{ mnemonic: string }>('walletExport', { password: PASSWORD });
    expect(HDNodeWallet.fromPhrase(mnemonic).address).toBe(created.address);

    // Locked, the wallet signs nothing; unlocked again with its password.
    expect(await result<WalletInfo>('walletLock')).toMatchObject({ locked: true, locksAt: null });
    expect(await refusal('walletClaim')).toMatchObject({ code: 'REFUSED', message: expect.stringMatching(/locked/) });
    expect(await refusal('walletUnlock', { password: 'not the password' })).toMatchObject({ code: 'REFUSED' });
    expect(await result<WalletInfo>('walletUnlock', { password: PASSWORD })).toMatchObject({ locked: false, locksAt: expect.any(Number) });

    // The devnet comes up (a `wallet` event says so) and an epoch's root is posted: there is something to claim.
    await until(() => messages.some((m) => m.kind === 'event' && m.event === 'wallet' && (m.data as WalletInfo).chain.state === 'ready'), 'the devnet', 60_000);
    let before: WalletBalances | null = null;
    await until(
      async () => {
        const reply = await call('walletBalances');
        before = reply.kind === 'result' ? (reply.result as WalletBalances) : null;
        return before !== null && BigInt(before.claimableWei) > 0n;
      },
      'a claimable root',
      150_000,
    );
    expect(BigInt(before!.gasWei)).toBeGreaterThan(0n);

    const claimed = await result<WalletTransaction>('walletClaim');
    expect(claimed).toMatchObject({ kind: 'claim', coin: 'airt', from: created.address, amountWei: before!.claimableWei });
    await until(() => messages.some((m) => m.kind === 'event' && m.event === 'transaction' && (m.data as WalletTransaction).hash === claimed.hash && (m.data as WalletTransaction).status === 'confirmed'), 'the claim confirmed', 30_000);

    // Held AIRT is what was claimable, to the wei; the ledger's history has the claim, confirmed, with its gas.
    const after = await result<WalletBalances>('walletBalances');
    expect(BigInt(after.airtWei)).toBe(BigInt(before!.claimableWei));
    expect(BigInt(after.claimedWei)).toBe(BigInt(after.postedWei) - BigInt(after.claimableWei));
    const { transactions } = await result<{ transactions: WalletTransaction[] }>('walletHistory');
    expect(transactions[0]).toMatchObject({ hash: claimed.hash, status: 'confirmed', gasUsed: expect.stringMatching(/^\d+$/) });

    // A checksum typo is refused before anything is signed.
    expect(await refusal('walletSend', { to: '0x8ba1f109551bD432803012645Ac136ddd64DBA72'.replace('bD4', 'Bd4'), amount: '1' })).toMatchObject({
      code: 'REFUSED',
      message: expect.stringMatching(/checksum is wrong/),
    });

    // No secret in any log line or API message, but for the export's own reply.
    const privateKey = HDNodeWallet.fromPhrase(mnemonic).privateKey.slice(2).toLowerCase();
    const scanned = [...logs, ...messages.filter((m) => !(m.kind === 'result' && m.id === exportCall)).map((m) => JSON.stringify(m))];
    expect(scanned.length).toBeGreaterThan(20);
    for (const text of scanned) {
      expect(text).not.toContain(mnemonic);
      expect(text.toLowerCase()).not.toContain(privateKey);
    }
    connection.close();
  });
});
