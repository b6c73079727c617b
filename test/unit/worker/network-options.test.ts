import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, settingsSchema } from '../../../worker/api/contract.js';
import { networkWithSettings } from '../../../worker/network-options.js';

const PEER = '12D3KooWSmcPpSsAqeyuTrFJzWDvAtVkR5dEJYNQQdvbrMhM9mGW';
const saved = { ...DEFAULT_SETTINGS, p2pPort: 7400, bootstrapPeers: [`/ip4/203.0.113.7/tcp/7358/p2p/${PEER}`], relayServer: true };
const dir = mkdtempSync(join(tmpdir(), 'airtist-network-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the network a node starts with', () => {
  it('takes the port, the bootstrap peers, the relay and the chain from the saved settings when nothing else names them', () => {
    const { options, running } = networkWithSettings({}, saved);
    expect(options.listen).toEqual(['/ip4/0.0.0.0/tcp/7400', '/ip4/0.0.0.0/tcp/7401/ws', '/p2p-circuit']);
    expect(options.bootstrap).toEqual(saved.bootstrapPeers);
    expect(options.relay).toBe(true);
    expect(options.chain).toBe('devnet');
    expect(running).toEqual({ p2pPort: 7400, bootstrapPeers: saved.bootstrapPeers, relayServer: true, chain: 'devnet', fromCommandLine: [], problems: [] });
  });

  it('lets the command line win for the run, and says which settings it set', () => {
    const given = { listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], relay: false, chain: 'none' as const };
    const { options, running } = networkWithSettings(given, saved);
    expect(options).toMatchObject(given);
    expect(running.p2pPort).toBeNull();
    expect(running.fromCommandLine).toEqual(['p2pPort', 'bootstrapPeers', 'relayServer', 'chain']);
    expect(running.relayServer).toBe(false);
    expect(running.chain).toBe('none');
  });

  it('port 0 listens on free ports for both transports', () => {
    expect(networkWithSettings({}, { ...saved, p2pPort: 0 }).options.listen).toEqual(['/ip4/0.0.0.0/tcp/0', '/ip4/0.0.0.0/tcp/0/ws', '/p2p-circuit']);
  });

  it('reads a chain config file the settings name, and starts without a chain, saying why, when it cannot', () => {
    const file = join(dir, 'chain.json');
    const mining = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
    const token = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512';
    writeFileSync(file, JSON.stringify({ rpcUrl: 'http://127.0.0.1:8545', chainId: 31337, mining, token }));
    const good = networkWithSettings({}, { ...saved, chain: { configFile: file } });
    expect(good.options.chain).toEqual({ configured: { rpcUrl: 'http://127.0.0.1:8545', chainId: 31337, mining, token } });
    expect(good.running.chain).toEqual({ configFile: file });

    const missing = networkWithSettings({}, { ...saved, chain: { configFile: join(dir, 'gone.json') } });
    expect(missing.options.chain).toBe('none');
    expect(missing.running.chain).toBe('none');
    expect(missing.running.problems).toEqual([{ setting: 'chain', text: expect.stringMatching(/^no chain: cannot read the chain config ".*gone\.json": ENOENT$/) }]);
  });

  it('leaves out a bootstrap address that has the right shape but does not parse, and says so', () => {
    // Passes the settings' shape check, but its peer id is not a valid multihash.
    const broken = `/ip4/203.0.113.8/tcp/7358/p2p/${'1'.repeat(46)}`;
    expect(settingsSchema.shape.bootstrapPeers.safeParse([broken]).success).toBe(true);
    const { options, running } = networkWithSettings({}, { ...saved, bootstrapPeers: [...saved.bootstrapPeers, broken] });
    expect(options.bootstrap).toEqual(saved.bootstrapPeers);
    expect(running.problems).toEqual([{ setting: 'bootstrapPeers', text: expect.stringContaining(`bootstrap peer ${broken} left out`) }]);
  });

  it('refuses, by shape, a bootstrap address without a peer id and one that is not a multiaddr', () => {
    const peers = settingsSchema.shape.bootstrapPeers;
    expect(peers.safeParse(['/ip4/203.0.113.7/tcp/7358']).success).toBe(false);
    expect(peers.safeParse(['203.0.113.7:7358']).success).toBe(false);
    expect(peers.safeParse([`/dns4/seed.airtist.org/tcp/7359/ws/p2p/${PEER}`]).success).toBe(true);
  });
});
