/**
 * A downloaded state is taken only with the reward table its commit names: a joiner's totals before its first
 * round come with the weights, and a peer that serves another table (or none that decodes) is refused.
 */
import { generateKeyPair } from '@libp2p/crypto/keys';
import { describe, expect, it } from 'vitest';
import { EMPTY_ROOT, rewardRoot } from '../../../../worker/rewards/merkle.js';
import { encodeTotals } from '../../../../worker/rewards/totals-codec.js';
import { signCommit } from '../../../../worker/rounds/commit.js';
import { modelHash } from '../../../../worker/rounds/outer.js';
import type { SyncState } from '../../../../worker/rounds/sync.js';
import { verifyState } from '../../../../worker/rounds/verify.js';

const RUN = 'a'.repeat(32);
const SIZE = 8;
const theta = Float32Array.from({ length: SIZE }, (_, i) => i / 10);
const momentum = new Float32Array(SIZE);
const hash = modelHash(theta, momentum);
const vector = new Uint8Array([...new Uint8Array(theta.buffer), ...new Uint8Array(momentum.buffer)]);
const totals = new Map([[`0x${'a1'.repeat(20)}`, 12n], [`0x${'b2'.repeat(20)}`, 3n]]);

async function state(table: Uint8Array, root = rewardRoot(totals)): Promise<SyncState> {
  const key = await generateKeyPair('Ed25519');
  const commit = await signCommit({ runId: RUN, round: 6, committedAt: 5, baseHash: 'b'.repeat(64), accepted: [], rejected: [], modelHash: hash, reputation: [], rewardRoot: root }, key);
  return { runId: RUN, round: 7, commit, totals: table, vector, hash };
}
const context = { runId: RUN, size: SIZE, genesisHash: null };

describe('checking a downloaded state', () => {
  it('takes the reward table its commit names, with its root', async () => {
    const verified = await verifyState(await state(encodeTotals(totals)), context);
    expect(verified.totals).toEqual(totals);
    expect(verified.rewardRoot).toBe(rewardRoot(totals));
  });

  it('refuses another table, or one that does not decode', async () => {
    const more = new Map([...totals, [`0x${'c3'.repeat(20)}`, 1n]]);
    await expect(verifyState(await state(encodeTotals(more)), context)).rejects.toThrow(/reward table is not the one its commit names/);
    await expect(verifyState(await state(Uint8Array.of(1, 0, 0)), context)).rejects.toThrow(/reward table does not decode/);
  });

  it("refuses a round-0 state with anything in its table", async () => {
    const genesis = { runId: RUN, round: 0, commit: null, vector, hash };
    const withGenesis = { ...context, genesisHash: hash };
    expect((await verifyState({ ...genesis, totals: encodeTotals(new Map()) }, withGenesis)).rewardRoot).toBe(EMPTY_ROOT);
    await expect(verifyState({ ...genesis, totals: encodeTotals(totals) }, withGenesis)).rejects.toThrow(/round 0's reward table is not empty/);
  });
});
