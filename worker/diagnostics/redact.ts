/**
 * What a diagnostics bundle must never carry, taken out of every text that goes in: API tokens (in dashboard
 * links and Bearer headers), private keys (0x and 64 hex digits: a transaction hash looks the same and is lost
 * with them, which costs a support reader little), keystore ciphertexts, and anything that reads as a BIP-39
 * recovery phrase (12 or more words of the English list in a row). Pure.
 */
import { wordlists } from 'ethers';

const REDACTED = '[redacted]';
const english = wordlists.en!;
const WORDS = new Set(Array.from({ length: 2048 }, (_, i) => english.getWord(i)));
/** A run of this many list words is treated as a recovery phrase (the shortest BIP-39 phrase has 12). */
const PHRASE_WORDS = 12;

const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/([?&]token=)[^\s&#"']+/gi, `$1${REDACTED}`],
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, `$1${REDACTED}`],
  [/\b0x[0-9a-fA-F]{64}\b/g, REDACTED],
  [/("ciphertext"\s*:\s*")[^"]*"/gi, `$1${REDACTED}"`],
  // A bare 64-hex value labelled as a secret (an api-token file's contents, a validator key without 0x).
  [/((?:token|key|secret|password|mnemonic)["']?\s*[:=]\s*["']?)[0-9a-fA-F]{32,}/gi, `$1${REDACTED}`],
];

/** Replaces each run of PHRASE_WORDS or more word-list words (separated by whitespace) with the marker. */
function redactPhrases(text: string): string {
  const tokens = text.split(/(\s+)/);
  let runStart = -1;
  let runWords = 0;
  const flush = (end: number) => {
    if (runWords >= PHRASE_WORDS) {
      for (let i = runStart; i < end; i++) tokens[i] = '';
      tokens[runStart] = REDACTED;
    }
    runStart = -1;
    runWords = 0;
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (/^\s+$/.test(token)) continue;
    if (WORDS.has(token.toLowerCase())) {
      if (runStart < 0) runStart = i;
      runWords++;
    } else {
      flush(i);
    }
  }
  flush(tokens.length);
  return tokens.join('');
}

export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return redactPhrases(out);
}
