/**
 * The network a node starts with. What its caller named (the command line's flags, a test's options) holds for
 * this run; the rest comes from the saved settings (the dashboard's Network settings), which take effect when
 * the node starts. The result also says which settings the command line set, and why a saved one could not be
 * used: a bootstrap address that does not parse is left out, a chain file that cannot be read means no chain,
 * each with its reason on the Network page instead of a node that does not start.
 */
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import type { RestartSetting, RunningNetwork, Settings } from './api/contract.js';
import { readChainConfig } from './chain/config.js';
import type { NetworkOptions } from './node.js';
import { listenAddresses } from './p2p/service.js';

export interface ResolvedNetwork {
  options: NetworkOptions;
  running: RunningNetwork;
}

export function networkWithSettings(given: NetworkOptions, settings: Pick<Settings, RestartSetting>): ResolvedNetwork {
  const fromCommandLine: RestartSetting[] = [];
  const problems: RunningNetwork['problems'] = [];
  if (given.listen) fromCommandLine.push('p2pPort');
  if (given.bootstrap) fromCommandLine.push('bootstrapPeers');
  if (given.relay !== undefined) fromCommandLine.push('relayServer');
  if (given.chain !== undefined) fromCommandLine.push('chain');

  const bootstrap =
    given.bootstrap ??
    settings.bootstrapPeers.filter((address) => {
      try {
        const id = multiaddr(address).getComponents().find((component) => component.name === 'p2p')?.value;
        if (!id) throw new Error('it names no peer id');
        peerIdFromString(id);
        return true;
      } catch (error) {
        problems.push({ setting: 'bootstrapPeers', text: `bootstrap peer ${address} left out: ${(error as Error).message}` });
        return false;
      }
    });

  // The chain the node runs with, and the setting that names it (a file from the command line is not a setting).
  let chain = given.chain;
  let runningChain: RunningNetwork['chain'] = typeof given.chain === 'string' ? given.chain : given.chain ? { configFile: '--chain' } : settings.chain;
  if (chain === undefined) {
    if (typeof settings.chain === 'string') chain = settings.chain;
    else {
      try {
        chain = { configured: readChainConfig(settings.chain.configFile) };
      } catch (error) {
        problems.push({ setting: 'chain', text: `no chain: ${(error as Error).message}` });
        chain = runningChain = 'none';
      }
    }
  }

  const relay = given.relay ?? settings.relayServer;
  return {
    options: { ...given, listen: given.listen ?? listenAddresses(settings.p2pPort), bootstrap, relay, chain },
    running: {
      p2pPort: given.listen ? null : settings.p2pPort,
      bootstrapPeers: bootstrap,
      relayServer: relay,
      chain: runningChain,
      fromCommandLine,
      problems,
    },
  };
}
