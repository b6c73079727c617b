/** Canned, contract-typed API data for transport tests (the real node is exercised in integration tests). */
import { DEFAULT_SETTINGS, type Earnings, type NetworkStatus, type Settings, type Status, type WalletBalances, type WalletInfo, type WalletTransaction, type WorkUnit } from '../../../../worker/api/contract.js';
import type { Handlers } from '../../../../worker/api/dispatch.js';

export const sampleStatus = (): Status => ({
  state: 'training',
  reason: 'running',
  cause: { kind: 'running' },
  reasonText: 'Training on your shard',
  apiVersion: 1,
  appVersion: '0.0.0-test',
  nodeId: 'ab'.repeat(16),
  dataDir: '/home/ada/.config/AIRTIST Miner',
  backend: 'wasm',
  model: 'mlp-gan',
  dataset: 'mnist',
  runId: 'cd'.repeat(16),
  shard: 3,
  shardCount: 8,
  batchSize: 64,
  step: 1234,
  samplesPerSecond: 812.5,
  losses: { discriminator: 1.25, generator: 0.75 },
  uptimeSeconds: 42,
  work: {
    today: { units: 2, steps: 100, samples: 6400, seconds: 60 },
    total: { units: 5, steps: 250, samples: 16000, seconds: 150 },
    inProgress: { steps: 12, samples: 768 },
  },
});

export const sampleUnit = (id = 1): WorkUnit => ({
  id,
  runId: 'cd'.repeat(16),
  shard: 3,
  stepStart: 0,
  stepEnd: 50,
  samples: 3200,
  seconds: 30,
  losses: { discriminator: 1.2, generator: 0.8 },
  finishedAt: 1_700_000_000_000,
});

export const sampleNetwork = (): NetworkStatus => ({
  enabled: true,
  running: { p2pPort: 7358, bootstrapPeers: [], relayServer: false, chain: 'devnet', fromCommandLine: [], problems: [] },
  peerId: '12D3KooWSample',
  addresses: ['/ip4/127.0.0.1/tcp/7358/p2p/12D3KooWSample'],
  peers: [{ id: '12D3KooWOther', latencyMs: 12, direct: true, address: '/ip4/127.0.0.1/tcp/7360' }],
  round: { round: 4, phase: 'training', baseHash: 'ef'.repeat(32), openedAt: 1, windowEndsAt: 2, contributions: 1, quorum: 3, leader: null, contributed: false, reputation: 0.42, mayLead: true },
  lastCommit: { round: 3, modelHash: 'ef'.repeat(32), committedBy: '12D3KooWOther', accepted: 3, at: 1 },
  bytesSent: 1000,
  bytesReceived: 2000,
  resyncs: 0,
  messages: { accept: 5, ignore: 1, reject: 0 },
});

