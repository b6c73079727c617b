import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, settingsSchema, type RunningNetwork } from '../../../../../worker/api/contract.js';
import { networkDraft, networkPatch, pendingSettings, validateNetwork, type NetworkSettings } from '../../../../../renderer/src/lib/network-form.js';

const PEER = '/ip4/203.0.113.7/tcp/7358/p2p/12D3KooWSmcPpSsAqeyuTrFJzWDvAtVkR5dEJYNQQdvbrMhM9mGW';
const saved: NetworkSettings = { p2pPort: 7358, bootstrapPeers: [], relayServer: false, chain: 'devnet' };
const running = (over: Partial<RunningNetwork> = {}): RunningNetwork => ({ ...saved, fromCommandLine: [], problems: [], ...over });

describe('the network settings form', () => {
  it('round-trips the saved settings through the draft', () => {
    const settings: NetworkSettings = { p2pPort: 0, bootstrapPeers: [PEER], relayServer: true, chain: { configFile: '/etc/airtist/chain.json' } };
    expect(validateNetwork(networkDraft(settings))).toEqual({ ok: true, value: settings });
    expect(validateNetwork(networkDraft(DEFAULT_SETTINGS))).toEqual({ ok: true, value: saved });
  });

  it('reads one peer a line, trims them, drops blank lines and repeats; and the node accepts the result', () => {
    const checked = validateNetwork({ ...networkDraft(saved), bootstrapPeers: `\n  ${PEER}  \n\n${PEER}\n` });
    expect(checked).toEqual({ ok: true, value: { ...saved, bootstrapPeers: [PEER] } });
    if (checked.ok) expect(settingsSchema.partial().safeParse(checked.value).success).toBe(true);
  });

  it('says which line is not a peer address, and refuses a port out of range or not whole', () => {
    const checked = validateNetwork({ ...networkDraft(saved), p2pPort: '65535', bootstrapPeers: `${PEER}\n203.0.113.7:7358` });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.errors.bootstrapPeers).toContain('203.0.113.7:7358');
    expect(checked.errors.p2pPort).toMatch(/from 0 to 65534/);
    for (const port of ['', '-1', '7358.5', 'abc']) expect(validateNetwork({ ...networkDraft(saved), p2pPort: port }).ok, port).toBe(false);
    expect(validateNetwork({ ...networkDraft(saved), p2pPort: '0' }).ok).toBe(true);
  });

  it('asks for the file when the chain is a config file', () => {
    const checked = validateNetwork({ ...networkDraft(saved), chain: 'file', chainFile: '  ' });
    expect(checked.ok ? null : checked.errors.chainFile).toMatch(/path/);
  });

  it('patches only what changed', () => {
    expect(networkPatch(saved, { ...saved, relayServer: true })).toEqual({ relayServer: true });
    expect(networkPatch(saved, { ...saved, bootstrapPeers: [PEER], chain: 'none' })).toEqual({ bootstrapPeers: [PEER], chain: 'none' });
    expect(networkPatch(saved, saved)).toEqual({});
  });

  it('names the saved settings the node does not run with yet, but not those the command line set for this run', () => {
    expect(pendingSettings(saved, running())).toEqual([]);
    expect(pendingSettings({ ...saved, p2pPort: 7400, relayServer: true }, running())).toEqual(['p2pPort', 'relayServer']);
    expect(pendingSettings({ ...saved, bootstrapPeers: [PEER] }, running({ fromCommandLine: ['bootstrapPeers'] }))).toEqual([]);
    // An offline node runs no network: nothing is pending.
    expect(pendingSettings({ ...saved, p2pPort: 7400 }, null)).toEqual([]);
    // A chain file that could not be read runs as no chain: the file is not pending, its problem is shown instead.
    expect(pendingSettings({ ...saved, chain: { configFile: '/gone.json' } }, running({ chain: 'none', problems: [{ setting: 'chain', text: 'no chain: cannot read …' }] }))).toEqual([]);
    // Likewise a bootstrap line the node left out: the others run, and nothing waits for a restart.
    const broken = `/ip4/203.0.113.8/tcp/7358/p2p/${'1'.repeat(46)}`;
    const withBroken = running({ bootstrapPeers: [PEER], problems: [{ setting: 'bootstrapPeers', text: `bootstrap peer ${broken} left out` }] });
    expect(pendingSettings({ ...saved, bootstrapPeers: [PEER, broken] }, withBroken)).toEqual([]);
    // A problem with one setting leaves the others pending as they are.
    expect(pendingSettings({ ...saved, bootstrapPeers: [PEER, broken], relayServer: true }, withBroken)).toEqual(['relayServer']);
  });
});
