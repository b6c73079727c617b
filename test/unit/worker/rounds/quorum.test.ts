/** When a round closes, and when its arrivals say this peer is on a fork (worker/rounds/quorum.ts). */
import { describe, expect, it } from 'vitest';
import { quorumOf, quorumVerdict } from '../../../../worker/rounds/quorum.js';

describe('a round quorum', () => {
  it('closes once the valid and the refused reach it: their contributors were heard from', () => {
    expect(quorumVerdict({ valid: 2, refused: ['copy'], quorum: 3 })).toEqual({ kind: 'close' });
    expect(quorumVerdict({ valid: 2, refused: [], quorum: 3 })).toEqual({ kind: 'wait' });
  });

  it('does not count contributions made on another base: a peer on a fork would commit alone on them', () => {
    // Measured: a peer that missed a commit while syncing closed its round on six others' arrivals and led alone.
    expect(quorumVerdict({ valid: 1, refused: ['wrong-base'], quorum: 2 })).toEqual({ kind: 'wait' });
    expect(quorumVerdict({ valid: 1, refused: Array(6).fill('wrong-base'), quorum: 7 })).toEqual({ kind: 'fork', elsewhere: 6 });
  });

  it('says this peer is on a fork only when most of the round is elsewhere, and not on one laggard', () => {
    expect(quorumVerdict({ valid: 3, refused: ['wrong-base', 'wrong-base'], quorum: 9 })).toEqual({ kind: 'wait' });
    expect(quorumVerdict({ valid: 0, refused: ['wrong-base'], quorum: 9 })).toEqual({ kind: 'wait' });
    expect(quorumVerdict({ valid: 1, refused: ['replay', 'wrong-base', 'wrong-base', 'wrong-base'], quorum: 9 })).toEqual({ kind: 'fork', elsewhere: 3 });
  });

  it('is a share of the active peers, at least one and at most the run\'s count', () => {
    expect(quorumOf(7, { contributions: 16, fraction: 0.5 })).toBe(4);
    expect(quorumOf(100, { contributions: 16, fraction: 0.5 })).toBe(16);
    expect(quorumOf(1, { contributions: 16, fraction: 0.1 })).toBe(1);
  });
});
