/** The wallet's transactions in the ledger: recorded pending, settled once from the chain's receipt, followed later if the sender died. */
import { describe, expect, it } from 'vitest';
import { LedgerInputError } from '../../../../worker/ledger/ledger.js';
import { useTempLedger } from './fixtures.js';

const A = `0x${'a1'.repeat(20)}`;
const B = `0x${'b2'.repeat(20)}`;
const hash = (n: number) => `0x${String(n).repeat(64)}`;
const sent = (n: number, sentAt: number) => ({ hash: hash(n), chainId: 31337, kind: 'send' as const, coin: 'airt' as const, from: A, to: B, amountWei: '1500', sentAt });

describe('wallet transactions', () => {
  const temp = useTempLedger();

  it('keeps a transaction pending until its receipt settles it, once', () => {
    const { transactions } = temp.ledger;
    transactions.sent(sent(1, 10));
    expect(transactions.list(10)).toMatchObject([{ hash: hash(1), status: 'pending', block: null, gasUsed: null, settledAt: null }]);
    transactions.settle(hash(1), { status: 'confirmed', block: 7, gasUsed: 51_234n }, 20);
    transactions.settle(hash(1), { status: 'failed', block: 8, gasUsed: 1n }, 30); // settled already: unchanged
    expect(transactions.list(10)).toMatchObject([{ status: 'confirmed', block: 7, gasUsed: '51234', settledAt: 20 }]);
  });

  it('follows the pending ones a dead process left, settling those the chain has answered', async () => {
    const { transactions } = temp.ledger;
    transactions.sent(sent(2, 10));
    transactions.sent(sent(3, 11));
    const settled = await transactions.follow(async (h) => (h === hash(2) ? { status: 'failed', block: 9, gasUsed: 21_000n } : null), 50);
    expect(settled).toBe(1);
    expect(transactions.list(10).map((t) => [t.hash, t.status])).toEqual([[hash(3), 'pending'], [hash(2), 'failed']]);
  });

  it('refuses what is not a transaction', () => {
    const { transactions } = temp.ledger;
    expect(() => transactions.sent({ ...sent(4, 1), hash: '0x12' })).toThrow(LedgerInputError);
    expect(() => transactions.sent({ ...sent(4, 1), to: 'nobody' })).toThrow(LedgerInputError);
    expect(() => transactions.sent({ ...sent(4, 1), amountWei: '1.5' })).toThrow(LedgerInputError);
    expect(transactions.list(10)).toEqual([]);
  });
});
