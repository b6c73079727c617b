/**
 * The wallet's forms, as pure checks: the new password, the backup step that asks for words of the
 * mnemonic back, an amount and an address as typed. The node checks everything again; these only let the
 * page say what is wrong before it asks.
 */
import { strings } from './strings.js';

const words = strings.wallet;

export const MIN_PASSWORD_LENGTH = 8;

/** Why a new password cannot be used, or null. */
export function newPasswordProblem(password: string, again: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return words.passwordTooShort(MIN_PASSWORD_LENGTH);
  if (password !== again) return words.passwordsDiffer;
  return null;
}

/** The words of a mnemonic, in order. */
export const wordsOf = (mnemonic: string): string[] => mnemonic.trim().split(/\s+/).filter(Boolean);

/**
 * Which words (0-based positions, ascending) the backup step asks for: `count` distinct ones, drawn with
 * `random` (Math.random in the page), so a screenshot of the words alone does not pass it.
 */
export function backupChallenge(wordCount: number, count = 3, random: () => number = Math.random): number[] {
  const positions = Array.from({ length: wordCount }, (_, i) => i);
  for (let i = positions.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [positions[i], positions[j]] = [positions[j]!, positions[i]!];
  }
  return positions.slice(0, Math.min(count, wordCount)).sort((a, b) => a - b);
}

/** The positions whose answer is not the word there (case and spaces aside): empty when the backup is right. */
export function wrongBackupWords(words: readonly string[], asked: readonly number[], answers: readonly string[]): number[] {
  return asked.filter((position, i) => (answers[i] ?? '').trim().toLowerCase() !== words[position]);
}

/** An amount as typed ("12.5"): null if fine, else why not. The node parses it to the wei. */
export function amountProblem(text: string): string | null {
  const trimmed = text.trim();
  if (!/^\d{1,30}(\.\d{1,18})?$/.test(trimmed)) return words.amountProblem;
  if (/^0*(\.0*)?$/.test(trimmed)) return words.amountZero;
  return null;
}

/** An address as typed: null if it looks like one (the node checks its checksum), else why not. */
export function addressProblem(text: string): string | null {
  return /^0x[0-9a-fA-F]{40}$/.test(text.trim()) ? null : words.addressProblem;
}
