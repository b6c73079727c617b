import { Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../../../worker/diagnostics/redact.js';

describe('redactSecrets', () => {
  const wallet = Wallet.createRandom();
  const mnemonic = wallet.mnemonic!.phrase;
  const token = 'ab'.repeat(32);

  it('takes out API tokens, private keys, keystore ciphertexts and recovery phrases', () => {
    const text = [
      `Dashboard: http://127.0.0.1:7357/?token=${token}`,
      `GET /api/status Authorization: Bearer ${token}`,
      `imported key ${wallet.privateKey} by mistake`,
      `{"crypto":{"ciphertext":"${'cd'.repeat(32)}","kdf":"scrypt"}}`,
      `the user pasted: ${mnemonic}`,
      `api-token: ${token}`,
      `validator key=${'ef'.repeat(32)}`,
    ].join('\n');
    const out = redactSecrets(text);
    for (const secret of [token, wallet.privateKey, 'cd'.repeat(32), mnemonic, 'ef'.repeat(32), wallet.privateKey.slice(2)]) {
      expect(out, secret).not.toContain(secret);
    }
    for (const word of mnemonic.split(' ')) expect(out.split(/\s+/).filter((w) => w === word).length, word).toBeLessThan(2);
    expect(out).toContain('Dashboard: http://127.0.0.1:7357/?token=[redacted]');
    expect(out).toContain('"kdf":"scrypt"');
  });

  it('leaves what a support reader needs: addresses, peer ids, model hashes, prose that happens to use list words', () => {
    const text = [
      `reward address ${wallet.address}`,
      'peer 12D3KooWBbDXyadEyk37hg6sPsq4ovgi1bF2qsFEBhYMZUq1L7Jb round 12 model abdb5f5b2a43',
      'rounds: round 20: closing with 20 contributions (quorum 3): a quorum is in, 38702 ms after it opened',
      'the trainer can not find any cash for the main window so it will stop', // 14 words, few of them list words in a row
    ].join('\n');
    expect(redactSecrets(text)).toBe(text);
  });
});
