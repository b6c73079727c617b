import { describe, expect, it } from 'vitest';
import { addressProblem, amountProblem, backupChallenge, newPasswordProblem, wordsOf, wrongBackupWords } from '../../../../../renderer/src/lib/wallet-forms.js';

const WORDS = wordsOf(' legal winner thank year wave sausage worth useful legal winner thank yellow ');

describe('the wallet forms', () => {
  it('wants a new password of 8 characters, typed the same twice', () => {
    expect(newPasswordProblem('1234567', '1234567')).toMatch(/At least 8/);
    expect(newPasswordProblem('12345678', '12345679')).toMatch(/differ/);
    expect(newPasswordProblem('12345678', '12345678')).toBeNull();
  });

  it('asks for distinct words, in order, drawn by the random source', () => {
    expect(WORDS).toHaveLength(12);
    const first = backupChallenge(12, 3, () => 0);
    const other = backupChallenge(12, 3, () => 0.999);
    for (const asked of [first, other]) {
      expect(asked).toHaveLength(3);
      expect(new Set(asked).size).toBe(3);
      expect([...asked].sort((a, b) => a - b)).toEqual(asked);
      expect(asked.every((p) => p >= 0 && p < 12)).toBe(true);
    }
    expect(first).not.toEqual(other);
    // Over many draws every position is asked sometimes: no word is never checked.
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const seen = new Set(Array.from({ length: 200 }, () => backupChallenge(12, 3, random)).flat());
    expect(seen.size).toBe(12);
  });

  it('passes the backup only with every asked word right, case and spaces aside', () => {
    expect(wrongBackupWords(WORDS, [0, 5, 11], ['legal', ' SAUSAGE ', 'yellow'])).toEqual([]);
    expect(wrongBackupWords(WORDS, [0, 5, 11], ['legal', 'sausage', 'winner'])).toEqual([11]);
    expect(wrongBackupWords(WORDS, [0, 5, 11], ['', '', ''])).toEqual([0, 5, 11]);
  });

  it('checks an amount and an address as typed', () => {
    expect(amountProblem('12.5')).toBeNull();
    expect(amountProblem(' 0.000000000000000001 ')).toBeNull();
    for (const bad of ['', 'abc', '1,5', '-1', '1e3', '0.0000000000000000001']) expect(amountProblem(bad), bad).toMatch(/like 12\.5/);
    for (const zero of ['0', '0.0', '000']) expect(amountProblem(zero), zero).toMatch(/More than 0/);
    expect(addressProblem('0x8ba1f109551bD432803012645Ac136ddd64DBA72')).toBeNull();
    expect(addressProblem('0x8ba1f109551bD432803012645Ac136ddd64DBA7')).toMatch(/40 hex/);
  });
});
