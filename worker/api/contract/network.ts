/** The peer network and its rounds, as the dashboard's Network view shows them. Pure types. */
import type { ChainSetting, RestartSetting } from './settings.js';

export type RoundPhase = 'offline' | 'starting' | 'syncing' | 'training' | 'committing' | 'stopped';

export interface PeerInfo {
  id: string;
  /** Round-trip time of the last ping; null until one came back. */
  latencyMs: number | null;
  /** False when every connection to it goes through a relay. */
  direct: boolean;
  address: string | null;
}

export interface RoundStatus {
  round: number;
  phase: RoundPhase;
  /** The committed model this round trains from. */
  baseHash: string;
  openedAt: number;
  /** When this peer's training window for the round ends. */
  windowEndsAt: number;
  contributions: number;
  quorum: number;
  /** Who is expected to commit the round (the best-ranked contributor so far). */
  leader: string | null;
  contributed: boolean;
  /** This node's reputation when the round opened (0..1, a moving average of its scores; verify/reputation.ts). */
  reputation: number;
  /** Whether its reputation lets it rank first for leading rounds. */
  mayLead: boolean;
}

export interface CommitSummary {
  round: number;
  modelHash: string;
  committedBy: string;
  accepted: number;
  at: number;
}

/** The network settings this node runs with (they take effect at start: RESTART_SETTINGS). */
export interface RunningNetwork {
  /** Null when the command line named the listen addresses itself. */
  p2pPort: number | null;
  bootstrapPeers: string[];
  relayServer: boolean;
  chain: ChainSetting;
  /** The settings the command line set for this run (`airtist node --bootstrap …`), which the saved ones do not override. */
  fromCommandLine: RestartSetting[];
  /**
   * Why a saved setting could not be used (a bootstrap address that does not parse, a chain file that cannot be
   * read), in words, with the setting: the node tried it, so it is not waiting for a restart.
   */
  problems: Array<{ setting: RestartSetting; text: string }>;
}

export interface NetworkStatus {
  /** What this node started its network with; null for an offline node. */
  running: RunningNetwork | null;
  /** False for a node started offline (it trains alone, without rounds). */
  enabled: boolean;
  peerId: string | null;
  /** The addresses other peers can dial. */
  addresses: string[];
  peers: PeerInfo[];
  round: RoundStatus | null;
  lastCommit: CommitSummary | null;
  bytesSent: number;
  bytesReceived: number;
  resyncs: number;
  /** Inbound gossip by outcome, summed over topics and reasons. */
  messages: { accept: number; ignore: number; reject: number };
}

/** One past round as the ledger has it, with this node's part in it. */
export interface RoundRecord {
  round: number;
  baseHash: string;
  modelHash: string | null;
  committedBy: string | null;
  accepted: number;
  bytesIn: number;
  bytesOut: number;
  openedAt: number;
  closedAt: number | null;
  /** This node's contribution: null when it did not contribute; a refused one's reason code and its words. */
  own: { status: string; reason: string | null; reasonText: string | null } | null;
}
