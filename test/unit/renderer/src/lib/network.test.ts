import { describe, expect, it } from 'vitest';
import type { CommitSummary } from '../../../../../worker/api/contract.js';
import {
  contributionText,
  countdownText,
  formatBytes,
  formatLatency,
  isNewCommit,
  linkLabel,
  peerLabel,
  phaseLabel,
  quorumText,
  shortHash,
  shortPeerId,
} from '../../../../../renderer/src/lib/network.js';

const SELF = '12D3KooWAbCdEfGhIjKlMnOpQrStUvWxYz0123456789ab';
const OTHER = '12D3KooWZyXwVuTsRqPoNmLkJiHgFeDcBa9876543210zz';
const commit = (round: number): CommitSummary => ({ round, modelHash: 'ef'.repeat(32), committedBy: OTHER, accepted: 3, at: 1 });

describe('network', () => {
  it('shortens peer ids past the prefix every Ed25519 id shares', () => {
    expect(shortPeerId(SELF)).toBe('AbCd…89ab');
    expect(shortPeerId(OTHER)).toBe('ZyXw…10zz');
    expect(shortPeerId('12D3KooWSample')).toBe('Sample');
    expect(shortPeerId('QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N')).toBe('QmYy…hx5N');
  });

  it('calls this node "you" and every other peer by its short id', () => {
    expect(peerLabel(SELF, SELF)).toBe('you');
    expect(peerLabel(OTHER, SELF)).toBe('ZyXw…10zz');
    expect(peerLabel(OTHER, null)).toBe('ZyXw…10zz');
    expect(peerLabel(null, SELF)).toBe('–');
  });

  it('shortens model hashes like git commits', () => {
    expect(shortHash('0123456789abcdef'.repeat(4))).toBe('01234567');
    expect(shortHash(null)).toBe('–');
  });

  it('counts bytes in decimal units', () => {
    expect([0, 512, 1000, 1234, 56_700, 999_999, 5_600_000, 2_500_000_000].map(formatBytes)).toEqual([
      '0 B',
      '512 B',
      '1 kB',
      '1.23 kB',
      '56.7 kB',
      '1 MB',
      '5.6 MB',
      '2.5 GB',
    ]);
    expect(formatBytes(Number.NaN)).toBe('–');
  });

  it('gives latency in milliseconds, or a dash before the first ping', () => {
    expect(formatLatency(12.4)).toBe('12 ms');
    expect(formatLatency(0.3)).toBe('<1 ms');
    expect(formatLatency(null)).toBe('–');
    expect([linkLabel(true), linkLabel(false)]).toEqual(['direct', 'relayed']);
  });

  it('names every round phase in words', () => {
    expect((['training', 'committing', 'syncing', 'starting', 'stopped', 'offline'] as const).map(phaseLabel)).toEqual([
      'Training',
      'Committing',
      'Syncing with the network',
      'Starting',
      'Stopped',
      'Offline',
    ]);
  });

  it('counts down to the end of the training window, then says it is closing', () => {
    expect(countdownText(60_000, 17_500)).toBe('43 s');
    expect(countdownText(200_000, 75_000)).toBe('2 m 05 s');
    expect(countdownText(60_000, 59_999)).toBe('1 s');
    expect(countdownText(60_000, 60_000)).toBe('closing…');
    expect(countdownText(60_000, 90_000)).toBe('closing…');
    // The driver has not opened a round yet.
    expect(countdownText(0, 90_000)).toBe('–');
  });

  it('shows contributions against the quorum', () => {
    expect(quorumText(2, 3)).toBe('2 of 3');
  });

  it("describes this node's part in a round", () => {
    expect(contributionText({ status: 'accepted', reason: null, reasonText: null })).toBe('accepted');
    // The reason is worded from the catalog by its code, whatever words the node sent.
    expect(contributionText({ status: 'rejected', reason: 'not in the commit', reasonText: 'not in the commit' })).toBe('rejected: not in the round’s commit');
    expect(contributionText({ status: 'rejected', reason: 'copy', reasonText: 'NODE WORDS' })).toBe('rejected: a copy of another peer’s update');
    // A code this dashboard does not know yet (a newer node): the node's words.
    expect(contributionText({ status: 'rejected', reason: 'future-code', reasonText: 'a reason from a newer node' })).toBe('rejected: a reason from a newer node');
    expect(contributionText({ status: 'rejected', reason: null, reasonText: null })).toBe('rejected');
    expect(contributionText({ status: 'received', reason: null, reasonText: null })).toBe('pending');
    expect(contributionText(null)).toBe('–');
  });

  it('asks for the round table again only when the last commit changed', () => {
    expect(isNewCommit(undefined, null)).toBe(true);
    expect(isNewCommit(undefined, commit(3))).toBe(true);
    expect(isNewCommit(null, null)).toBe(false);
    expect(isNewCommit(null, commit(3))).toBe(true);
    expect(isNewCommit(3, commit(3))).toBe(false);
    expect(isNewCommit(3, commit(4))).toBe(true);
  });
});