export function fakeHandlers(): Handlers & { settings: Settings } {
  const state = { settings: { ...DEFAULT_SETTINGS } };
  return {
    get settings() {
      return state.settings;
    },
    status: () => sampleStatus(),
    pause: () => ({ state: 'paused', reason: 'user', cause: { kind: 'paused-by-user' }, reasonText: 'Paused by you' }),
    resume: () => ({ state: 'training', reason: 'running', cause: { kind: 'running' }, reasonText: 'Training on your shard' }),
    pauseAfterRound: () => ({ state: 'training', reason: 'running', cause: { kind: 'running' }, reasonText: 'Finishing round 4, then pausing' }),
    pauseFor: () => ({ state: 'paused', reason: 'schedule', cause: { kind: 'schedule', reason: 'in-use', until: null, temperatureC: null }, reasonText: 'Paused by you until 15:00' }),
    reportSignals: () => ({ state: 'paused', reason: 'schedule', cause: { kind: 'schedule', reason: 'in-use', until: null, temperatureC: null }, reasonText: 'Paused: you are using the computer' }),
    getSettings: () => state.settings,
    setSettings: (patch) => (state.settings = { ...state.settings, ...patch }),
    workHistory: ({ limit }) => ({
      units: [sampleUnit(2), sampleUnit(1)].slice(0, limit),
      today: sampleStatus().work.today,
      total: sampleStatus().work.total,
    }),
    latestSamples: () => ({ step: 1, pngBase64: 'iVBORw0KGgo=', width: 8, height: 8, time: 1 }),
    progressHistory: () => [{ step: 1, samplesPerSecond: 10, microBatch: 8, losses: { discriminator: 1, generator: 1 }, time: 1 }],
    network: () => sampleNetwork(),
    roundHistory: ({ limit }) => ({
      rounds: [
        { round: 3, baseHash: 'ab'.repeat(32), modelHash: 'ef'.repeat(32), committedBy: '12D3KooWOther', accepted: 3, bytesIn: 10, bytesOut: 20, openedAt: 1, closedAt: 2, own: { status: 'accepted', reason: null, reasonText: null } },
      ].slice(0, limit),
    }),
    earnings: ({ limit }) => sampleEarnings(limit),
    walletStatus: () => sampleWallet(),
    walletCreate: () => sampleWallet(),
    walletImport: () => sampleWallet(),
    walletUnlock: () => sampleWallet(),
    walletLock: () => ({ ...sampleWallet(), locked: true, locksAt: null }),
    walletForgetUnlock: () => ({ ...sampleWallet(), remembered: false }),
    walletExport: () => ({ mnemonic: 'test test test test test test test test test test test junk' }),
    walletBalances: () => sampleBalances(),
    walletClaim: () => sampleTransaction(),
    walletSend: () => ({ ...sampleTransaction(), kind: 'send', to: `0x${'cd'.repeat(20)}` }),
    walletHistory: ({ limit }) => ({ transactions: [sampleTransaction()].slice(0, limit) }),
    exportDiagnostics: () => ({ path: '/data/diagnostics/airtist-diagnostics-20261207-101500.zip', bytes: 4096, files: ['report.json', 'node.log'] }),
  };
}

export const sampleWallet = (): WalletInfo => ({
  address: `0x${'aB'.repeat(20)}`,
  locked: false,
  hasMnemonic: true,
  locksAt: 1_700_000_900_000,
  remembered: true,
  canRemember: true,
  problem: null,
  rewardAddress: `0x${'ab'.repeat(20)}`,
  chain: { state: 'ready', kind: 'devnet', chainId: 0x41495254, reason: null },
});

export const sampleBalances = (): WalletBalances => ({
  address: `0x${'aB'.repeat(20)}`,
  airtWei: '0',
  gasWei: '10000000000000000000',
  creditedWei: '95000000000000000000',
  postedWei: '95000000000000000000',
  claimedWei: '0',
  claimableWei: '95000000000000000000',
  pendingWei: '0',
  latestEpoch: 0,
});

export const sampleTransaction = (): WalletTransaction => ({
  hash: `0x${'12'.repeat(32)}`,
  chainId: 0x41495254,
  kind: 'claim',
  coin: 'airt',
  from: `0x${'aB'.repeat(20)}`,
  to: `0x${'aB'.repeat(20)}`,
  amountWei: '95000000000000000000',
  status: 'pending',
  block: null,
  gasUsed: null,
  sentAt: 1_700_000_000_000,
  settledAt: null,
});

export const sampleEarnings = (limit = 100): Earnings => ({
  rewardAddress: `0x${'ab'.repeat(20)}`,
  contributions: [
    { round: 4, hash: '01'.repeat(32), status: 'received', reason: null, reasonText: null, score: null, samples: 320, creditedWei: null, at: 3 },
    { round: 3, hash: '02'.repeat(32), status: 'accepted', reason: null, reasonText: null, score: 288, samples: 320, creditedWei: '95000000000000000000', at: 2 },
    { round: 2, hash: '03'.repeat(32), status: 'rejected', reason: 'copy', reasonText: 'a copy of another peer’s update', score: null, samples: 320, creditedWei: null, at: 1 },
  ].slice(0, limit) as Earnings['contributions'],
  totals: { accepted: 1, rejected: 1, rejectedBy: { copy: 1 }, creditedWei: '95000000000000000000', todayWei: '95000000000000000000', pendingWei: '95000000000000000000' },
  epoch: { epoch: 0, rounds: 30, roundsDone: 4, lastClosed: null },
  daily: [{ day: '2026-12-03', wei: '95000000000000000000' }],
  estimate: { weiPerDay: '17100000000000000000000', rounds: 20, roundsPerDay: 720, contributors: 3 },
});
