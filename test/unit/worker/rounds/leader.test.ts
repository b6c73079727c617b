import { describe, expect, it } from 'vitest';
import { chooseCommit, commitSlot, leaderRanking, roundRanking } from '../../../../worker/rounds/leader.js';

const peers = Array.from({ length: 12 }, (_, i) => `12D3KooWpeer${i}`);

describe('leader selection', () => {
  it('ranks the eligible peers the same whatever order each peer knows them in', () => {
    const ranking = leaderRanking('run', 7, peers);
    expect([...ranking].sort()).toEqual([...peers].sort());
    expect(leaderRanking('run', 7, [...peers].reverse())).toEqual(ranking);
    expect(leaderRanking('run', 7, [...peers, peers[0]!])).toEqual(ranking); // a duplicate changes nothing
  });

  it('moves the lead around from round to round', () => {
    const leaders = new Set(Array.from({ length: 60 }, (_, round) => leaderRanking('run', round, peers)[0]));
    expect(leaders.size).toBeGreaterThan(6);
    expect(leaderRanking('other-run', 7, peers)).not.toEqual(leaderRanking('run', 7, peers));
  });

  it("ranks the last commit's contributors before newcomers, whatever the newcomers' keys", () => {
    const known = peers.slice(0, 4);
    const newcomers = peers.slice(4);
    for (let round = 0; round < 20; round++) {
      const ranking = roundRanking('run', round, known, [...newcomers, known[1]!]);
      expect(ranking.slice(0, 4)).toEqual(leaderRanking('run', round, known));
      expect(ranking.slice(4)).toEqual(leaderRanking('run', round, newcomers));
    }
    // A newcomer would often lead if everyone ranked alike: the order above is what keeps it from doing so.
    const led = Array.from({ length: 20 }, (_, round) => leaderRanking('run', round, peers)[0]).filter((p) => newcomers.includes(p!));
    expect(led.length).toBeGreaterThan(0);
    expect(roundRanking('run', 5, [], peers)).toEqual(leaderRanking('run', 5, peers)); // round 0: no commit yet
  });

  it('gives the leader the deadline and each fallback a later slot; a stranger none', () => {
    const ranking = leaderRanking('run', 3, peers);
    expect(commitSlot(ranking, ranking[0]!, 60_000, () => 5_000)).toBe(60_000);
    expect(commitSlot(ranking, ranking[2]!, 60_000, () => 5_000)).toBe(70_000);
    expect(commitSlot(ranking, 'not-eligible', 60_000, () => 5_000)).toBeNull();
  });

  it('makes a fallback wait longer behind a peer ranked before it that may be committing than behind one that cannot be', () => {
    const ranking = leaderRanking('run', 3, peers);
    const [leader, second, third] = ranking as [string, string, string];
    // The leader is connected and contributed (a long patience); the second is gone (the short step).
    const waitFor = (peer: string) => (peer === leader ? 20_000 : 3_000);
    expect(commitSlot(ranking, second, 60_000, waitFor)).toBe(80_000);
    expect(commitSlot(ranking, third, 60_000, waitFor)).toBe(83_000);
    // Only the peers ranked before count: the leader's own slot is the deadline whatever it would wait for others.
    expect(commitSlot(ranking, leader, 60_000, waitFor)).toBe(60_000);
  });

  it("applies the best-ranked signer's commit, and passes over one that signed two different commits", () => {
    const ranking = leaderRanking('run', 3, peers);
    const [first, second, third] = ranking;
    const commits = [
      { signer: third!, hash: 'c' },
      { signer: second!, hash: 'b' },
      { signer: 'not-eligible', hash: 'x' },
    ];
    expect(chooseCommit(ranking, commits)?.hash).toBe('b'); // the leader stayed silent: its first fallback wins
    expect(chooseCommit(ranking, [...commits].reverse())?.hash).toBe('b'); // arrival order does not matter
    const equivocating = [...commits, { signer: second!, hash: 'b2' }, { signer: first!, hash: 'a' }, { signer: first!, hash: 'a2' }];
    expect(chooseCommit(ranking, equivocating)?.hash).toBe('c');
    expect(chooseCommit(ranking, [{ signer: 'not-eligible', hash: 'x' }])).toBeNull();
  });
});
