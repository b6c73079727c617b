/**
 * The network settings form: the listen port, the bootstrap peers (one multiaddr a line), serving as a relay,
 * and the chain, as text in and a validated `Settings` patch out. The shapes come from the contract, so the form
 * and the node cannot disagree. These settings take effect when the node starts (RESTART_SETTINGS): `pending`
 * says whether the saved ones differ from those the node runs with.
 */
import { BOOTSTRAP_ADDRESS, MAX_BOOTSTRAP_PEERS, RESTART_SETTINGS, settingsSchema, type ChainSetting, type RestartSetting, type RunningNetwork, type Settings } from '../../../worker/api/contract.js';
import { strings } from './strings.js';

const words = strings.networkSettings;

export type ChainKind = 'devnet' | 'none' | 'file';

export interface NetworkDraft {
  p2pPort: string;
  /** One address a line. */
  bootstrapPeers: string;
  relayServer: boolean;
  chain: ChainKind;
  chainFile: string;
}

export type NetworkSettings = Pick<Settings, RestartSetting>;
export type NetworkErrors = Partial<Record<'p2pPort' | 'bootstrapPeers' | 'chainFile', string>>;
export type NetworkValidation = { ok: true; value: NetworkSettings } | { ok: false; errors: NetworkErrors };

const portField = settingsSchema.shape.p2pPort;
export const PORT_LIMITS: [number, number] = [portField.minValue ?? 0, portField.maxValue ?? 65534];

export function networkDraft(settings: NetworkSettings): NetworkDraft {
  return {
    p2pPort: String(settings.p2pPort),
    bootstrapPeers: settings.bootstrapPeers.join('\n'),
    relayServer: settings.relayServer,
    chain: typeof settings.chain === 'string' ? settings.chain : 'file',
    chainFile: typeof settings.chain === 'string' ? '' : settings.chain.configFile,
  };
}

export function validateNetwork(draft: NetworkDraft): NetworkValidation {
  const errors: NetworkErrors = {};
  const [min, max] = PORT_LIMITS;
  const portText = draft.p2pPort.trim();
  const port = Number(portText);
  if (portText === '' || !Number.isInteger(port) || port < min || port > max) errors.p2pPort = words.portProblem(min, max);

  const peers = draft.bootstrapPeers
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const bad = peers.find((peer) => !BOOTSTRAP_ADDRESS.test(peer));
  if (bad !== undefined) errors.bootstrapPeers = words.notAnAddress(bad.length > 60 ? `${bad.slice(0, 57)}…` : bad);
  else if (peers.length > MAX_BOOTSTRAP_PEERS) errors.bootstrapPeers = words.tooManyPeers(MAX_BOOTSTRAP_PEERS);

  const file = draft.chainFile.trim();
  if (draft.chain === 'file' && file === '') errors.chainFile = words.chainFileMissing;

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const chain: ChainSetting = draft.chain === 'file' ? { configFile: file } : draft.chain;
  return { ok: true, value: { p2pPort: port, bootstrapPeers: [...new Set(peers)], relayServer: draft.relayServer, chain } };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The fields of `next` that differ from `base`. */
export function networkPatch(base: NetworkSettings, next: NetworkSettings): Partial<NetworkSettings> {
  return Object.fromEntries(RESTART_SETTINGS.filter((key) => !same(base[key], next[key])).map((key) => [key, next[key]]));
}

/**
 * The saved settings the node does not run with yet (it takes them when it next starts). Neither is pending a
 * setting the command line set for this run (the command line wins until the node is started without it), nor
 * one the node tried and could not use (its problem says why; a restart would not change it).
 */
export function pendingSettings(saved: NetworkSettings, running: RunningNetwork | null): RestartSetting[] {
  if (!running) return [];
  const settled = new Set([...running.fromCommandLine, ...running.problems.map((problem) => problem.setting)]);
  return RESTART_SETTINGS.filter((key) => !settled.has(key) && !same(saved[key], running[key]));
}

export const SETTING_WORDS: Record<RestartSetting, string> = words.settingWords;
