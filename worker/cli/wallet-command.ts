/**
 * `airtist wallet create|import|address|balance|claim|export`: the node's wallet (worker/wallet/) for rigs
 * without a screen. The mnemonic is shown once, at creation; `export` shows it again only with the password.
 * `balance` and `claim` reach the chain the running node serves (its devnet) and read its ledger read-only.
 */
import { parseArgs } from 'node:util';
import { defaultDataDir } from '../default-data-dir.js';
import { createKeystore, importKeystore, refuseExisting, requireKeystore, secretOf, unlockKeystore } from '../wallet/keystore.js';
import { WalletService, keystorePath } from '../wallet/wallet.js';
import { formatEther, parseUnits, type JsonRpcProvider } from 'ethers';
import { connectRpc } from '../chain/connect.js';
import { chainEndpointPath, type ChainEndpoint } from '../chain/service.js';
import { readFileOrNull } from '../durable-file.js';
import { openWalletLedger } from '../ledger/command-access.js';
import { formatAirt } from '../rewards/emission.js';
import { balancesOf, claim, receiptsOf, recipientOf, send } from '../wallet/claims.js';
import { readPassword, readSecret } from './secret-input.js';
import { UsageError, oneOf } from './usage.js';

export const WALLET_USAGE = `Usage: airtist wallet <create|import|address|export> [options]

  create             a new wallet (BIP-39, 12 words): prints its address and, this once, its mnemonic
  import             a wallet from a mnemonic or a private key (from --secret-file, a terminal prompt, or stdin)
  address            the wallet's address (no password needed)
  balance            AIRT and gas held; AIRT credited, posted, claimed, claimable and pending (no password needed)
  claim              claim what the latest root on chain owes the wallet (the node must be running)
  history            the wallet's claims and sends, each followed until the chain confirms or fails it
  send               send --amount of AIRT (or, with --coin gas, of the chain's coin) --to an address
  export             the wallet's mnemonic, after its password

Options:
  --data-dir DIR         the node's data dir (default: the desktop app's)
  --password-file FILE   the password is this file's first line (else AIRTIST_PASSWORD, else a prompt)
  --secret-file FILE     import: the mnemonic or private key (never on the command line: others can read it)
  --wei                  balance: one amount a line, in wei
  --to 0x…  --amount N   send: the recipient (a mixed-case address must carry its checksum) and the amount, in AIRT
  --coin airt|gas        send: which (default airt)`;

