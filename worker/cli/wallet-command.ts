/**
 * `airtist wallet create|import|address|export`: the node's wallet (worker/wallet/) for rigs without a screen.
 * The mnemonic is shown once, at creation; `export` shows it again only with the password.
 */
import { parseArgs } from 'node:util';
import { defaultDataDir } from '../default-data-dir.js';
import { KeystoreError, createKeystore, importKeystore, readKeystore, unlockKeystore } from '../wallet/keystore.js';
import { keystorePath } from '../wallet/wallet.js';
import { readPassword, readSecret } from './secret-input.js';
import { UsageError } from './usage.js';

export const WALLET_USAGE = `Usage: airtist wallet <create|import|address|export> [options]

  create             a new wallet (BIP-39, 12 words): prints its address and, this once, its mnemonic
  import             a wallet from a mnemonic or a private key (from --secret-file, a terminal prompt, or stdin)
  address            the wallet's address (no password needed)
  export             the wallet's mnemonic, after its password

Options:
  --data-dir DIR         the node's data dir (default: the desktop app's)
  --password-file FILE   the password is this file's first line (else AIRTIST_PASSWORD, else a prompt)
  --secret-file FILE     import: the mnemonic or private key (never on the command line: others can read it)`;

export async function walletCommand(argv: string[], print: (line: string) => void = console.log): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      'data-dir': { type: 'string' },
      'password-file': { type: 'string' },
      'secret-file': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) return print(WALLET_USAGE);
  const [action, ...extra] = positionals;
  if (!action || !['create', 'import', 'address', 'export'].includes(action) || extra.length > 0) {
    throw new UsageError(action ? `unknown wallet action "${[action, ...extra].join(' ')}"` : 'which: create, import, address or export?');
  }
  const path = keystorePath(values['data-dir'] ?? defaultDataDir());
  const sources = { passwordFile: values['password-file'] };

  if (action === 'address') {
    const info = await readKeystore(path);
    if (!info) throw new KeystoreError('missing', `there is no wallet at ${path}: run 'airtist wallet create' or 'airtist wallet import'`);
    return print(info.address);
  }
  if (action === 'create') {
    if (await readKeystore(path).catch(() => true)) throw new KeystoreError('exists', `a wallet already exists at ${path}; it is never overwritten`);
    const { address, mnemonic } = await createKeystore(path, await readPassword(sources, true));
    print(`address   ${address}`);
    print(`mnemonic  ${mnemonic}`);
    print('Write the 12 words down and keep them offline: they are shown this once, and they are the only way back to the funds if the password or this computer is lost.');
    return;
  }
  if (action === 'import') {
    if (await readKeystore(path).catch(() => true)) throw new KeystoreError('exists', `a wallet already exists at ${path}; it is never overwritten`);
    const secret = await readSecret(values['secret-file']);
    const isKey = /^(0x)?[0-9a-fA-F]{64}$/.test(secret);
    const { address } = await importKeystore(path, await readPassword(sources, true), isKey ? { privateKey: secret } : { mnemonic: secret });
    return print(`address   ${address}`);
  }
  const wallet = await unlockKeystore(path, await readPassword(sources));
  if (!('mnemonic' in wallet) || !wallet.mnemonic) throw new KeystoreError('bad-secret', 'this wallet was imported from a private key: it has no mnemonic to export');
  print(wallet.mnemonic.phrase);
}
