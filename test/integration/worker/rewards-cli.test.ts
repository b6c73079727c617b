/**
 * `airtist rewards verify|show|proof` on a real ledger file: verify agrees with the roots the node recorded
 * and says MISMATCH (and fails) when one credit changes under it; proof prints a proof that checks against
 * the root; show lists each address's AIRT. A ledger that joined by a sync (a baseline of the totals before
 * its first round) verifies and proves from that baseline, and a baseline changed under its root is a MISMATCH.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rewardsCommand } from '../../../worker/cli/rewards-command.js';
import { UsageError } from '../../../worker/cli/usage.js';
import { openLedger } from '../../../worker/ledger/ledger.js';
import { EMPTY_ROOT, rewardRoot, verifyRewardProof } from '../../../worker/rewards/merkle.js';

const RUN = 'ab'.repeat(16);
const JOINED = 'cd'.repeat(16);
const A = `0x${'aa'.repeat(20)}`;
const B = `0x${'bb'.repeat(20)}`;
const hash = (round: number, n: number) => `${round}${n}`.padStart(64, '0');

describe('airtist rewards', () => {
  const dir = mkdtempSync(join(tmpdir(), 'airtist-rewards-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Two epochs of two rounds; A and B credited every round; each epoch closed with the root of its totals.
  const ledger = openLedger(join(dir, 'ledger.sqlite'));
  ledger.rewards.setBaseline(RUN, 0, EMPTY_ROOT, new Map(), 0);
  for (let round = 0; round < 4; round++) {
    ledger.rounds.open(RUN, round, 'b'.repeat(64), round);
    for (const [n, address] of [[1, A], [2, B]] as const) {
      ledger.rounds.recordContribution({ runId: RUN, round, hash: hash(round, n), peerId: `peer${n}`, own: n === 1, rewardAddress: address, samples: 160, steps: 10, losses: {}, payloadBytes: 1, receivedAt: round });
    }
    ledger.rounds.recordCommit({
      runId: RUN,
      round,
      modelHash: 'f'.repeat(64),
      committedBy: 'peer1',
      accepted: [{ hash: hash(round, 1), score: 1 }, { hash: hash(round, 2), score: 0.5 }],
      rejected: [],
      rewards: { emissionWei: '3000000000000000000000', unallocatedWei: '0', credits: [{ hash: hash(round, 1), wei: '2000000000000000000000' }, { hash: hash(round, 2), wei: '1000000000000000000000' }] },
      closedAt: round + 1,
    });
    if (round % 2 === 1) {
      const totals = ledger.rewards.totals(RUN, round + 1)!;
      ledger.rewards.closeEpoch(RUN, { epoch: (round - 1) / 2, endRound: round + 1, root: rewardRoot(totals), totalWei: String([...totals.values()].reduce((a, b) => a + b)), addresses: 2, closedAt: 9 });
    }
  }
  // A peer that joined run JOINED at round 3: the totals before it came with the state, then it credited round 3
  // itself and closed epoch 1 (rounds < 4) from both.
  const synced = new Map([[A, 5n], [B, 7n]]);
  ledger.rewards.setBaseline(JOINED, 3, rewardRoot(synced), synced, 50);
  ledger.rounds.open(JOINED, 3, 'b'.repeat(64), 60);
  ledger.rounds.recordContribution({ runId: JOINED, round: 3, hash: hash(3, 1), peerId: 'peer1', own: true, rewardAddress: A, samples: 160, steps: 10, losses: {}, payloadBytes: 1, receivedAt: 61 });
  ledger.rounds.recordCommit({ runId: JOINED, round: 3, modelHash: 'f'.repeat(64), committedBy: 'peer1', accepted: [{ hash: hash(3, 1), score: 1 }], rejected: [], rewards: { emissionWei: '10', unallocatedWei: '0', credits: [{ hash: hash(3, 1), wei: '10' }] }, closedAt: 62 });
  const joinedTotals = new Map([[A, 15n], [B, 7n]]);
  ledger.rewards.closeEpoch(JOINED, { epoch: 1, endRound: 4, root: rewardRoot(joinedTotals), totalWei: '22', addresses: 2, closedAt: 63 });
  ledger.close();

  const run = async (...argv: string[]) => {
    const out: string[] = [];
    await rewardsCommand([...argv, '--data-dir', dir], (line) => out.push(line));
    return out;
  };
  const ofRun = (...argv: string[]) => run(...argv, '--run', RUN);

  it('a ledger that joined by a sync verifies its baseline and its epochs from it, and proves from it', async () => {
    const out = await run('verify', '--run', JOINED);
    expect(out).toEqual([expect.stringMatching(/^totals synced before round 3: ok  root 0x[0-9a-f]{64}  2 addresses$/), expect.stringMatching(/^epoch 1 \(rounds < 4\): ok/)]);
    const printed = JSON.parse((await run('proof', '--run', JOINED, '--address', A)).join('\n'));
    expect(printed).toMatchObject({ epoch: 1, cumulativeAmount: '15', root: rewardRoot(joinedTotals) });
    expect(verifyRewardProof(printed.root, A, 15n, printed.proof)).toBe(true);
  });

  it('verify recomputes every closed epoch and agrees with the recorded roots', async () => {
    const out = await ofRun('verify');
    expect(out).toHaveLength(2);
    expect(out.every((line) => /: ok  root 0x[0-9a-f]{64}  2 addresses/.test(line))).toBe(true);
    expect(out[1]).toContain('12,000 AIRT');
  });

  it('proof prints the cumulative amount and a proof that checks against the root', async () => {
    const printed = JSON.parse((await ofRun('proof', '--address', B.toUpperCase().replace('0X', '0x'))).join('\n'));
    expect(printed).toMatchObject({ epoch: 1, account: B, cumulativeAmount: '4000000000000000000000' });
    expect(verifyRewardProof(printed.root, B, BigInt(printed.cumulativeAmount), printed.proof)).toBe(true);
    const first = JSON.parse((await ofRun('proof', '--address', A, '--epoch', '0')).join('\n'));
    expect(first.cumulativeAmount).toBe('4000000000000000000000');
  });

  it('show lists what each address was credited', async () => {
    const out = (await ofRun('show')).join('\n');
    expect(out).toContain(`${A}  8,000 AIRT credited`);
    expect(out).toContain(`${B}  4,000 AIRT credited`);
    expect(out).toMatch(/epoch 1: 6,000 AIRT emitted, 0 unallocated/);
  });

  it('refuses what it cannot answer with a clear message', async () => {
    await expect(run('proof')).rejects.toThrow(/needs --address/);
    await expect(run('proof', '--address', '0x12')).rejects.toThrow(UsageError);
    await expect(ofRun('verify', '--epoch', '7')).rejects.toThrow(/epoch 7 .* is not closed/);
    await expect(run('audit')).rejects.toThrow(/unknown rewards action/);
    await expect(rewardsCommand(['verify', '--data-dir', join(dir, 'nowhere')], () => {})).rejects.toThrow(/no ledger in/);
  });

  it('verify says MISMATCH and fails when a credit changed under the recorded root', async () => {
    const db = new Database(join(dir, 'ledger.sqlite'));
    db.prepare("UPDATE contributions SET credited_wei = '1000000000000000000001' WHERE hash = ?").run(hash(1, 2));
    db.close();
    const out: string[] = [];
    await expect(rewardsCommand(['verify', '--run', RUN, '--data-dir', dir], (line) => out.push(line))).rejects.toThrow(/2 of 3 roots do not match/);
    expect(out.every((line) => line.includes('MISMATCH'))).toBe(true);
  });

  it('verify says MISMATCH when a synced baseline changed under the root it was checked against', async () => {
    const db = new Database(join(dir, 'ledger.sqlite'));
    db.prepare("UPDATE reward_baseline_totals SET wei = '6' WHERE run_id = ? AND address = ?").run(JOINED, A);
    db.close();
    const out: string[] = [];
    await expect(rewardsCommand(['verify', '--run', JOINED, '--data-dir', dir], (line) => out.push(line))).rejects.toThrow(/2 of 2 roots do not match/);
    expect(out[0]).toMatch(/^totals synced before round 3: MISMATCH/);
  });
});
