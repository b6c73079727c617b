/**
 * End to end on the embedded devnet, as a user of a headless rig runs it: `airtist wallet create`, then
 * `airtist node` (alone on loopback, short rounds and epochs) trains, commits its rounds, closes an epoch and
 * posts its root to its devnet; `airtist wallet claim` is paid, and the AIRT the chain holds for the wallet is
 * the ledger's credit up to that epoch, to the wei; `wallet send` moves it on, refusing a checksum typo.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { HDNodeWallet, JsonRpcProvider } from 'ethers';
import { airtTokenAt } from '../../../worker/chain/generated/AirtToken.js';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, loopbackArgs, startNodeProcess, type NodeProcess } from '../../helpers/node-process.js';

const PASSWORD = 'a long enough password';

describe('train, earn and claim on the devnet', { timeout: 240_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'airtist-claim-'));
  const dataDir = join(dir, 'node');
  const passwordFile = join(dir, 'password.txt');
  writeFileSync(passwordFile, PASSWORD);
  let node: NodeProcess | null = null;
  afterAll(async () => {
    node?.child.kill('SIGTERM');
    await node?.exited;
    rmSync(dir, { recursive: true, force: true });
  });
  const wallet = (...args: string[]) => spawnSync(process.execPath, [CLI, 'wallet', ...args, '--data-dir', dataDir, '--password-file', passwordFile], { encoding: 'utf8', timeout: 60_000 });

  it("pays a claim of the first epoch's credit, to the wei, into the wallet the node credits", async () => {
    const created = wallet('create');
    expect(created.status, created.stderr).toBe(0);
    const address = /^address\s+(0x[0-9a-fA-F]{40})$/m.exec(created.stdout)![1]!;
    const mnemonic = /^mnemonic\s+(.+)$/m.exec(created.stdout)![1]!;

    node = await startNodeProcess(dataDir, [...loopbackArgs(), '--model', 'mlp-gan', '--backend', 'wasm', '--batch-size', '8', '--round-seconds', '3', '--inner-steps', '2', '--epoch-rounds', '2']);
    // An epoch of two rounds closes, and its root reaches the chain.
    const deadline = Date.now() + 150_000;
    while (!/chain: epoch \d+'s root posted/.test(node.output())) {
      if (Date.now() > deadline) throw new Error(`no epoch root was posted:\n${node.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const claimed = wallet('claim');
    console.log([...node.output().matchAll(/^.*(chain: .*|rewards: epoch .*)$/gm)].map((m) => m[1]).join('\n'), `\n${claimed.stdout}`);
    expect(claimed.status, `${claimed.stderr}\n${node.output()}`).toBe(0);
    const held = BigInt(/^held\s+(\d+)$/m.exec(wallet('balance', '--wei').stdout)?.[1] ?? '-1');

    // Neither the node's log nor the claim's output carries the wallet's secrets.
    const privateKey = HDNodeWallet.fromPhrase(mnemonic).privateKey.slice(2);
    for (const text of [node.output(), claimed.stdout, claimed.stderr]) {
      expect(text).not.toContain(mnemonic);
      expect(text.toLowerCase()).not.toContain(privateKey);
    }

    // The ledger's credit to this address up to the posted epoch's end.
    const db = new Database(join(dataDir, 'ledger.sqlite'), { readonly: true });
    try {
      const posted = Number(/^claimed .* up to epoch (\d+)/m.exec(claimed.stdout)![1]);
      const endRound = db.prepare<[number], number>('SELECT end_round FROM epochs WHERE epoch = ?').pluck().get(posted)!;
      const credits = db
        .prepare<[string, number], string>("SELECT credited_wei FROM contributions WHERE reward_address = ? AND round < ? AND status = 'accepted' AND credited_wei IS NOT NULL")
        .pluck()
        .all(address.toLowerCase(), endRound);
      const credited = credits.reduce((sum, wei) => sum + BigInt(wei), 0n);
      expect(credited).toBeGreaterThan(0n);
      expect(held).toBe(credited);
    } finally {
      db.close();
    }

    // Sending: a checksum typo is caught before anything is signed; a good send moves the AIRT to the wei.
    const to = '0x8ba1f109551bD432803012645Ac136ddd64DBA72';
    const typo = wallet('send', '--to', to.replace('bD4', 'Bd4'), '--amount', '1');
    expect([typo.status, typo.stderr.trim()]).toEqual([1, expect.stringMatching(/its checksum is wrong/)]);
    const tooMuch = wallet('send', '--to', to, '--amount', '1000000');
    expect(tooMuch.stderr).toMatch(/holds .* AIRT, less than the 1000000\.0 to send/);
    const sent = wallet('send', '--to', to, '--amount', '1.5');
    expect(sent.status, sent.stderr).toBe(0);
    const after = wallet('balance', '--wei').stdout;
    expect(BigInt(/^held\s+(\d+)$/m.exec(after)![1]!)).toBe(held - 1_500_000_000_000_000_000n);
    const endpoint = JSON.parse(readFileSync(join(dataDir, 'chain', 'rpc.json'), 'utf8'));
    const rpc = new JsonRpcProvider(endpoint.rpcUrl, endpoint.chainId, { staticNetwork: true });
    expect(await airtTokenAt(endpoint.token, rpc).balanceOf(to)).toBe(1_500_000_000_000_000_000n);
    rpc.destroy();

    // The ledger keeps both transactions, confirmed, with their gas: the send first (newest first).
    const history = wallet('history').stdout.trim().split('\n');
    expect(history).toHaveLength(2);
    expect(history[0]).toMatch(new RegExp(`send .* 1\\.5 AIRT .*to ${to} .*confirmed in block \\d+, \\d+ gas`));
    expect(history[1]).toMatch(/claim .* AIRT .*confirmed in block \d+, \d+ gas/);
  });
});
