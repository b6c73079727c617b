/** The user's settings, validated against a versioned zod schema wherever they arrive from outside. */
import { z } from 'zod';

/** When the miner trains: always, once the computer is idle, or inside weekly windows (worker/scheduler/). */
export const SCHEDULE_MODES = ['always', 'idle', 'schedule'] as const;
export type ScheduleMode = (typeof SCHEDULE_MODES)[number];

const timeWindow = z
  .object({
    /** 0 = Sunday. */
    days: z.array(z.number().int().min(0).max(6)).min(1).max(7),
    startMinute: z.number().int().min(0).max(1439),
    /** Before the start: the window runs past midnight. Equal to the start: the whole day. */
    endMinute: z.number().int().min(0).max(1439),
  })
  .strict();
export type TimeWindow = z.infer<typeof timeWindow>;

/** The dashboard's look: the operating system's preference, or always dark or light. */
export const THEMES = ['system', 'dark', 'light'] as const;
export type Theme = (typeof THEMES)[number];

/**
 * A peer to join the network through: a TCP or WebSocket multiaddr with the peer's id, e.g.
 * /ip4/203.0.113.7/tcp/7358/p2p/12D3KooW…. Checked by shape here (the dashboard shares this schema); the node
 * parses each one again when it starts and says which it could not use.
 */
export const BOOTSTRAP_ADDRESS = /^\/(ip4|ip6|dns|dns4|dns6)\/[^/\s]{1,253}\/tcp\/\d{1,5}(\/wss?)?\/p2p\/[1-9A-HJ-NP-Za-km-z]{30,100}$/;

/** Where rewards are claimed: the chain built into the node (a test chain), none, or a chain config file (chain/config.ts). */
const chainSetting = z.union([z.enum(['devnet', 'none']), z.object({ configFile: z.string().min(1).max(4096) }).strict()]);
export type ChainSetting = z.infer<typeof chainSetting>;

/** The settings that take effect when the node next starts (the peer network and the chain are started once). */
export const RESTART_SETTINGS = ['p2pPort', 'bootstrapPeers', 'relayServer', 'chain'] as const;
export type RestartSetting = (typeof RESTART_SETTINGS)[number];

export const MAX_BOOTSTRAP_PEERS = 16;

/** The peer network's default TCP port (WebSocket on the next one). */
export const DEFAULT_P2P_PORT = 7358;

export const settingsSchema = z
  .object({
    /** Start the node paused (the user's last Pause survives restarts). */
    startPaused: z.boolean(),
    /** How often the network's paintings are refreshed. */
    sampleIntervalSeconds: z.number().int().min(1).max(600),
    /** Length of one work unit: training is checkpointed and recorded in the ledger at this interval. */
    workUnitSeconds: z.number().int().min(5).max(3600),
    scheduleMode: z.enum(SCHEDULE_MODES),
    /** Idle mode: train once the computer has had no input this long. */
    idleThresholdSeconds: z.number().int().min(10).max(3600),
    /** Schedule mode: train inside these weekly windows. */
    scheduleWindows: z.array(timeWindow).max(28),
    /** Paused until then (Unix ms), whatever the mode: "Pause for 1 hour"; null when not. */
    pauseUntil: z.number().int().min(0).nullable(),
    /** Half the duty cycle: less heat and fan noise. */
    quietMode: z.boolean(),
    pauseOnBattery: z.boolean(),
    pauseWhenFullscreen: z.boolean(),
    /** Pause at this CPU temperature (where the OS tells it). */
    maxTemperatureC: z.number().int().min(50).max(110),
    /** Pause while other programs use more than this share of the CPU, in idle mode (100: never). */
    maxOtherLoadPercent: z.number().int().min(5).max(100),
    /** Desktop app: closing the window keeps mining in the tray (else it quits). */
    closeToTray: z.boolean(),
    /** Desktop app: start when the user logs in, and then in the tray, without a window. */
    startAtLogin: z.boolean(),
    startMinimized: z.boolean(),
    /** The wallet locks itself after this many minutes unused. */
    walletLockMinutes: z.number().int().min(1).max(1440),
    /** The first-run wallet offer was answered: a wallet was made, or the user chose to set it up later. */
    walletOffered: z.boolean(),
    theme: z.enum(THEMES),
    /** The peer network's TCP port; WebSocket listens on the next one. 0: free ports the system picks. */
    p2pPort: z.number().int().min(0).max(65534),
    /** Peers to join through besides those found on the local network. */
    bootstrapPeers: z.array(z.string().max(400).regex(BOOTSTRAP_ADDRESS, 'a multiaddr with the peer id: /ip4/…/tcp/…/p2p/<id>')).max(MAX_BOOTSTRAP_PEERS),
    /** Also serve as a circuit relay and bootstrap node for peers behind NAT (a computer others can reach). */
    relayServer: z.boolean(),
    chain: chainSetting,
  })
  .strict();
export type Settings = z.infer<typeof settingsSchema>;

export const DEFAULT_SETTINGS: Settings = {
  startPaused: false,
  sampleIntervalSeconds: 4,
  workUnitSeconds: 30,
  scheduleMode: 'always',
  idleThresholdSeconds: 120,
  scheduleWindows: [],
  pauseUntil: null,
  quietMode: false,
  pauseOnBattery: true,
  pauseWhenFullscreen: true,
  maxTemperatureC: 90,
  maxOtherLoadPercent: 50,
  closeToTray: true,
  startAtLogin: false,
  startMinimized: false,
  walletLockMinutes: 15,
  walletOffered: false,
  theme: 'system',
  p2pPort: DEFAULT_P2P_PORT,
  bootstrapPeers: [],
  relayServer: false,
  chain: 'devnet',
};