export async function walletCommand(argv: string[], print: (line: string) => void = console.log): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      'data-dir': { type: 'string' },
      'password-file': { type: 'string' },
      'secret-file': { type: 'string' },
      wei: { type: 'boolean' },
      to: { type: 'string' },
      amount: { type: 'string' },
      coin: { type: 'string', default: 'airt' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) return print(WALLET_USAGE);
  const [action, ...extra] = positionals;
  if (!action || !['create', 'import', 'address', 'balance', 'claim', 'send', 'history', 'export'].includes(action) || extra.length > 0) {
    throw new UsageError(action ? `unknown wallet action "${[action, ...extra].join(' ')}"` : 'which: create, import, address, balance, claim, send, history or export?');
  }
  const dataDir = values['data-dir'] ?? defaultDataDir();
  const path = keystorePath(dataDir);
  const sources = { passwordFile: values['password-file'] };

  if (action === 'address') return print((await requireKeystore(path)).address);
  if (action === 'send') {
    const coin = oneOf(values.coin ?? 'airt', ['airt', 'gas'] as const, 'coin');
    if (!values.to || !values.amount) throw new UsageError('send needs --to and --amount');
    let amount: bigint;
    try {
      amount = parseUnits(values.amount, 18);
    } catch {
      throw new UsageError(`--amount must be a number like 12.5, got "${values.amount}"`);
    }
    const to = recipientOf(values.to);
    return withChain(dataDir, async (endpoint, provider, ledger) => {
      const signer = (await unlockKeystore(path, await readPassword(sources))).connect(provider);
      const { hash, gasUsed } = await send(endpoint, signer, to, amount, coin, ledger.transactions);
      print(`sent      ${values.amount} ${coin === 'airt' ? 'AIRT' : "of the chain's coin"} to ${to} (transaction ${hash}, ${gasUsed} gas)`);
    });
  }
  if (action === 'history') {
    return withChain(dataDir, async (_endpoint, _provider, ledger) => {
      const list = ledger.transactions.list(100);
      if (list.length === 0) print('no claims or sends yet');
      for (const tx of list) {
        const amount = `${formatAirt(BigInt(tx.amountWei), 6)} ${tx.coin === 'airt' ? 'AIRT' : 'gas coin'}`;
        print(`${new Date(tx.sentAt).toISOString()}  ${tx.kind.padEnd(5)}  ${amount}  ${tx.kind === 'send' ? `to ${tx.to}  ` : ''}${tx.status}${tx.block === null ? '' : ` in block ${tx.block}`}${tx.gasUsed === null ? '' : `, ${tx.gasUsed} gas`}  ${tx.hash}`);
      }
    });
  }
  if (action === 'balance' || action === 'claim') {
    const info = await requireKeystore(path);
    return withChain(dataDir, async (endpoint, provider, ledger) => {
      if (action === 'claim') {
        const signer = (await unlockKeystore(path, await readPassword(sources))).connect(provider);
        const { amount, hash, gasUsed, epoch } = await claim(endpoint, signer, ledger.records, ledger.runId, ledger.transactions);
        print(`claimed   ${formatAirt(amount, 6)} AIRT to ${info.address}, up to epoch ${epoch} (transaction ${hash}, ${gasUsed} gas)`);
      }
      const b = await balancesOf(endpoint, provider, ledger.records, ledger.runId, info.address);
      if (values.wei) {
        // One amount a line, in wei: for scripts.
        for (const [name, wei] of [['held', b.airt], ['claimable', b.claimable], ['pending', b.pending], ['credited', b.credited], ['posted', b.posted], ['claimed', b.claimed], ['gas', b.gas]] as const) print(`${name} ${wei}`);
        return;
      }
      print(`address   ${b.address}`);
      print(`AIRT      ${formatAirt(b.airt, 6)} held; ${formatAirt(b.claimable, 6)} claimable, ${formatAirt(b.pending, 6)} pending (not yet in a posted root)`);
      print(`earned    ${formatAirt(b.credited, 6)} credited, ${formatAirt(b.posted, 6)} posted${b.latestEpoch === null ? '' : ` (up to epoch ${b.latestEpoch})`}, ${formatAirt(b.claimed, 6)} claimed`);
      print(`gas       ${formatEther(b.gas)} (chain ${endpoint.chainId})`);
    });
  }
  if (action === 'create') {
    // Before the password is asked for: there is nothing to create.
    await refuseExisting(path);
    const { address, mnemonic } = await createKeystore(path, await readPassword(sources, true));
    print(`address   ${address}`);
    print(`mnemonic  ${mnemonic}`);
    print('Write the 12 words down and keep them offline: they are shown this once, and they are the only way back to the funds if the password or this computer is lost.');
    return;
  }
  if (action === 'import') {
    await refuseExisting(path);
    const secret = await readSecret(values['secret-file']);
    const { address } = await importKeystore(path, await readPassword(sources, true), secretOf(secret));
    return print(`address   ${address}`);
  }
  print(await new WalletService({ path }).exportMnemonic(await readPassword(sources)));
}

/**
 * Runs `use` with the running node's chain and the ledger, after settling the transactions a dead process
 * left pending; closes both however it ends.
 */
async function withChain(dataDir: string, use: (endpoint: ChainEndpoint, provider: JsonRpcProvider, ledger: ReturnType<typeof openWalletLedger>) => Promise<void>): Promise<void> {
  const endpoint = await runningChain(dataDir);
  const provider = await connectRpc(endpoint.rpcUrl, endpoint.chainId);
  try {
    const ledger = openWalletLedger(dataDir);
    try {
      await ledger.transactions.follow(receiptsOf(provider));
      await use(endpoint, provider, ledger);
    } finally {
      ledger.close();
    }
  } finally {
    provider.destroy();
  }
}

/** Where the running node's chain answers (chain/service.ts writes it). */
async function runningChain(dataDir: string): Promise<ChainEndpoint> {
  const bytes = await readFileOrNull(chainEndpointPath(dataDir), 64 * 1024);
  if (!bytes) throw new UsageError(`no chain for ${dataDir}: start the node ('airtist node --data-dir ${dataDir}'), whose devnet serves it`);
  try {
    return JSON.parse(bytes.toString('utf8')) as ChainEndpoint;
  } catch {
    throw new UsageError(`${chainEndpointPath(dataDir)} is damaged: restart the node to write it again`);
  }
}
